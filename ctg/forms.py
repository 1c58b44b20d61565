"""Form bases that render with the DSFR (django-dsfr's snippets and classes).

Every text field (`forms.CharField` and its subclasses) of a form deriving from these bases is cleaned by
`ctg.text.clean_text` before its own validation: control characters are removed, and a single-line field
(any widget but a Textarea) gets its tabs and line breaks as spaces. The length and required checks then
apply to the cleaned text."""

from django import forms
from dsfr.forms import DsfrBaseForm

from ctg.text import clean_text


def _cleaning(field: forms.CharField):
    """Wraps the field's `to_python` (on this form's own copy of the field) with `clean_text`, once."""
    if getattr(field, "_ctg_clean_text", False):
        return
    field._ctg_clean_text = True
    original = field.to_python
    multiline = isinstance(field.widget, forms.Textarea)

    def to_python(value):
        return original(clean_text(value, multiline=multiline))

    field.to_python = to_python


class CleanTextMixin:
    def full_clean(self):
        # Here rather than in __init__: fields added by a form's own __init__ are cleaned too.
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                _cleaning(field)
        super().full_clean()


class DsfrForm(CleanTextMixin, DsfrBaseForm):
    pass


class DsfrModelForm(CleanTextMixin, DsfrBaseForm, forms.ModelForm):
    pass

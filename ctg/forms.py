"""Form bases that render with the DSFR (django-dsfr's snippets and classes)."""

from django import forms
from dsfr.forms import DsfrBaseForm


class DsfrForm(DsfrBaseForm):
    pass


class DsfrModelForm(DsfrBaseForm, forms.ModelForm):
    pass

"""The axes of the CAF's Schéma départemental des services aux familles on the enjeu's form (issue 14): a
list of checkboxes, added only when the dossier's CAF has axes the enjeu may take
(`services.schema_axes.axes_offered`); the choice is written by `services.schema_axes.enjeu_axes_set`."""

from django import forms
from dsfr.utils import dsfr_input_class_attr

from ctg.plans.services.schema_axes import axes_offered

FIELD = "schema_axes"


class SchemaAxisChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        label = f"Axe {obj.code} — {obj.title}"
        return label if obj.is_active else f"{label} (plus en vigueur)"


def add_schema_axes_field(form, ctg, enjeu=None) -> bool:
    """Adds the checkboxes of the axes to `form` (an enjeu's form) when there are axes to offer; returns
    whether it did. A submitted axis outside the list is refused by the field (nothing is written)."""
    offered = axes_offered(ctg, enjeu)
    if not offered.exists():
        return False
    form.fields[FIELD] = SchemaAxisChoiceField(
        label="Axes du schéma départemental des services aux familles",
        help_text="Les axes du schéma de la CAF que sert cet enjeu (plusieurs choix possibles).",
        queryset=offered,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Cet axe n'est pas un axe du schéma de la CAF de ce dossier."},
    )
    if enjeu is not None and enjeu.pk:
        form.initial[FIELD] = [axis.pk for axis in enjeu.schema_axes.all()]
    dsfr_input_class_attr(form[FIELD])
    return True

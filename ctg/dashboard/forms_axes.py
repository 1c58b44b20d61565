"""Forms of the axes of the CAF's Schéma départemental des services aux familles (issue 14). They shape the
input; the rules (number unique per CAF and département, title required, who may write) are those of
`ctg.organisations.schema_axes`, whose French refusals the views put back on the fields."""

from django import forms

from ctg.forms import DsfrForm
from ctg.organisations.models import Organisation


class AxisForm(DsfrForm):
    code = forms.CharField(
        label="Numéro",
        max_length=10,
        help_text="Numéro de l'axe dans le schéma, par exemple « 2 ».",
        error_messages={"required": "Le numéro de l'axe est obligatoire."},
    )
    title = forms.CharField(
        label="Intitulé",
        max_length=300,
        error_messages={"required": "L'intitulé de l'axe est obligatoire."},
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    schema_period = forms.CharField(
        label="Période du schéma", max_length=20, required=False, help_text="Par exemple « 2020-2024 »."
    )
    is_active = forms.BooleanField(
        label="En vigueur",
        required=False,
        initial=True,
        help_text=(
            "Décochez quand l'axe n'est plus au schéma : il reste sur les enjeux qui le citent, aucun autre "
            "enjeu ne peut le prendre."
        ),
    )


class AxisCreateForm(AxisForm):
    """For a person who writes the axes of any CAF of the département (a data manager of the platform): the
    CAF is chosen among those of the département. A CAF's staff write their own CAF's axes: no choice."""

    caf = forms.ModelChoiceField(
        label="CAF",
        queryset=Organisation.objects.none(),
        error_messages={
            "required": "Choisissez la CAF.",
            "invalid_choice": "Choisissez une CAF de la liste.",
        },
    )
    field_order = ["caf"]

    def __init__(self, *args, cafs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cafs is None:
            del self.fields["caf"]
        else:
            self.fields["caf"].queryset = cafs

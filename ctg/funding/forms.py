"""Forms of the funding pages: a value of the CAF's parameter table, and the simulator's lines."""

import datetime

from django import forms

from ctg.forms import DsfrForm
from ctg.funding.parameters import YEAR_MAX, YEAR_MIN
from ctg.funding.rules import INPUTS, KIND_LABELS
from ctg.funding.services import COMMENT_MAX


class ParameterForm(DsfrForm):
    """One value of the CAF's table; the service (`services.parameter_set`) checks it."""

    value = forms.CharField(
        label="Valeur de la CAF",
        required=False,
        max_length=40,
        help_text="Un nombre (virgule ou point décimal). Vide : la valeur publique s'applique de nouveau.",
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple la décision ou la circulaire qui fixe cette valeur ; gardé dans l'historique.",
    )


class YearForm(DsfrForm):
    annee = forms.IntegerField(label="Année", min_value=YEAR_MIN, max_value=YEAR_MAX)


def field_name(kind: str, name: str) -> str:
    return f"{kind}__{name}"


class SimulatorForm(DsfrForm):
    """The year, then one line per kind: the lines with at least one input filled are simulated."""

    annee = forms.IntegerField(
        label="Année", min_value=YEAR_MIN, max_value=YEAR_MAX, help_text="Année des paramètres appliqués."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].initial = datetime.date.today().year
        for kind, inputs in INPUTS.items():
            for name, label in inputs:
                self.fields[field_name(kind, name)] = forms.CharField(
                    label=label, required=False, max_length=40
                )

    def groups(self):
        """The fields of each kind, for the template: [(kind, label, [bound fields])]."""
        return [
            (kind, KIND_LABELS[kind], [self[field_name(kind, name)] for name, _label in inputs])
            for kind, inputs in INPUTS.items()
        ]

    def lines(self) -> list[dict]:
        lines = []
        for kind, inputs in INPUTS.items():
            values = {name: self.cleaned_data.get(field_name(kind, name)) or "" for name, _label in inputs}
            if any(values.values()):
                lines.append({"id": kind, "kind": kind, "year": self.cleaned_data["annee"], **values})
        if not lines:
            raise forms.ValidationError("Remplissez au moins une ligne.")
        return lines

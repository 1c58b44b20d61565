"""The finding's form: what a person types (the ateliers and questionnaires create theirs through the
services); the source is an indicator of the portrait, a row of « Besoins et offre », an interview, a
document or typed."""

from django import forms

from ctg.conventions.models import Field
from ctg.findings.models import Finding
from ctg.findings.prefill import indicator_choices
from ctg.findings.services import NEEDS_FIELDS
from ctg.forms import DsfrForm

# The sources a person chooses (a questionnaire's question or an atelier set theirs).
TYPED_SOURCES = [
    (code, label)
    for code, label in Finding.SourceKind.choices
    if code not in (Finding.SourceKind.QUESTION, Finding.SourceKind.ATELIER)
]


class FindingForm(DsfrForm):
    kind = forms.ChoiceField(label="Type de constat", choices=Finding.Kind.choices)
    title = forms.CharField(label="Constat", help_text="Un énoncé court.", max_length=300)
    evidence = forms.CharField(
        label="Élément probant",
        help_text="Le chiffre ou la citation qui l'appuie.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    fields = forms.MultipleChoiceField(
        label="Champs d'intervention",
        choices=Field.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    communes = forms.MultipleChoiceField(
        label="Communes concernées",
        help_text="Aucune : tout le territoire. Plusieurs choix possibles (Ctrl ou Cmd + clic).",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    public = forms.CharField(
        label="Public concerné",
        help_text="Par exemple « familles monoparentales ».",
        required=False,
        max_length=300,
    )
    weight = forms.TypedChoiceField(
        label="Importance", choices=Finding.Weight.choices, coerce=int, initial=Finding.Weight.MEDIUM
    )
    source_kind = forms.ChoiceField(
        label="Type de source", choices=TYPED_SOURCES, initial=Finding.SourceKind.TYPED
    )
    indicator = forms.ChoiceField(
        label="Indicateur du portrait",
        help_text="Pour une source « Indicateur du portrait ».",
        required=False,
    )
    needs_row = forms.ChoiceField(
        label="Ligne du tableau besoins et offre",
        help_text="Pour une source « Offre de services ».",
        required=False,
    )
    source_label = forms.CharField(
        label="Source",
        help_text="Comment la source est citée : « Entretien avec la directrice du RPE, mars 2025 ».",
        required=False,
        max_length=300,
    )

    def __init__(self, *args, ctg, finding: Finding | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].choices = list(
            ctg.communes.order_by("name", "code").values_list("code", "name")
        )
        self.fields["indicator"].choices = [("", "—")] + indicator_choices()
        labels = dict(Field.choices)
        self.fields["needs_row"].choices = [("", "—")] + [(code, labels[code]) for code in NEEDS_FIELDS]
        # A finding of an atelier or a questionnaire keeps its source: its fields are not offered.
        self.generic_source = finding is not None and bool(finding.source_type)
        if self.generic_source:
            for name in ("source_kind", "indicator", "needs_row", "source_label"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        kind = data.get("source_kind")
        if kind == Finding.SourceKind.INDICATOR and not data.get("indicator"):
            self.add_error("indicator", "Choisissez l'indicateur du portrait.")
        if kind == Finding.SourceKind.OFFER and not data.get("needs_row"):
            self.add_error("needs_row", "Choisissez la ligne du tableau besoins et offre.")
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in ("kind", "title", "evidence", "fields", "communes", "public", "weight")
        }
        if not self.generic_source:
            kind = data["source_kind"]
            values["source_kind"] = kind
            values["source_label"] = data["source_label"]
            values["source_ref"] = {
                Finding.SourceKind.INDICATOR: data.get("indicator") or "",
                Finding.SourceKind.OFFER: data.get("needs_row") or "",
            }.get(kind, "")
        return values

    @staticmethod
    def initial_of(finding: Finding) -> dict:
        initial = {
            name: getattr(finding, name)
            for name in (
                "kind",
                "title",
                "evidence",
                "fields",
                "public",
                "weight",
                "source_kind",
                "source_label",
            )
        }
        initial["communes"] = [c.code for c in finding.communes.all()]
        if finding.source_kind == Finding.SourceKind.INDICATOR:
            initial["indicator"] = finding.source_ref
        if finding.source_kind == Finding.SourceKind.OFFER:
            initial["needs_row"] = finding.source_ref.split(":", 1)[0]
        return initial


class FilterForm(DsfrForm):
    """The list's filters (GET)."""

    type = forms.ChoiceField(label="Type", required=False)
    champ = forms.ChoiceField(label="Champ d'intervention", required=False)
    commune = forms.ChoiceField(label="Commune", required=False)

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Tous")] + list(Finding.Kind.choices)
        self.fields["champ"].choices = [("", "Tous")] + list(Field.choices)
        self.fields["commune"].choices = [("", "Toutes")] + list(
            ctg.communes.order_by("name", "code").values_list("code", "name")
        )


class IndicatorChoiceForm(DsfrForm):
    """« Constat à partir d'un indicateur du portrait » (GET to the create page)."""

    indicateur = forms.ChoiceField(label="Indicateur du portrait")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicateur"].choices = indicator_choices()

"""The form of a structure of the offer of services, entered or changed by the dossier's editors (issue 12).

The communes offered are those of the dossier's territory; the opening hours are checked by
`ctg.offer.opening_hours` (a French message). The form only reads: `values()` is what the services
(`ctg.offer.services.structure_create`, `structure_edit`) write.
"""

from django import forms

from ctg.forms import DsfrForm, DsfrModelForm
from ctg.offer import funding, opening_hours
from ctg.offer.models import Structure
from ctg.territories.models import Commune

# The source of the structures entered by form.
SOURCE_FORM = "saisie"

FIELDS = (
    "type",
    "name",
    "commune",
    "address",
    "address_complement",
    "postcode",
    "public",
    "ages",
    "capacity",
    "opening_hours",
    "hours_note",
    "is_mobile",
    "phone",
    "email",
    "website",
    "status",
    "expected_opening",
    "caf_funding",
    "caf_funding_note",
    "accessibility",
    "accessibility_note",
    "accessibility_url",
)


def territory_communes(territory):
    """The communes of the dossier's territory, by name."""
    communes = Commune.objects.all()
    if territory.kind == "departement":
        communes = communes.filter(departement_id=territory.code)
    elif territory.kind == "epci":
        communes = communes.filter(epci_id=territory.code)
    else:
        communes = communes.filter(code__in=territory.communes)
    return communes.order_by("name", "code")


def communes_by_code(territory) -> dict:
    """The communes of the dossier's territory by their code (the template import's lines name them so)."""
    return {commune.code: commune for commune in territory_communes(territory)}


class StructureForm(DsfrModelForm):
    """A structure's own fields (never its source nor its import facts)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    website = forms.URLField(
        label="Site internet",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Adresse complète, par exemple https://www.exemple.fr.",
    )
    caf_funding = forms.MultipleChoiceField(
        label="Financements de la CAF",
        choices=funding.choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les prestations de service et bonus que la structure reçoit (plusieurs choix possibles).",
    )
    accessibility = forms.ChoiceField(
        label="Accessibilité",
        choices=Structure.Accessibility.choices,
        required=False,
        help_text="Accessibilité du lieu aux personnes à mobilité réduite.",
    )
    accessibility_url = forms.URLField(
        label="Fiche d'accessibilité",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="Adresse complète, par exemple la fiche acceslibre.beta.gouv.fr du lieu.",
    )

    class Meta:
        model = Structure
        fields = FIELDS
        widgets = {
            "expected_opening": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "hours_note": forms.Textarea(attrs={"rows": 3}),
            "caf_funding_note": forms.Textarea(attrs={"rows": 2}),
            "accessibility_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "expected_opening": "Obligatoire pour une structure en projet.",
            "capacity": "Pour les assistantes maternelles : leur nombre dans la commune.",
            "status": "Une structure n'est jamais supprimée : une structure qui a fermé passe à « Fermé ».",
        }

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        # The fields are changed in place, never replaced: the DSFR base form has already bound them.
        commune = self.fields["commune"]
        commune.queryset = territory_communes(territory)
        commune.label_from_instance = lambda obj: f"{obj.name} ({obj.code})"
        commune.empty_label = "Choisir une commune"
        commune.widget.choices = commune.choices
        self.fields["type"].choices = [("", "Choisir un type")] + [
            choice for choice in self.fields["type"].choices if choice[0]
        ]
        if self.instance.pk and not self.is_bound:
            from ctg.offer.services import version_of

            self.initial["version"] = version_of(self.instance)

    def clean_opening_hours(self):
        text = self.cleaned_data["opening_hours"].strip()
        if text:
            try:
                opening_hours.validate(text)
            except opening_hours.OpeningHoursError as error:
                raise forms.ValidationError(
                    f"Horaires non reconnus : {error}. Exemple : « Mo-Fr 09:00-12:00,13:30-17:00 »."
                ) from error
        return text

    def clean_caf_funding(self):
        # The codes in the order of `ctg.offer.funding` (a code outside the list is refused by the field).
        codes = set(self.cleaned_data["caf_funding"] or [])
        return [code for code, _label in funding.choices() if code in codes]

    def clean_accessibility(self):
        return self.cleaned_data["accessibility"] or Structure.Accessibility.UNKNOWN

    def clean(self):
        data = super().clean()
        if data.get("status") == Structure.Status.PLANNED and not data.get("expected_opening"):
            self.add_error(
                "expected_opening", "Indiquez la date d'ouverture prévue d'une structure en projet."
            )
        elif data.get("status") and data.get("status") != Structure.Status.PLANNED:
            data["expected_opening"] = None
        return data

    def _post_clean(self):
        # The model's checks run in the service (`full_clean`), on the structure as saved.
        pass

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in FIELDS}


class TemplateImportForm(DsfrForm):
    file = forms.FileField(
        label="Modèle rempli (CSV ou Excel)",
        help_text="Le modèle téléchargé ci-dessus, une ligne par structure, au format CSV ou Excel (.xlsx).",
    )

    def clean_file(self):
        from ctg.offer.template_import import MAX_BYTES

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Le fichier doit être un CSV (.csv) ou un classeur Excel (.xlsx).")
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"Le fichier dépasse {MAX_BYTES // (1024 * 1024)} Mo.")
        return upload

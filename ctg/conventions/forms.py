import re

from django import forms
from django.utils import timezone

from ctg.conventions.models import Field, Milestone
from ctg.conventions.services import DEFAULT_DURATION_YEARS, ROLES_GRANTABLE_BY
from ctg.forms import DsfrForm
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from ctg.territories.models import Commune, Epci

YEAR_WIDGET = forms.NumberInput(attrs={"inputmode": "numeric", "min": 2000, "max": 2100})


class PeriodFieldsMixin(forms.Form):
    start_year = forms.IntegerField(label="Année de début", widget=YEAR_WIDGET)
    end_year = forms.IntegerField(
        label="Année de fin",
        widget=YEAR_WIDGET,
        help_text="Une CTG dure de 1 à 5 ans ; 4 ans sont recommandés.",
    )
    fields = forms.MultipleChoiceField(
        label="Champs d'intervention", choices=Field.choices, widget=forms.CheckboxSelectMultiple
    )


class CtgCreateForm(DsfrForm, PeriodFieldsMixin):
    TERRITORY_EPCI = "epci"
    TERRITORY_COMMUNES = "communes"

    title = forms.CharField(
        label="Intitulé", max_length=250, help_text="Par exemple : CTG de la CC du Pays de …"
    )
    caf = forms.ModelChoiceField(label="CAF", queryset=Organisation.objects.none(), empty_label=None)
    territory_type = forms.ChoiceField(
        label="Territoire",
        choices=[
            (TERRITORY_EPCI, "Une intercommunalité (EPCI)"),
            (TERRITORY_COMMUNES, "Une ou plusieurs communes"),
        ],
        widget=forms.RadioSelect,
        initial=TERRITORY_EPCI,
    )
    epci = forms.ModelChoiceField(
        label="Intercommunalité (EPCI)",
        queryset=Epci.objects.none(),
        required=False,
        empty_label="— Choisir —",
    )
    commune_codes = forms.CharField(
        label="Codes Insee des communes",
        required=False,
        help_text="Séparés par des virgules ou des espaces, par exemple : 81004, 81065.",
    )

    field_order = [
        "title",
        "caf",
        "territory_type",
        "epci",
        "commune_codes",
        "start_year",
        "end_year",
        "fields",
    ]

    def __init__(self, *args, cafs, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caf"].queryset = cafs
        departements = {c.departement_id for c in cafs if c.departement_id}
        epcis = Epci.objects.filter(is_active=True)
        if len(departements) == 1:
            epcis = epcis.filter(communes__departement_id__in=departements).distinct()
        self.fields["epci"].queryset = epcis.order_by("name")
        if not self.is_bound:
            year = timezone.localdate().year + 1
            self.initial.setdefault("start_year", year)
            self.initial.setdefault("end_year", year + DEFAULT_DURATION_YEARS - 1)
            # A collectivity usually opens the dossier of its own territory.
            if organisation is not None and organisation.epci_id:
                self.initial["epci"] = organisation.epci_id
            elif organisation is not None and organisation.commune_id:
                self.initial["territory_type"] = self.TERRITORY_COMMUNES
                self.initial["commune_codes"] = organisation.commune_id

    def clean(self):
        data = super().clean()
        kind = data.get("territory_type")
        if kind == self.TERRITORY_EPCI:
            if not data.get("epci") and "epci" not in self.errors:
                self.add_error("epci", "Choisissez une intercommunalité.")
            data["communes"] = None
        elif kind == self.TERRITORY_COMMUNES:
            data["epci"] = None
            codes = [c for c in re.split(r"[\s,;]+", data.get("commune_codes") or "") if c]
            if not codes:
                self.add_error("commune_codes", "Indiquez au moins un code Insee de commune.")
                return data
            invalid = [c for c in codes if not re.fullmatch(r"(\d{5}|2[AB]\d{3})", c.upper())]
            if invalid:
                self.add_error("commune_codes", f"Code Insee mal formé : {', '.join(invalid)}.")
                return data
            codes = [c.upper() for c in codes]
            found = {c.code: c for c in Commune.objects.filter(code__in=codes, is_active=True)}
            unknown = [c for c in codes if c not in found]
            if unknown:
                self.add_error(
                    "commune_codes", f"Commune inconnue dans le référentiel : {', '.join(unknown)}."
                )
                return data
            data["communes"] = [found[c] for c in dict.fromkeys(codes)]
        return data


class CtgEditForm(DsfrForm, PeriodFieldsMixin):
    title = forms.CharField(label="Intitulé", max_length=250)
    field_order = ["title", "start_year", "end_year", "fields"]


class StatusForm(forms.Form):
    to = forms.CharField(max_length=20)


class InviteForm(DsfrForm):
    email = forms.EmailField(label="Adresse électronique")
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.all(), required=False, empty_label="— Aucune —"
    )
    role = forms.ChoiceField(label="Rôle dans le dossier", choices=Role.choices)
    communes = forms.ModelMultipleChoiceField(
        label="Communes suivies (référent·e communal·e)",
        queryset=Commune.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, ctg, actor_role, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].queryset = ctg.communes.order_by("name")
        self.fields["role"].choices = [
            (v, label) for v, label in Role.choices if v in ROLES_GRANTABLE_BY.get(actor_role, ())
        ]


class SignatoryForm(DsfrForm):
    organisation = forms.ModelChoiceField(
        label="Organisation signataire", queryset=Organisation.objects.all()
    )
    signer_name = forms.CharField(label="Nom du signataire", max_length=200)
    signer_capacity = forms.CharField(
        label="Qualité", max_length=200, help_text="Par exemple : Président, Directrice."
    )

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(signatures__ctg=ctg).order_by(
            "kind", "name"
        )


class PartnerForm(DsfrForm):
    organisation = forms.ModelChoiceField(
        label="Organisation existante",
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="— Choisir —",
    )
    new_name = forms.CharField(label="Ou nouvelle organisation : nom", max_length=250, required=False)
    new_kind = forms.ChoiceField(
        label="Type de la nouvelle organisation",
        choices=[("", "— Choisir —")]
        + [
            c
            for c in Organisation.Kind.choices
            if c[0]
            not in {
                Organisation.Kind.CAF,
                Organisation.Kind.EPCI,
                Organisation.Kind.COMMUNE,
                Organisation.Kind.DEPARTEMENT,
            }
        ],
        required=False,
    )

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(partner_ctgs=ctg).order_by(
            "kind", "name"
        )

    def clean(self):
        data = super().clean()
        if data.get("organisation") and data.get("new_name"):
            raise forms.ValidationError(
                "Choisissez une organisation existante ou créez-en une, pas les deux."
            )
        if not data.get("organisation"):
            if not data.get("new_name"):
                raise forms.ValidationError(
                    "Choisissez une organisation existante ou indiquez le nom d'une nouvelle."
                )
            if not data.get("new_kind"):
                self.add_error("new_kind", "Choisissez le type de la nouvelle organisation.")
        return data


class MilestoneForm(DsfrForm):
    kind = forms.ChoiceField(label="Type", choices=Milestone.Kind.choices)
    title = forms.CharField(label="Intitulé", max_length=250)
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    done = forms.BooleanField(label="Réalisé", required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RenewForm(DsfrForm):
    start_year = forms.IntegerField(label="Année de début", widget=YEAR_WIDGET)
    end_year = forms.IntegerField(label="Année de fin", widget=YEAR_WIDGET)


class SignatureForm(DsfrForm):
    signed_on = forms.DateField(
        label="Date de signature", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    signed_scan = forms.FileField(
        label="Exemplaire signé",
        required=False,
        help_text="PDF, PNG ou JPG, 20 Mo au plus. Laissez vide pour garder l'exemplaire déjà déposé.",
    )

import datetime
import re
import unicodedata

from django import forms
from django.db.models import Q
from django.utils import timezone

from ctg.conventions.models import Agreement, DatePrecision, Field, Milestone, Signatory
from ctg.conventions.selectors import offer_organisations
from ctg.conventions.services import (
    DEFAULT_DURATION_YEARS,
    NEW_PARTNER_KINDS,
    PARTNER_ROLE_MAX,
    ROLES_GRANTABLE_BY,
)
from ctg.forms import DsfrForm
from ctg.organisations.choices import OrganisationChoiceField
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from ctg.territories import french
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


INSEE_CODE = re.compile(r"(\d{5}|2[AB]\d{3})", re.IGNORECASE)


def _normalised(name: str) -> str:
    text = unicodedata.normalize("NFD", " ".join(name.replace("’", "'").split()))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


class TerritoryFieldsMixin(forms.Form):
    """The territory of a dossier, one clear choice: the whole EPCI, the EPCI minus some of its communes, or a
    list of communes. Shared by the creation and the correction of the territory; an ambiguous submission (a
    field of another choice filled in) is refused, never silently dropped."""

    WHOLE_EPCI = "epci"
    EPCI_EXCEPT = "epci_except"
    COMMUNES = "communes"
    # Kept for the callers of the former two choices.
    TERRITORY_EPCI = WHOLE_EPCI
    TERRITORY_COMMUNES = COMMUNES

    territory_type = forms.ChoiceField(
        label="Territoire de la convention",
        choices=[
            (WHOLE_EPCI, "Tout l'EPCI"),
            (EPCI_EXCEPT, "L'EPCI sauf certaines communes"),
            (COMMUNES, "Une liste de communes"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez le territoire : tout l'EPCI, l'EPCI sauf certaines communes ou "
            "une liste de communes."
        },
    )
    epci = forms.ModelChoiceField(
        label="Intercommunalité (EPCI)",
        queryset=Epci.objects.none(),
        required=False,
        empty_label="— Choisir —",
        help_text="Pour « Tout l'EPCI » et « L'EPCI sauf certaines communes ».",
    )
    excluded_codes = forms.CharField(
        label="Communes membres à exclure",
        required=False,
        help_text=(
            "Pour « L'EPCI sauf certaines communes » : noms ou codes Insee des communes de l'EPCI qui ne "
            "font pas partie de la convention, séparés par des virgules ; par exemple : Limoges."
        ),
    )
    commune_codes = forms.CharField(
        label="Codes Insee des communes",
        required=False,
        help_text=(
            "Pour « Une liste de communes » : séparés par des virgules ou des espaces, par exemple : "
            "81004, 81065."
        ),
    )

    TERRITORY_FIELDS = ["territory_type", "epci", "excluded_codes", "commune_codes"]

    def _territory_querysets(self, cafs) -> None:
        departements = {c.departement_id for c in cafs if c.departement_id}
        epcis = Epci.objects.filter(is_active=True)
        if len(departements) == 1:
            epcis = epcis.filter(communes__departement_id__in=departements).distinct()
        self.fields["epci"].queryset = epcis.order_by("name")

    def clean_territory(self, data: dict) -> None:
        """Sets `epci`, `communes` and `excluded_communes` in `data` (the service's arguments), or adds the
        errors that make the choice clear."""
        kind = data.get("territory_type")
        epci = data.get("epci")
        excluded_text = (data.get("excluded_codes") or "").strip()
        codes_text = (data.get("commune_codes") or "").strip()
        data["communes"], data["excluded_communes"] = None, None
        if kind == self.WHOLE_EPCI:
            if not epci and "epci" not in self.errors:
                self.add_error("epci", "Choisissez une intercommunalité.")
            if excluded_text:
                self.add_error(
                    "excluded_codes",
                    "Vous avez choisi « Tout l'EPCI » : pour exclure des communes, choisissez « L'EPCI sauf "
                    "certaines communes ».",
                )
            if codes_text:
                self.add_error(
                    "commune_codes",
                    "Vous avez choisi « Tout l'EPCI » et saisi une liste de communes : choisissez « L'EPCI "
                    "sauf certaines communes » ou « Une liste de communes », ou videz ce champ.",
                )
        elif kind == self.EPCI_EXCEPT:
            if not epci and "epci" not in self.errors:
                self.add_error("epci", "Choisissez l'intercommunalité dont des communes sont exclues.")
            if codes_text:
                self.add_error(
                    "commune_codes",
                    "Vous avez choisi « L'EPCI sauf certaines communes » : indiquez les communes à exclure, "
                    "pas une liste de communes, ou videz ce champ.",
                )
            if not excluded_text:
                self.add_error(
                    "excluded_codes",
                    "Indiquez au moins une commune à exclure, ou choisissez « Tout l'EPCI ».",
                )
            elif epci:
                data["excluded_communes"] = self._excluded(epci, excluded_text)
        elif kind == self.COMMUNES:
            if epci:
                self.add_error(
                    "epci",
                    "Vous avez choisi « Une liste de communes » et une intercommunalité : choisissez « Tout "
                    "l'EPCI » ou « L'EPCI sauf certaines communes », ou retirez l'intercommunalité.",
                )
            if excluded_text:
                self.add_error(
                    "excluded_codes",
                    "Des communes ne s'excluent que d'un EPCI : videz ce champ pour une liste de communes.",
                )
            data["epci"] = None
            data["communes"] = self._communes(codes_text)

    def _communes(self, text: str):
        codes = [c for c in re.split(r"[\s,;]+", text) if c]
        if not codes:
            self.add_error("commune_codes", "Indiquez au moins un code Insee de commune.")
            return None
        invalid = [c for c in codes if not INSEE_CODE.fullmatch(c)]
        if invalid:
            self.add_error("commune_codes", f"Code Insee mal formé : {', '.join(invalid)}.")
            return None
        codes = [c.upper() for c in codes]
        found = {c.code: c for c in Commune.objects.filter(code__in=codes, is_active=True)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            self.add_error("commune_codes", f"Commune inconnue dans le référentiel : {', '.join(unknown)}.")
            return None
        return [found[c] for c in dict.fromkeys(codes)]

    def _excluded(self, epci, text: str):
        """The communes to exclude, by Insee code or by name among the EPCI's members."""
        members = list(epci.communes.filter(is_active=True))
        by_name: dict[str, list] = {}
        for commune in members:
            by_name.setdefault(_normalised(commune.name), []).append(commune)
        result, errors = [], []
        for piece in (p.strip() for p in re.split(r"[,;\n]+", text)):
            if not piece:
                continue
            words = piece.split()
            if all(INSEE_CODE.fullmatch(w) for w in words):
                codes = [w.upper() for w in words]
                found = {c.code: c for c in Commune.objects.filter(code__in=codes)}
                errors += [f"code Insee inconnu : {c}" for c in codes if c not in found]
                result += [found[c] for c in codes if c in found]
                continue
            matches = by_name.get(_normalised(piece), [])
            if len(matches) == 1:
                result.append(matches[0])
            else:
                errors.append(f"« {piece} » n'est pas une commune membre {french.epci_of(epci.name)}")
        if errors:
            self.add_error("excluded_codes", _sentence(errors))
            return None
        return list(dict.fromkeys(result))


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


class CtgCreateForm(DsfrForm, PeriodFieldsMixin, TerritoryFieldsMixin):
    title = forms.CharField(
        label="Intitulé", max_length=250, help_text="Par exemple : CTG de la CC du Pays de …"
    )
    caf = forms.ModelChoiceField(label="CAF", queryset=Organisation.objects.none(), empty_label=None)

    field_order = [
        "title",
        "caf",
        *TerritoryFieldsMixin.TERRITORY_FIELDS,
        "start_year",
        "end_year",
        "fields",
    ]

    def __init__(self, *args, cafs, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caf"].queryset = cafs
        self._territory_querysets(cafs)
        if not self.is_bound:
            year = timezone.localdate().year + 1
            self.initial.setdefault("start_year", year)
            self.initial.setdefault("end_year", year + DEFAULT_DURATION_YEARS - 1)
            # A collectivity usually opens the dossier of its own territory.
            if organisation is not None and organisation.epci_id:
                self.initial["territory_type"] = self.WHOLE_EPCI
                self.initial["epci"] = organisation.epci_id
            elif organisation is not None and organisation.commune_id:
                self.initial["territory_type"] = self.COMMUNES
                self.initial["commune_codes"] = organisation.commune_id

    def clean(self):
        data = super().clean()
        self.clean_territory(data)
        return data


class CtgTerritoryForm(DsfrForm, TerritoryFieldsMixin):
    """The correction of a dossier's territory (before signature): the same choice as at its creation."""

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        self._territory_querysets([ctg.caf])
        if ctg.epci_id and ctg.epci_id not in set(self.fields["epci"].queryset.values_list("pk", flat=True)):
            self.fields["epci"].queryset = Epci.objects.filter(
                Q(pk__in=self.fields["epci"].queryset.values("pk")) | Q(pk=ctg.epci_id)
            ).order_by("name")
        if not self.is_bound:
            excluded = list(ctg.excluded_communes.order_by("name"))
            if ctg.epci_id:
                self.initial["territory_type"] = self.EPCI_EXCEPT if excluded else self.WHOLE_EPCI
                self.initial["epci"] = ctg.epci_id
                self.initial["excluded_codes"] = ", ".join(c.name for c in excluded)
            else:
                self.initial["territory_type"] = self.COMMUNES
                self.initial["commune_codes"] = ", ".join(c.code for c in ctg.communes.order_by("code"))

    def clean(self):
        data = super().clean()
        self.clean_territory(data)
        return data

    def values(self) -> dict:
        """The service's arguments (`ctg_territory_update`)."""
        data = self.cleaned_data
        return {
            "epci": data.get("epci"),
            "communes": data.get("communes"),
            "excluded_communes": data.get("excluded_communes"),
        }


class CtgEditForm(DsfrForm, PeriodFieldsMixin):
    title = forms.CharField(label="Intitulé", max_length=250)
    agreement = forms.ChoiceField(
        label="Convention initiale",
        choices=Agreement.choices,
        widget=forms.RadioSelect,
        help_text="Un accord-cadre engage les parties ; le plan d'action s'y ajoute ensuite par avenant. "
        "Se choisit avant la première signature.",
        required=False,
    )
    field_order = ["title", "agreement", "start_year", "end_year", "fields"]

    def clean(self):
        data = super().clean()
        if not data.get("agreement"):
            data.pop("agreement", None)  # not sent: unchanged
        return data


class StatusForm(forms.Form):
    to = forms.CharField(max_length=20)


class InviteForm(DsfrForm):
    email = forms.EmailField(label="Adresse électronique")
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    organisation = OrganisationChoiceField(label="Organisation", required=False, empty_label="— Aucune —")
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
        offer_organisations(self.fields["organisation"], ctg)
        self.fields["role"].choices = [
            (v, label) for v, label in Role.choices if v in ROLES_GRANTABLE_BY.get(actor_role, ())
        ]


class SignatoryForm(DsfrForm):
    organisation = OrganisationChoiceField(
        label="Organisation signataire",
        help_text="Organisations du territoire, de son département et nationales, par type ; les communes du "
        "territoire signent directement.",
    )
    signer_name = forms.CharField(label="Nom du signataire", max_length=200)
    signer_capacity = forms.CharField(
        label="Qualité", max_length=200, help_text="Par exemple : Président, Directrice."
    )

    def __init__(self, *args, ctg, **kwargs):
        # Its own ids: the partner form shares the page and the field names.
        kwargs.setdefault("auto_id", "id_signataire_%s")
        super().__init__(*args, **kwargs)
        signing = ctg.signatories.values_list("organisation_id", flat=True)
        offer_organisations(self.fields["organisation"], ctg, exclude=signing, communes=True)


class PartnerForm(DsfrForm):
    organisation = OrganisationChoiceField(label="Organisation existante", required=False)
    new_name = forms.CharField(label="Ou nouvelle organisation : nom", max_length=250, required=False)
    new_kind = forms.ChoiceField(
        label="Type de la nouvelle organisation",
        choices=[("", "— Choisir —")] + [c for c in Organisation.Kind.choices if c[0] in NEW_PARTNER_KINDS],
        required=False,
    )
    role = forms.CharField(
        label="Rôle dans la CTG",
        max_length=PARTNER_ROLE_MAX,
        required=False,
        help_text="Par exemple : porte le Relais petite enfance, réalise le diagnostic.",
    )

    def __init__(self, *args, ctg, **kwargs):
        kwargs.setdefault("auto_id", "id_partenaire_%s")
        super().__init__(*args, **kwargs)
        partners = ctg.partners.values_list("pk", flat=True)
        offer_organisations(self.fields["organisation"], ctg, exclude=partners, communes=True)

    def clean(self):
        data = super().clean()
        if data.get("organisation") and data.get("new_name"):
            raise forms.ValidationError(
                "Choisissez une organisation existante ou créez-en une, pas les deux."
            )
        if not data.get("organisation") and "organisation" not in self.errors:
            if not data.get("new_name"):
                raise forms.ValidationError(
                    "Choisissez une organisation existante ou indiquez le nom d'une nouvelle."
                )
            if not data.get("new_kind"):
                self.add_error("new_kind", "Choisissez le type de la nouvelle organisation.")
        return data


class PartnerRoleForm(DsfrForm):
    role = forms.CharField(
        label="Rôle dans la CTG",
        max_length=PARTNER_ROLE_MAX,
        required=False,
        help_text="Par exemple : porte le Relais petite enfance, réalise le diagnostic.",
    )


class SignaturesForm(DsfrForm):
    """One signature date for several parties (they signed on the same day)."""

    prefix = "signatures"
    signatories = forms.ModelMultipleChoiceField(
        label="Parties qui ont signé ce jour-là",
        queryset=Signatory.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Cochez au moins une partie signataire.",
            "invalid_choice": "Ces parties ne sont pas toutes signataires de ce dossier.",
        },
    )
    signed_on = forms.DateField(
        label="Date de signature", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, ctg, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["signatories"]
        field.queryset = ctg.signatories.select_related("organisation")
        field.label_from_instance = lambda s: f"{s.organisation.name} ({s.signer_name}, {s.signer_capacity})"


MONTHS = (
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
)
# The usual French abbreviations (« oct. 2023 »), read with or without their dot, accents ignored.
MONTH_ABBREVIATIONS = {
    "janv": 1,
    "fevr": 2,
    "fev": 2,
    "avr": 4,
    "juil": 7,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH_FORMATS = "« 10/2023 », « 10-2023 », « 2023-10 », « octobre 2023 » ou « oct. 2023 »"
MONTH_HELP = f"Le mois et l'année, écrits {MONTH_FORMATS}."
MONTH_ERROR = f"Mois non reconnu : écrivez le mois et l'année, par exemple {MONTH_FORMATS}."
MONTH_YEARS = (2000, 2100)


def _month_number(word: str) -> int | None:
    if word in MONTHS:
        return MONTHS.index(word) + 1
    return MONTH_ABBREVIATIONS.get(word.removesuffix("."))


def parse_month(text: str):
    """The first day of the month written « 10/2023 », « 10-2023 », « 2023-10 », « octobre 2023 » or « oct.
    2023 » (case and accents ignored); ValueError with a French message for anything else (a day, a month
    13, a year out of 2000-2100)."""
    text = unicodedata.normalize("NFD", (text or "").strip().casefold())
    text = " ".join("".join(c for c in text if not unicodedata.combining(c)).split())
    month = None
    if match := re.fullmatch(r"(\d{4})\s*-\s*(\d{1,2})", text):
        year, month = int(match.group(1)), int(match.group(2))
    elif match := re.fullmatch(r"(\d{1,2})\s*[/-]\s*(\d{4})", text):
        month, year = int(match.group(1)), int(match.group(2))
    elif match := re.fullmatch(r"([a-z]+\.?)\s*(\d{4})", text):
        month, year = _month_number(match.group(1)), int(match.group(2))
    if month is None or not 1 <= month <= 12:
        raise ValueError(MONTH_ERROR)
    if not MONTH_YEARS[0] <= year <= MONTH_YEARS[1]:
        raise ValueError(
            f"Année {year} hors limites : indiquez un mois des années {MONTH_YEARS[0]} à {MONTH_YEARS[1]}, "
            "par exemple « 10/2023 »."
        )
    return datetime.date(year, month, 1)


class MonthField(forms.CharField):
    """A month without its day (« octobre 2023 »), typed as text: every browser keeps what was typed (an
    `<input type="month">` drops a typed « octobre 2023 » in Chromium), and a refused value is shown again
    as it was typed. Cleans to the first day of the month; a saved month is shown « 10/2023 »."""

    widget = forms.TextInput(
        attrs={"type": "text", "inputmode": "text", "autocomplete": "off", "placeholder": "MM/AAAA"}
    )

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from error

    def prepare_value(self, value):
        if hasattr(value, "year") and hasattr(value, "month"):
            return f"{value.month:02d}/{value.year:04d}"
        return value


def date_or_month(form, data: dict, *, date_field: str, month_field: str) -> dict:
    """Exactly one of the day (`date_field`) or the month alone (`month_field`): the cleaned data then carries
    the date and its `date_precision`; both or neither is refused (nothing is guessed)."""
    day, month = data.get(date_field), data.pop(month_field, None)
    if date_field in form.errors or month_field in form.errors:
        return data
    if day and month:
        form.add_error(
            month_field,
            "Indiquez soit la date exacte, soit le mois seul (quand le jour n'est pas connu), pas les deux.",
        )
    elif not day and not month:
        form.add_error(date_field, "Indiquez la date ou, si le jour n'est pas connu, le mois.")
    elif month:
        data[date_field], data["date_precision"] = month, DatePrecision.MONTH
    else:
        data["date_precision"] = DatePrecision.DAY
    return data


class MilestoneForm(DsfrForm):
    kind = forms.ChoiceField(label="Type", choices=Milestone.Kind.choices)
    title = forms.CharField(label="Intitulé", max_length=250)
    date = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    month = MonthField(
        label="Ou, si le jour n'est pas connu, le mois",
        required=False,
        help_text=f"{MONTH_HELP} Le jalon s'affichera « octobre 2023 ».",
    )
    done = forms.BooleanField(label="Réalisé", required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @staticmethod
    def initial_for(milestone: Milestone) -> dict:
        initial = {f: getattr(milestone, f) for f in ("kind", "title", "done", "notes")}
        if milestone.date_precision == DatePrecision.MONTH:
            initial["month"] = milestone.date
        else:
            initial["date"] = milestone.date
        return initial

    def clean(self):
        return date_or_month(self, super().clean(), date_field="date", month_field="month")


class AvenantForm(DsfrForm):
    title = forms.CharField(
        label="Objet de l'avenant", max_length=250, help_text="Par exemple : Ajout du plan d'action."
    )
    signed_on = forms.DateField(
        label="Signé le",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Laissez vide tant que l'avenant n'est pas signé par toutes les parties.",
    )
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

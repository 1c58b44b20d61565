"""What the API reads and writes (pydantic schemas of django-ninja). Every text a person typed goes out as a
JSON string, as typed; codes (phases, statuses, funders) are the identifiers of the application, with their
French label beside them."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

MAX_ID = 2_147_483_647  # ids past a 32-bit integer are refused (422) before reaching the database
MAX_AMOUNT = Decimal("9999999999.99")  # what a budget column holds (12 digits, 2 decimals)
MAX_VALUE = Decimal("999999999999.9999")  # what an indicator value column holds (16 digits, 4 decimals)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
InseeCode = Annotated[str, Field(min_length=5, max_length=5)]
FieldCode = Annotated[str, Field(max_length=40)]


# --- errors -------------------------------------------------------------------------------------------------
class Error(Schema):
    detail: str


class FieldError(Schema):
    field: str
    message: str


class Invalid(Schema):
    detail: str
    errors: list[FieldError]


class Refusal(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


# --- public -------------------------------------------------------------------------------------------------
class TerritoryOut(Schema):
    kind: str = Field(description="commune, epci ou departement")
    code: str
    name: str
    detail: str
    population: int | None


class PortraitTerritory(Schema):
    code: str
    kind: str
    name: str
    population: int
    communes: int


class FigureOut(Schema):
    indicator: str
    label: str
    theme: str
    unit: str
    value: float | None = Field(
        description="Absente (null) quand le chiffre est secret ou non disponible : jamais 0 à sa place."
    )
    status: str = Field(description="ok, partiel, secret ou non_disponible")
    coverage: float | None = Field(description="Part de la population couverte par les communes renseignées")
    year: int | None
    note: str
    source: str


class PortraitOut(Schema):
    territory: PortraitTerritory
    figures: list[FigureOut]
    fictitious_datasets: list[str]


# --- dossiers -----------------------------------------------------------------------------------------------
class OrganisationOut(Schema):
    id: int
    name: str
    kind: str


class DossierOut(Schema):
    id: int
    title: str
    caf: str
    epci: str | None
    start_year: int
    end_year: int
    phase: str
    phase_label: str
    fields: list[str]
    is_fictitious: bool


class DossierDetail(DossierOut):
    communes: list[str] = Field(description="Codes Insee des communes du territoire")
    is_signed: bool
    role: str = Field(description="Votre rôle dans le dossier")


class SignatoryOut(Schema):
    id: int
    organisation: OrganisationOut
    signer_name: str
    signer_capacity: str
    signed_on: datetime.date | None


class PartnerOut(Schema):
    id: int
    organisation: OrganisationOut
    role: str


class MemberOut(Schema):
    id: int
    name: str
    organisation: str
    role: str
    role_label: str
    communes: list[str]


class PartiesOut(Schema):
    signatories: list[SignatoryOut]
    partners: list[PartnerOut]
    members: list[MemberOut]


class MilestoneOut(Schema):
    id: int
    kind: str
    title: str
    date: datetime.date
    date_precision: str
    done: bool
    notes: str


# --- plan ---------------------------------------------------------------------------------------------------
class OperationalOut(Schema):
    id: int
    number: str
    title: str
    description: str
    fiches: list[int]


class StrategicOut(Schema):
    id: int
    number: str
    title: str
    description: str
    operational: list[OperationalOut]


class EnjeuOut(Schema):
    id: int
    number: str
    title: str
    description: str
    fields: list[str]
    objectives: list[StrategicOut]


class NodeOut(Schema):
    id: int
    title: str
    description: str


class EnjeuNodeOut(NodeOut):
    fields: list[str]


class FicheSummary(Schema):
    id: int
    number: str
    title: str
    status: str
    priority: str
    version: int
    objectives: list[int]


class BudgetLineOut(Schema):
    id: int
    year: int
    funder: str
    planned: Decimal
    spent: Decimal


class IndicatorValueOut(Schema):
    year: int
    kind: str
    value: Decimal
    origin: str
    source: str


class IndicatorOut(Schema):
    id: int
    label: str
    unit: str
    direction: str
    nature: str
    baseline_value: Decimal | None
    baseline_year: int | None
    portrait_indicator: str
    values: list[IndicatorValueOut]


class FicheOut(FicheSummary):
    fields: list[str]
    context: str
    description: str
    target_public: str
    all_communes: bool
    communes: list[str]
    pilot_organisation: OrganisationOut | None
    pilot_person: str
    partners: list[OrganisationOut]
    start_date: datetime.date | None
    end_date: datetime.date | None
    notes: str
    budget: list[BudgetLineOut]
    indicators: list[IndicatorOut]


# --- writes on the plan -------------------------------------------------------------------------------------
class EnjeuIn(Schema):
    title: str = Field(max_length=300)
    description: str = ""
    fields: list[FieldCode] = []


class EnjeuPatch(Schema):
    title: str | None = Field(None, max_length=300)
    description: str | None = None
    fields: list[FieldCode] | None = None


class ObjectiveIn(Schema):
    title: str = Field(max_length=300)
    description: str = ""


class ObjectivePatch(Schema):
    title: str | None = Field(None, max_length=300)
    description: str | None = None


class FicheIn(Schema):
    title: str = Field(max_length=300)
    objectives: list[Id] = Field(description="Ids des objectifs opérationnels du dossier")
    fields: list[FieldCode] = []
    context: str = ""
    description: str = ""
    target_public: str = ""
    all_communes: bool = True
    communes: list[InseeCode] = Field([], description="Codes Insee")
    pilot_organisation: Id | None = Field(
        None, description="Id d'une organisation que le dossier peut nommer"
    )
    pilot_person: str = ""
    partners: list[Id] = Field([], description="Ids d'organisations que le dossier peut nommer")
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    status: str = "a_venir"
    priority: str = "moyenne"
    notes: str = ""


class FichePatch(Schema):
    version: int = Field(
        ge=1, le=MAX_ID, description="La version de la fiche lue (verrou optimiste) : 409 si elle a changé"
    )
    title: str | None = Field(None, max_length=300)
    objectives: list[Id] | None = None
    fields: list[FieldCode] | None = None
    context: str | None = None
    description: str | None = None
    target_public: str | None = None
    all_communes: bool | None = None
    communes: list[InseeCode] | None = None
    pilot_organisation: Id | None = None
    pilot_person: str | None = None
    partners: list[Id] | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    status: str | None = None
    priority: str | None = None
    notes: str | None = None


class BudgetIn(Schema):
    year: int = Field(ge=1900, le=2200)
    funder: str
    planned: Decimal = Field(max_digits=12, decimal_places=2)
    spent: Decimal = Field(Decimal(0), max_digits=12, decimal_places=2)


class IndicatorValueIn(Schema):
    year: int = Field(ge=1900, le=2200)
    kind: str = Field(description="target (cible) ou realised (réalisé)")
    value: Decimal | None = Field(
        description="Vide (null) pour retirer la valeur saisie", max_digits=16, decimal_places=4
    )


# --- governance and offer -----------------------------------------------------------------------------------
class DecisionOut(Schema):
    id: int
    text: str
    kind: str
    fiche: int | None
    applied_at: datetime.datetime | None


class MeetingOut(Schema):
    id: int
    body: str
    body_kind: str
    title: str
    starts_at: datetime.datetime | None
    date_precision: str
    ends_at: datetime.datetime | None
    place: str
    status: str
    agenda: str
    minutes: str
    decisions: list[DecisionOut]


class StructureOut(Schema):
    id: int
    type: str
    name: str
    commune: str | None
    address: str
    postcode: str
    public: str
    ages: str
    capacity: int | None
    opening_hours: str
    status: str
    source: str

    @staticmethod
    def resolve_commune(structure) -> str | None:
        return structure.commune.code if structure.commune_id else None

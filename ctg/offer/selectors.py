"""Reading the inventory of the offer of services (issue 12, « voir l'offre »): the structures of a territory,
filtered, for the dossier's pages, their exports and `ctg offer_list`.

The inventory is shared by territory: a dossier sees the structures whose commune is one of its territory's
communes (`ctg.diagnostics.portrait.territory_of_ctg`), whoever entered or imported them. A structure
absent from the last list of its source (`missing_from_source`) is shown with that fact, never hidden.
"""

import re
from dataclasses import dataclass

from django.db.models import QuerySet

from ctg.conventions.models import Field
from ctg.diagnostics.portrait import Territory, resolve_territory, territory_of_ctg
from ctg.offer import funding, opening_hours, typology
from ctg.offer.models import Structure

__all__ = [
    "FILTERS",
    "OfferFilters",
    "filter_choices",
    "filter_structures",
    "hours_text",
    "read_filters",
    "source_label",
    "structure_in_territory",
    "structure_rows",
    "structures_of_code",
    "structures_of_ctg",
    "structures_of_territory",
]

# The filters of the list, in the order of the form: (GET parameter, label).
FILTERS = (
    ("champ", "Champ d'intervention"),
    ("type", "Type de structure"),
    ("commune", "Commune"),
    ("public", "Public"),
    ("statut", "Statut"),
    ("financement", "Financement de la CAF"),
)
FEMININE_FILTERS = {"commune"}

DAY_SHORT = dict(
    zip(opening_hours.DAYS, ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."), strict=True)
)


@dataclass(frozen=True)
class OfferFilters:
    """Values of the filters (empty: no filter); `field` is a `Field` value, `type` a typology code."""

    field: str = ""
    type: str = ""
    commune: str = ""
    public: str = ""
    status: str = ""
    funding: str = ""  # a code of `ctg.offer.funding`

    @property
    def active(self) -> dict[str, str]:
        """The filters in force, by GET parameter (for the links and the export URLs)."""
        values = {
            "champ": self.field,
            "type": self.type,
            "commune": self.commune,
            "public": self.public,
            "statut": self.status,
            "financement": self.funding,
        }
        return {name: value for name, value in values.items() if value}


def structures_of_territory(territory: Territory) -> QuerySet[Structure]:
    """Every structure whose commune is in `territory` (any status, absent from its source or not)."""
    structures = Structure.objects.select_related("commune")
    if territory.kind == "departement":
        return structures.filter(commune__departement_id=territory.code)
    if territory.kind == "epci":
        return structures.filter(commune__epci_id=territory.code)
    return structures.filter(commune_id__in=territory.communes)


def structures_of_code(code: str) -> tuple[Territory, QuerySet[Structure]]:
    """The territory of a commune code (a former one too), an EPCI SIREN or a département code, and its
    structures; raises `ctg.diagnostics.portrait.TerritoryNotFound` for an unknown code."""
    territory = resolve_territory(code)
    return territory, structures_of_territory(territory)


def structures_of_ctg(ctg) -> tuple[Territory, QuerySet[Structure]]:
    """The dossier's territory and the structures of its communes."""
    territory = territory_of_ctg(ctg)
    return territory, structures_of_territory(territory)


def structure_in_territory(territory: Territory, pk) -> Structure | None:
    """The structure `pk` when its commune is in `territory`, else None (a structure of another territory is
    not found from this one)."""
    return structures_of_territory(territory).select_related("manager").filter(pk=pk).first()


def filter_structures(structures: QuerySet[Structure], filters: OfferFilters) -> QuerySet[Structure]:
    if filters.field:
        structures = structures.filter(type__in=[item.code for item in typology.of_field(filters.field)])
    if filters.type:
        structures = structures.filter(type=filters.type)
    if filters.commune:
        structures = structures.filter(commune_id=filters.commune)
    if filters.public:
        structures = structures.filter(public=filters.public)
    if filters.status:
        structures = structures.filter(status=filters.status)
    if filters.funding:
        # The codes are stored as a JSON list: the quoted code in its text (works alike on SQLite and
        # PostgreSQL, whose JSON `contains` SQLite lacks; no code is part of another once quoted).
        structures = structures.filter(caf_funding__icontains=f'"{filters.funding}"')
    return structures


def filter_choices(territory: Territory, structures: QuerySet[Structure]) -> dict[str, list[tuple[str, str]]]:
    """The options of each filter: every field that has a type, every type, the territory's communes, the
    publics the territory's structures name, the statuses."""
    fields = {item.field for item in typology.TYPES}
    publics = sorted(set(structures.exclude(public="").values_list("public", flat=True)))
    communes = sorted(territory.commune_names.items(), key=lambda item: (item[1], item[0]))
    return {
        "champ": [(value, label) for value, label in Field.choices if value in fields],
        "type": typology.choices(),
        "commune": [(code, f"{name} ({code})") for code, name in communes],
        "public": [(public, public) for public in publics],
        "statut": list(Structure.Status.choices),
        "financement": funding.choices(),
    }


def read_filters(params, choices: dict[str, list[tuple[str, str]]]) -> OfferFilters:
    """The filters of a request's GET parameters; a value that is not one of the options is ignored."""
    values = {}
    for name, options in choices.items():
        value = params.get(name, "")
        values[name] = value if value in {option for option, _label in options} else ""
    return OfferFilters(
        field=values["champ"],
        type=values["type"],
        commune=values["commune"],
        public=values["public"],
        status=values["statut"],
        funding=values["financement"],
    )


# The source of the demo's fictitious inventory (ctg.demo.offer).
DEMO_SOURCE = "demo"


def source_label(source: str) -> str:
    """The name of a source as people know it (« liste des France Services de l'ANCT »), else its code."""
    from ctg.offer.importers import SOURCES

    if source == DEMO_SOURCE:
        return "structures fictives de la démonstration"
    layout = SOURCES.get(source)
    return layout.label if layout is not None else source


def hours_text(text: str) -> str:
    """An `opening_hours` text in short French (« lun.-ven. 09:00-12:00, 13:30-17:00 ; sam. 09:00-12:00 »);
    a text the parser does not read is given as stored."""
    if not text:
        return ""
    try:
        rules = opening_hours.format_week(opening_hours.parse(text))
    except opening_hours.OpeningHoursError:
        return text
    if not rules:
        return "fermé"
    rules = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b", lambda match: DAY_SHORT[match.group(1)], rules)
    return rules.replace(";", " ;").replace(",", ", ")


def hours_by_day(text: str) -> list[tuple[str, str]]:
    """[(« lundi », « 09:00-12:00, 13:30-17:00 »)…] for every day of the week (« fermé » when closed);
    [] when the hours are unknown or not readable."""
    if not text:
        return []
    try:
        week = opening_hours.parse(text)
    except opening_hours.OpeningHoursError:
        return []
    return [
        (
            opening_hours.DAY_LABELS[day],
            ", ".join(f"{start}-{end}" for start, end in week.get(day) or []) or "fermé",
        )
        for day in opening_hours.DAYS
    ]


def structure_rows(structures) -> list[dict]:
    """One dict per structure, the columns of the exports and of `ctg offer_list --json` (text and dates as
    ISO strings)."""
    rows = []
    for structure in structures:
        info = structure.type_info
        rows.append(
            {
                "id": structure.pk,
                "type": structure.type,
                "type_label": info.label,
                "field": str(info.field.value),
                "field_label": str(info.field.label),
                "name": structure.name,
                "commune_code": structure.commune_id,
                "commune_name": structure.commune.name,
                "address": structure.address,
                "postcode": structure.postcode,
                "public": structure.public,
                "opening_hours": structure.opening_hours,
                "status": structure.status,
                "status_label": structure.get_status_display(),
                "missing_from_source": structure.missing_from_source,
                "missing_since": structure.missing_since.isoformat() if structure.missing_since else None,
                "source": structure.source,
                "source_id": structure.source_id,
                "last_update": structure.last_update.isoformat() if structure.last_update else None,
                "is_fictitious": structure.is_fictitious,
                "caf_funding": list(structure.caf_funding or []),
                "caf_funding_labels": " ; ".join(funding.labels(structure.caf_funding)),
                "accessibility": structure.accessibility,
                "accessibility_label": structure.get_accessibility_display(),
                "accessibility_url": structure.accessibility_url,
            }
        )
    return rows

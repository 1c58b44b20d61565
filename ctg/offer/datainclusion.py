"""Export of the inventory back to the data·inclusion structure format (issue 12, « voir l'offre »).

Each record is built for, and validated with, the `Structure` model of the `data-inclusion-schema` package
(`data_inclusion.schema.v1.Structure`, version pinned in requirements.txt): its field names are the model's
(`FIELDS`), and a record the model refuses is left out of the export and counted, with its reasons in French
(`export`). Version 1 of the schema has no `typologie` any more: a structure says the networks that carry it
(`reseaux_porteurs`, enum `ReseauPorteur`). Only the structures whose type has such a network
(`ctg.offer.typology`, `data_inclusion`) are exported: data·inclusion has none for EAJE, RPE, LAEP, ALSH, PMI,
schools nor libraries.
"""

from dataclasses import dataclass, field

from data_inclusion.schema.v1 import Structure as DataInclusionStructure
from django.utils import timezone
from pydantic import ValidationError

from ctg.offer import typology

# The fields of the package's model, in its order.
FIELDS: tuple[str, ...] = tuple(DataInclusionStructure.model_fields)

# French names of the fields and of pydantic's error types, for the reasons of a record left out.
_LABELS = {
    "nom": "nom",
    "date_maj": "date de mise à jour",
    "code_postal": "code postal",
    "code_insee": "code commune",
    "courriel": "courriel",
    "site_web": "site internet",
    "telephone": "téléphone",
    "horaires_accueil": "horaires d'ouverture",
    "accessibilite_lieu": "fiche d'accessibilité",
    "source": "source",
}
_ERRORS = {
    "missing": "manquant",
    "string_too_short": "trop court",
    "string_too_long": "trop long",
    "string_pattern_mismatch": "format non reconnu",
    "url_parsing": "adresse web non reconnue",
    "url_scheme": "adresse web non reconnue",
    "url_type": "adresse web non reconnue",
    "value_error": "valeur refusée",
    "date_from_datetime_inexact": "date non reconnue",
    "date_parsing": "date non reconnue",
    "date_type": "date non reconnue",
    "float_parsing": "nombre non reconnu",
    "enum": "valeur hors de la liste data·inclusion",
}


@dataclass
class LeftOut:
    """A structure whose record the data·inclusion model refuses."""

    pk: int
    name: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class Export:
    records: list[dict]
    left_out: list[LeftOut]


def mappable_types() -> list[str]:
    """Our type codes that data·inclusion knows (a type with at least one `ReseauPorteur` code)."""
    return [item.code for item in typology.TYPES if item.data_inclusion]


def record(structure) -> dict:
    """One data·inclusion structure record, keyed by `FIELDS`.

    `date_maj` is the date of the source's last update, else the day (in France) the inventory last changed
    the structure (the inventory is then the producer). `reseaux_porteurs` are the type's data·inclusion
    codes."""
    info = structure.type_info
    changed = timezone.localdate(structure.updated_at) if structure.updated_at else None
    date_maj = structure.last_update or changed
    values = {
        "source": structure.source,
        "id": f"ctg-{structure.pk}",
        "nom": structure.name,
        "date_maj": date_maj.isoformat() if date_maj else None,
        "description": None,
        "lien_source": None,
        "siret": None,
        "commune": structure.commune.name,
        "code_postal": structure.postcode or None,
        "code_insee": structure.commune_id,
        "adresse": structure.address or None,
        "complement_adresse": structure.address_complement or None,
        "longitude": structure.longitude,
        "latitude": structure.latitude,
        "telephone": structure.phone or None,
        "courriel": structure.email or None,
        "site_web": structure.website or None,
        "horaires_accueil": structure.opening_hours or None,
        # The link to the place's accessibility page (acceslibre), as the schema describes the field.
        "accessibilite_lieu": structure.accessibility_url or None,
        "reseaux_porteurs": sorted(info.data_inclusion) or None,
    }
    return {key: values[key] for key in FIELDS}


def problems(values: dict) -> list[str]:
    """Why the package's model refuses a record, in French; empty when it validates."""
    try:
        DataInclusionStructure.model_validate(values)
    except ValidationError as error:
        reasons = []
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else ""
            label = _LABELS.get(name, name.replace("_", " "))
            if item["type"] == "value_error" and name == "date_maj":
                # The package's own message, in French (« … ne peut pas être dans le futur. »).
                reason = str(item.get("ctx", {}).get("error", "")).rstrip(".") or "valeur refusée"
            else:
                reason = _ERRORS.get(item["type"], "valeur refusée")
            reasons.append(f"{label} : {reason}")
        return reasons
    return []


def export(structures) -> Export:
    """The records of the structures of a mappable type, in the order given (others left out, not counted);
    a structure whose record the data·inclusion model refuses, or a fictitious one, is left out and listed
    with its reasons."""
    records, left_out = [], []
    for structure in structures.filter(type__in=mappable_types()).select_related("commune"):
        if structure.is_fictitious:
            # A demonstration structure is not published as if it existed.
            left_out.append(LeftOut(structure.pk, structure.name, ["structure fictive de démonstration"]))
            continue
        values = record(structure)
        reasons = problems(values)
        if reasons:
            left_out.append(LeftOut(structure.pk, structure.name, reasons))
        else:
            records.append(values)
    return Export(records, left_out)


def records(structures) -> list[dict]:
    """The records that validate (see `export`)."""
    return export(structures).records

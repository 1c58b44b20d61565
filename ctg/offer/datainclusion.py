"""Export of the inventory back to the data·inclusion structure format (issue 12, « voir l'offre »).

Only the structures whose type has a data·inclusion typology code (`ctg.offer.typology`, `data_inclusion`) are
exported: data·inclusion has no EAJE, RPE, LAEP, ALSH, PMI nor school. The field names are those of the
data·inclusion structure schema (gip-inclusion/data-inclusion-schema: id, nom, commune, code_postal,
code_insee, adresse, complement_adresse, longitude, latitude, typologie, telephone, courriel, site_web,
source, date_maj, antenne, lien_source, horaires_ouverture). The `data-inclusion-schema` package is not
installed in the project: the records are not validated with it.
"""

from ctg.offer import typology

FIELDS = (
    "id",
    "siret",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "longitude",
    "latitude",
    "typologie",
    "telephone",
    "courriel",
    "site_web",
    "source",
    "date_maj",
    "antenne",
    "lien_source",
    "horaires_ouverture",
)


def mappable_types() -> list[str]:
    """Our type codes that data·inclusion knows."""
    return [item.code for item in typology.TYPES if item.data_inclusion]


def record(structure) -> dict:
    """One data·inclusion structure record; the first data·inclusion code of the type is its `typologie`."""
    info = structure.type_info
    return {
        "id": f"ctg-{structure.pk}",
        "siret": None,
        "nom": structure.name,
        "commune": structure.commune.name,
        "code_postal": structure.postcode or None,
        "code_insee": structure.commune_id,
        "adresse": structure.address or None,
        "complement_adresse": structure.address_complement or None,
        "longitude": structure.longitude,
        "latitude": structure.latitude,
        "typologie": info.data_inclusion[0],
        "telephone": structure.phone or None,
        "courriel": structure.email or None,
        "site_web": structure.website or None,
        "source": structure.source,
        "date_maj": structure.last_update.isoformat() if structure.last_update else None,
        "antenne": False,
        "lien_source": None,
        "horaires_ouverture": structure.opening_hours or None,
    }


def records(structures) -> list[dict]:
    """The records of the structures of a mappable type, in the order given (others left out)."""
    return [record(s) for s in structures.filter(type__in=mappable_types())]

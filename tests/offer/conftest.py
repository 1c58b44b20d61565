"""A small référentiel with a merged commune and Paris, and helpers to write France Services lists."""

import csv
import io
from pathlib import Path

import pytest

from ctg.offer.models import OfferImport, Structure, StructureEvent
from ctg.territories.models import FormerCommuneCode
from tests.factories import CommuneFactory, DepartementFactory, RegionFactory

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
FRANCE_SERVICES = SHARED_DATA / "anct-france-services" / "liste-fs.csv"
COG = SHARED_DATA / "cog-decoupage-administratif"

# The header of the published list (../shared/data/README.md, section 7);
# `test_the_header_is_the_published_one` checks it against the real file.
HEADER = [
    "id_fs",
    "insee_dep",
    "lib_fs",
    "adresse",
    "complement_adresse",
    "insee_com",
    "code_postal",
    "lib_com",
    "latitude",
    "longitude",
    "mail",
    "telephone",
    "h_lundi",
    "h_mardi",
    "h_mercredi",
    "h_jeudi",
    "h_vendredi",
    "h_samedi",
    "commentaire",
    "itinerance",
    "format_fs",
    "groupe",
    "labellisation",
    "format_fs_anct",
]
DAY = "09:00 - 12:00 / 13:30 - 17:00"


def site(**values) -> dict:
    """A row of the list, as the ANCT publishes one (Albi by default)."""
    row = {
        "id_fs": "1",
        "insee_dep": "81",
        "lib_fs": "France services d'Albi",
        "adresse": "1 Place Sainte-Cécile",
        "complement_adresse": "",
        "insee_com": "81004",
        "code_postal": "81000",
        "lib_com": "Albi",
        "latitude": "43.9289",
        "longitude": "2.1464",
        "mail": "albi@france-services.gouv.fr",
        "telephone": "05 63 00 00 00",
        "h_lundi": DAY,
        "h_mardi": DAY,
        "h_mercredi": DAY,
        "h_jeudi": DAY,
        "h_vendredi": "09:00 - 12:00",
        "h_samedi": "",
        "commentaire": "",
        "itinerance": "Non",
        "format_fs": "Site principal",
        "groupe": "",
        "labellisation": "Espace labellisé 01/01/2020",
        "format_fs_anct": "Lieu fixe",
    }
    row.update(values)
    return row


def csv_text(rows: list[dict], header: list[str] = HEADER, *, separator: str = ",") -> str:
    """Strings quoted, empty cells and coordinates bare, LF: as the published file."""
    out = io.StringIO()
    out.write(separator.join(f'"{name}"' for name in header) + "\n")
    for row in rows:
        cells = []
        for name in header:
            value = row.get(name, "")
            bare = not any(char in value for char in (separator, '"', "\n"))
            if value == "" or (name in ("latitude", "longitude") and bare):
                cells.append(value)
            else:
                cells.append('"' + value.replace('"', '""') + '"')
        out.write(separator.join(cells) + "\n")
    return out.getvalue()


def write_list(directory: Path, rows: list[dict], name: str = "liste-fs.csv", **options) -> Path:
    path = directory / name
    path.write_bytes(csv_text(rows, **options).encode("utf-8"))
    return path


def good_rows() -> list[dict]:
    return [
        site(),
        # Cambon was absorbed by Albi (commune déléguée 81050): an older COG code.
        site(
            id_fs="2",
            lib_fs="Bus France services du Tarn",
            insee_com="81050",
            lib_com="Cambon",
            itinerance="Oui",
            format_fs_anct="Mobile",
            h_lundi="08:30 - 12:00 / 08:30 - 17:00",
            h_mardi="00:00 - 00:00",
        ),
        site(
            id_fs="3",
            insee_dep="75",
            lib_fs="France services Paris 1er",
            insee_com="75101",
            code_postal="75001",
            lib_com="Paris 1er Arrondissement",
            latitude="48.8625",
            longitude="2.3364",
            format_fs="Antenne",
            format_fs_anct="Antenne",
        ),
    ]


@pytest.fixture
def referential(db):
    """Albi absorbed Cambon (déléguée 81050); Paris, with its arrondissements in the files only."""
    tarn = DepartementFactory(code="81", name="Tarn")
    paris = DepartementFactory(code="75", name="Paris", region=RegionFactory(code="11", name="Île-de-France"))
    albi = CommuneFactory(code="81004", name="Albi", departement=tarn)
    CommuneFactory(code="81271", name="Saint-Juéry", departement=tarn)
    CommuneFactory(code="75056", name="Paris", departement=paris)
    CommuneFactory(code="81999", name="Disparue", departement=tarn, is_active=False)
    FormerCommuneCode.objects.create(code="81050", name="Cambon", commune=albi, kind="deleguee")
    return tarn


@pytest.fixture
def good_list(tmp_path) -> Path:
    return write_list(tmp_path, good_rows())


def inventory_snapshot() -> dict:
    """Everything the inventory holds, to assert that a refused import changed nothing."""
    return {
        "structures": list(Structure.objects.order_by("pk").values()),
        "events": list(StructureEvent.objects.order_by("pk").values_list("pk", "kind", "changes")),
        "imports": list(OfferImport.objects.order_by("pk").values_list("pk", "created", "updated")),
    }


def raw_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))

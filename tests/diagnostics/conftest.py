"""A small référentiel with merged communes, and helpers to write official-looking files."""

from pathlib import Path

import pytest

from ctg.diagnostics.importers import import_dataset
from ctg.diagnostics.models import DatasetImport
from ctg.territories.models import Commune, FormerCommuneCode
from tests.factories import CommuneFactory, DepartementFactory, RegionFactory

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

FILOSOFI_HEADER = "CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;TP6021;PPSOC21"
CAF_HEADER = '"iris_code";"note";"a";"am";"arsas"'
RP_HEADER = "CODGEO;P22_POP0014;P22_POP1529;P16_POP;C22_FAMMONO;SNEMM_23"


@pytest.fixture
def stats_dir(settings, tmp_path):
    """The data directory, and so the store, in a directory of the test's own."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR / "stats"


@pytest.fixture
def referential(db):
    """Albi absorbed Cambon (déléguée 81050); Lavaur absorbed 81321 (ancien code); 81999 left the COG."""
    tarn = DepartementFactory(code="81", name="Tarn")
    corse = DepartementFactory(code="2A", name="Corse-du-Sud", region=RegionFactory(code="94", name="Corse"))
    albi = CommuneFactory(code="81004", name="Albi", departement=tarn)
    lavaur = CommuneFactory(code="81140", name="Lavaur", departement=tarn)
    CommuneFactory(code="81271", name="Saint-Juéry", departement=tarn)
    CommuneFactory(code="2A004", name="Ajaccio", departement=corse)
    CommuneFactory(code="81999", name="Disparue", departement=tarn, is_active=False)
    FormerCommuneCode.objects.create(code="81050", name="Cambon", commune=albi, kind="deleguee")
    FormerCommuneCode.objects.create(code="81321", commune=lavaur, kind="ancien")
    return Commune.objects.all()


def write(directory: Path, name: str, lines: list[str], *, newline: str = "\n") -> Path:
    path = directory / name
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    return path


def store_snapshot(stats_dir: Path) -> dict:
    """Every file of the store with its content, temporary files included."""
    if not stats_dir.exists():
        return {}
    return {str(p.relative_to(stats_dir)): p.read_bytes() for p in stats_dir.rglob("*") if p.is_file()}


@pytest.fixture
def good_filosofi(tmp_path):
    return write(
        tmp_path,
        "cc_filosofi_2021_COM.csv",
        [
            FILOSOFI_HEADER,
            "81004;23612;45331;21650;20,0;7,4",
            "81271;3000;6500;22000;s;s",
        ],
    )


@pytest.fixture
def previous_import(stats_dir, referential, good_filosofi):
    """A vintage already in the store, that a rejected import must leave as it is."""
    import_dataset(good_filosofi)
    assert DatasetImport.objects.count() == 1
    return store_snapshot(stats_dir)

"""A tiny but complete COG source: enough territories to exercise every rule of the import and the search."""

import copy
import json

import pytest

from ctg.territories.importer import import_territories

REGIONS = [
    {"code": "76", "chefLieu": "31555", "nom": "Occitanie", "typeLiaison": 1, "zone": "metro"},
    {"code": "94", "chefLieu": "2A004", "nom": "Corse", "typeLiaison": 0, "zone": "metro"},
    {"code": "53", "chefLieu": "35238", "nom": "Bretagne", "typeLiaison": 0, "zone": "metro"},
]
DEPARTEMENTS = [
    {"code": "81", "region": "76", "chefLieu": "81004", "nom": "Tarn", "typeLiaison": 2, "zone": "metro"},
    {
        "code": "31",
        "region": "76",
        "chefLieu": "31555",
        "nom": "Haute-Garonne",
        "typeLiaison": 3,
        "zone": "metro",
    },
    {
        "code": "2A",
        "region": "94",
        "chefLieu": "2A004",
        "nom": "Corse-du-Sud",
        "typeLiaison": 3,
        "zone": "metro",
    },
    {
        "code": "22",
        "region": "53",
        "chefLieu": "22278",
        "nom": "Côtes-d'Armor",
        "typeLiaison": 4,
        "zone": "metro",
    },
]


def _commune(code, nom, departement, region, population, postal_codes, **extra):
    return {
        "code": code,
        "nom": nom,
        "typeLiaison": 0,
        "zone": "metro",
        "arrondissement": departement + "1",
        "departement": departement,
        "region": region,
        "type": "commune-actuelle",
        "rangChefLieu": 0,
        "siren": "2" + code.replace("A", "0").replace("B", "0") + "000",
        "codesPostaux": postal_codes,
        "population": population,
        **extra,
    }


COMMUNES = [
    _commune("81004", "Albi", "81", "76", 49531, ["81000"]),
    _commune("81271", "Saint-Juéry", "81", "76", 6980, ["81160"]),
    _commune("81140", "Lavaur", "81", "76", 11145, ["81500"], anciensCodes=["81140", "81321"]),
    _commune("31023", "Azas", "31", "76", 640, ["31380"]),
    _commune("31488", "Saint-Jean", "31", "76", 11082, ["31240"]),
    _commune("2A004", "Ajaccio", "2A", "94", 73735, ["20000", "20090", "20167"]),
    _commune("22016", "Île-de-Bréhat", "22", "53", 376, ["22870"]),
    # A commune déléguée and an associée point to their commune nouvelle; the one that kept the code is no
    # former code; arrondissements municipaux are not communes.
    {"code": "81050", "nom": "Cambon", "type": "commune-deleguee", "chefLieu": "81004", "departement": "81",
     "region": "76", "zone": "metro", "typeLiaison": 0},
    {"code": "81004", "nom": "Albi", "type": "commune-deleguee", "chefLieu": "81004", "departement": "81",
     "region": "76", "zone": "metro", "typeLiaison": 0},
    {"code": "31999", "nom": "Vieux-Bourg", "type": "commune-associee", "chefLieu": "31023",
     "departement": "31", "region": "76", "zone": "metro", "typeLiaison": 0},
    {"code": "13201", "nom": "Marseille 1er Arrondissement", "type": "arrondissement-municipal",
     "commune": "13055", "departement": "13", "region": "93", "codesPostaux": ["13001"], "population": 37599},
]  # fmt: skip


def _member(commune):
    return {
        "code": commune["code"],
        "siren": commune["siren"],
        "nom": commune["nom"],
        "populationTotale": commune["population"] + 10,
        "populationMunicipale": commune["population"],
    }


def _epci(code, nom, nature, members):
    members = [_member(next(c for c in COMMUNES if c["code"] == m)) for m in members]
    population = sum(m["populationMunicipale"] for m in members)
    return {
        "code": code,
        "nom": nom,
        "type": nature,
        "modeFinancement": "FPU",
        "populationTotale": population + 100,
        "populationMunicipale": population,
        "membres": members,
    }


EPCI = [
    _epci("248100737", "CA de l'Albigeois (C2A)", "CA", ["81004", "81271"]),
    # Straddles Tarn and Haute-Garonne.
    _epci("200066124", "CC Tarn-Agout", "CC", ["81140", "31023"]),
    _epci("242010056", "CA du Pays Ajaccien", "CA", ["2A004"]),
    _epci("243100633", "CC des Coteaux du Girou", "CC", ["31488"]),
]
# 22016 Île-de-Bréhat, an island, belongs to no EPCI.


def make_cog_data():
    return copy.deepcopy(
        {"regions": REGIONS, "departements": DEPARTEMENTS, "epci": EPCI, "communes": COMMUNES}
    )


def write_cog_source(directory, data):
    directory.mkdir(parents=True, exist_ok=True)
    for name, items in data.items():
        (directory / f"{name}.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return directory


@pytest.fixture
def cog_data():
    """The content of the four files, to change before writing them with `write_cog_source`."""
    return make_cog_data()


@pytest.fixture
def cog_source(tmp_path, cog_data):
    return write_cog_source(tmp_path / "cog", cog_data)


@pytest.fixture
def territories(db, cog_source):
    """The tiny source, imported."""
    return import_territories(cog_source, progress=False)

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ctg.territories.importer import TerritorySourceError, import_territories
from ctg.territories.models import Commune, Departement, Epci, FormerCommuneCode, Region, TerritoryImport

from .conftest import make_cog_data, write_cog_source


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))
        for model in (Region, Departement, Epci, Commune)
    } | {
        "FormerCommuneCode": sorted(
            FormerCommuneCode.objects.values_list("code", "commune_id", "name", "kind")
        )
    }


@pytest.mark.django_db
def test_import_creates_every_level(cog_source):
    result = import_territories(cog_source, progress=False)

    assert {level: (c.total, c.created, c.updated, c.obsoleted) for level, c in result.counts.items()} == {
        "regions": (3, 3, 0, 0),
        "departements": (4, 4, 0, 0),
        "epci": (4, 4, 0, 0),
        "communes": (7, 7, 0, 0),
        "former_codes": (3, 3, 0, 0),
    }
    assert not result.skipped
    ajaccio = Commune.objects.get(code="2A004")
    assert (ajaccio.name, ajaccio.departement_id, ajaccio.region_id, ajaccio.epci_id) == (
        "Ajaccio",
        "2A",
        "94",
        "242010056",
    )
    assert ajaccio.postal_codes == "20000 20090 20167"
    assert ajaccio.population == 73735
    assert Commune.objects.get(code="81271").search_name == "saint juery"
    assert Commune.objects.get(code="22016").epci is None
    assert not Commune.objects.filter(code="13201").exists()  # arrondissement municipal
    assert Epci.objects.get(siren="200066124").population == 11145 + 640
    assert Epci.objects.get(siren="248100737").search_name == "ca de l albigeois c2a"
    assert sorted(FormerCommuneCode.objects.values_list("code", "commune_id", "name", "kind")) == [
        ("31999", "31023", "Vieux-Bourg", "associee"),
        ("81050", "81004", "Cambon", "deleguee"),
        ("81321", "81140", "", "ancien"),
    ]
    recorded = TerritoryImport.objects.get()
    assert recorded.source_hash == result.source_hash
    assert recorded.counts["communes"]["created"] == 7


@pytest.mark.django_db
def test_command_prints_french_counts(cog_source):
    out = StringIO()
    call_command("load_territories", source=cog_source, stdout=out)

    line = out.getvalue()
    assert "Référentiel chargé : 3 régions, 4 départements, 4 EPCI, 7 communes (3 anciens codes) en " in line
    assert line.rstrip().endswith(" s")


@pytest.mark.django_db
def test_unchanged_source_is_skipped(cog_source):
    call_command("load_territories", source=cog_source, stdout=StringIO())
    Commune.objects.filter(code="81004").update(name="Changé à la main")

    out = StringIO()
    call_command("load_territories", source=cog_source, stdout=out)

    assert "inchangé depuis le dernier import" in out.getvalue()
    assert Commune.objects.get(code="81004").name == "Changé à la main"  # nothing was read nor written
    assert TerritoryImport.objects.count() == 1
    assert import_territories(cog_source, progress=False).skipped


@pytest.mark.django_db
def test_forced_second_import_changes_nothing(cog_source):
    first = import_territories(cog_source, progress=False)
    before = snapshot()

    second = import_territories(cog_source, force=True, progress=False)

    assert snapshot() == before
    assert not second.skipped
    assert not second.changed
    assert {level: c.total for level, c in second.counts.items()} == {
        level: c.total for level, c in first.counts.items()
    }
    assert TerritoryImport.objects.count() == 2


@pytest.mark.django_db
def test_changed_name_and_membership_are_updated(tmp_path, cog_data, territories):
    cog_data["communes"][0]["nom"] = "Albi-la-Rouge"
    cog_data["communes"][0]["population"] = 50000
    # Saint-Juéry leaves the C2A for the CC Tarn-Agout.
    c2a, tarn_agout = cog_data["epci"][0], cog_data["epci"][1]
    tarn_agout["membres"].append(c2a["membres"].pop())
    source = write_cog_source(tmp_path / "v2", cog_data)

    result = import_territories(source, progress=False)

    assert result.counts["communes"].updated == 2
    assert result.counts["communes"].created == 0
    assert result.counts["regions"].updated == 0
    albi = Commune.objects.get(code="81004")
    assert (albi.name, albi.search_name, albi.population) == ("Albi-la-Rouge", "albi la rouge", 50000)
    assert Commune.objects.get(code="81271").epci_id == "200066124"


@pytest.mark.django_db
def test_territories_gone_from_the_source_are_marked_obsolete(tmp_path, cog_data, territories):
    cog_data["communes"] = [c for c in cog_data["communes"] if c["code"] not in ("31488", "81050")]
    cog_data["epci"] = [e for e in cog_data["epci"] if e["code"] != "243100633"]
    source = write_cog_source(tmp_path / "v2", cog_data)

    result = import_territories(source, progress=False)

    assert result.counts["communes"].obsoleted == 1
    assert result.counts["epci"].obsoleted == 1
    assert result.counts["former_codes"].deleted == 1
    saint_jean = Commune.objects.get(code="31488")  # kept, so that what points to it keeps working
    assert not saint_jean.is_active
    assert not Epci.objects.get(siren="243100633").is_active
    assert Commune.objects.filter(is_active=True).count() == 6
    assert not FormerCommuneCode.objects.filter(code="81050").exists()

    # Back in the source: in force again.
    result = import_territories(write_cog_source(tmp_path / "v3", make_cog_data()), progress=False)
    assert result.counts["communes"].updated == 1
    assert Commune.objects.get(code="31488").is_active
    assert FormerCommuneCode.objects.filter(code="81050", commune_id="81004").exists()


def _break_missing_file(directory):
    (directory / "epci.json").unlink()


def _break_invalid_json(directory):
    (directory / "communes.json").write_text('[{"code": "81004", "nom": "Albi",', encoding="utf-8")


def _break_missing_key(directory):
    communes = json.loads((directory / "communes.json").read_text(encoding="utf-8"))
    del communes[1]["nom"]
    (directory / "communes.json").write_text(json.dumps(communes), encoding="utf-8")


def _break_missing_members(directory):
    epci = json.loads((directory / "epci.json").read_text(encoding="utf-8"))
    del epci[2]["membres"]
    (directory / "epci.json").write_text(json.dumps(epci), encoding="utf-8")


def _break_unknown_region(directory):
    departements = json.loads((directory / "departements.json").read_text(encoding="utf-8"))
    departements[0]["region"] = "99"
    (directory / "departements.json").write_text(json.dumps(departements), encoding="utf-8")


def _break_not_a_list(directory):
    (directory / "regions.json").write_text('{"code": "76"}', encoding="utf-8")


BAD_SOURCES = [
    pytest.param(_break_missing_file, "epci.json : fichier introuvable", id="missing-file"),
    pytest.param(_break_invalid_json, "communes.json : JSON invalide (ligne 1, colonne", id="invalid-json"),
    pytest.param(
        _break_missing_key,
        "communes.json, objet n° 2 (code 81271) : clé obligatoire « nom » absente",
        id="missing-key",
    ),
    pytest.param(
        _break_missing_members,
        "epci.json, objet n° 3 (code 242010056) : clé obligatoire « membres » absente",
        id="missing-members",
    ),
    pytest.param(
        _break_unknown_region,
        "departements.json, objet n° 1 (code 81) : la région 99 est absente de regions.json",
        id="unknown-region",
    ),
    pytest.param(_break_not_a_list, "regions.json : le fichier doit contenir une liste", id="not-a-list"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("break_source", "message"), BAD_SOURCES)
def test_bad_source_is_rejected_whole(tmp_path, cog_data, territories, break_source, message):
    before = snapshot()
    cog_data["communes"][0]["nom"] = "Albi-la-Rouge"  # a valid change that must not be written either
    source = write_cog_source(tmp_path / "bad", cog_data)
    break_source(source)

    with pytest.raises(CommandError) as error:
        call_command("load_territories", source=source, force=True, stdout=StringIO())

    assert message in str(error.value)
    assert "rien n'a été modifié" in str(error.value)
    assert snapshot() == before
    assert TerritoryImport.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("break_source", "message"), BAD_SOURCES)
def test_bad_source_writes_nothing_on_an_empty_database(cog_source, break_source, message):
    break_source(cog_source)

    with pytest.raises(TerritorySourceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_territories(cog_source, progress=False)

    assert not Region.objects.exists()
    assert not Commune.objects.exists()
    assert not TerritoryImport.objects.exists()


@pytest.mark.django_db
def test_missing_directory_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Dossier source introuvable"):
        call_command("load_territories", source=tmp_path / "absent", stdout=StringIO())


@pytest.mark.django_db
def test_epci_member_unknown_is_rejected(tmp_path, cog_data):
    cog_data["epci"][0]["membres"][0]["code"] = "81999"
    source = write_cog_source(tmp_path / "bad", cog_data)

    with pytest.raises(
        TerritorySourceError, match="epci.json, objet n° 1 .* la commune membre 81999 est absente"
    ):
        import_territories(source, progress=False)

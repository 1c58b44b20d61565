"""The statistics files as their publishers export them: the Cnaf coverage rates with the French labels of
data.caf.fr (BOM, CRLF), a later Cnaf publication winning for a revised year, on the real files of
../shared/data."""

import csv
from glob import glob
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ctg.diagnostics import reader
from ctg.diagnostics.importers import import_datasets
from ctg.diagnostics.iris import iris_context
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.portrait import build_portrait, resolve_territory
from ctg.territories.importer import import_territories
from tests.factories import EpciFactory

from .conftest import SHARED_DATA
from .test_portrait_tarn import tarn_source  # noqa: F401 (fixture)

TXCOUV_DEP = SHARED_DATA / "cnaf-txcouv-pe" / "txcouv_pe_dep_hist.csv"
LABELS = (
    "Date référence;Numéro {u};Nom {u};Numéro Région;Nom Région;Taux de couv EAJE PSU;"
    "Taux de couv hors EAJE PSU;Taux de couv EAJE - ensemble;Taux de couv préscolarisation;"
    "Taux de couv assistante maternelle;Taux de couv salariée à domicile;"
    "Taux de couv accueil individuel - ensemble;Taux de couv global"
)


def exported(tmp_path, name, lines):
    """A file as data.caf.fr exports it: UTF-8 with BOM, CRLF."""
    path = tmp_path / name
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())
    return path


def by_code(kind, year):
    return {row["code"]: row for row in reader.read_dataset(kind, year)}


@pytest.mark.parametrize(
    ("unit", "code", "kind", "column"),
    [
        ("Commune", "81004", "caf_txcouv_com", "txcouv_com"),
        ("EPCI", "248100737", "caf_txcouv_epci", "txcouv_epci"),
        ("Département", "81", "caf_txcouv_dep", "txcouv_dep"),
    ],
)
def test_french_labels_at_every_scale(stats_dir, referential, tmp_path, unit, code, kind, column):
    EpciFactory(siren="248100737", name="CA de l'Albigeois")
    path = exported(
        tmp_path,
        "export.csv",
        [LABELS.format(u=unit), f"2022;{code};Nom;76;OCCITANIE;20.1;5.5;25.6;2.0;27.0;1.7;28.7;56.3"],
    )

    (record,) = import_datasets(path)

    assert (record.kind, record.year) == (kind, 2022)
    row = by_code(kind, 2022)[code]
    scale = column.removeprefix("txcouv_")
    assert (row[column], row[f"txcouv_eaje_{scale}"], row[f"txcouv_am_ind_{scale}"]) == (56.3, 25.6, 27.0)
    assert "numregi" not in row  # labels and names of territories are not figures


def dep_file(tmp_path, name, rows, labels=False):
    header = LABELS.format(u="Département") if labels else "annee;numdep;nomdep;txcouv_eaje_dep;txcouv_dep"
    lines = [header]
    for year, eaje, rate in rows:
        values = f"1;1;{eaje};1;1;1;1;{rate}" if labels else f"{eaje};{rate}"
        lines.append(f"{year};81;TARN;76;OCCITANIE;{values}" if labels else f"{year};81;Tarn;{values}")
    return exported(tmp_path, name, lines)


@pytest.mark.parametrize("order", [1, -1])
def test_the_later_publication_wins_in_one_batch(stats_dir, referential, tmp_path, order):
    hist = dep_file(tmp_path, "txcouv_pe_dep_hist.csv", [(2021, "24", "55"), (2022, "25.6", "56.3")], True)
    later = dep_file(tmp_path, "txcouv_pe_dep.csv", [(2022, "26", "57.1"), (2023, "27", "58")])
    out = StringIO()

    call_command("import_data", *[hist, later][::order], stdout=out)

    assert reader.available_vintages("caf_txcouv_dep") == [2021, 2022, 2023]
    assert by_code("caf_txcouv_dep", 2022)["81"]["txcouv_dep"] == 57.1
    assert by_code("caf_txcouv_dep", 2021)["81"]["txcouv_dep"] == 55
    assert (
        "txcouv_pe_dep_hist.csv : année 2022 non importée, révisée par la publication plus récente "
        "txcouv_pe_dep.csv." in out.getvalue()
    )


def test_the_later_publication_already_in_the_store_wins(stats_dir, referential, tmp_path):
    later = dep_file(tmp_path, "txcouv_pe_dep.csv", [(2022, "26", "57.1"), (2023, "27", "58")])
    hist = dep_file(tmp_path, "txcouv_pe_dep_hist.csv", [(2021, "24", "55"), (2022, "25.6", "56.3")], True)
    import_datasets(later)
    out = StringIO()

    call_command("import_data", hist, stdout=out)

    assert by_code("caf_txcouv_dep", 2022)["81"]["txcouv_dep"] == 57.1
    assert by_code("caf_txcouv_dep", 2021)["81"]["txcouv_dep"] == 55
    assert "années non importées, déjà en place d'une publication plus récente : 2022" in out.getvalue()
    # Only the revised year: nothing to import, said so.
    only = dep_file(tmp_path, "txcouv_2022.csv", [(2022, "25.6", "56.3")])
    with pytest.raises(CommandError, match="2022 déjà importés d'une publication plus récente"):
        call_command("import_data", only, stdout=StringIO())
    # A republication of the same years replaces them, as any import.
    import_datasets(dep_file(tmp_path, "txcouv_pe_dep.csv", [(2022, "26", "57.5"), (2023, "27", "58")]))
    assert by_code("caf_txcouv_dep", 2022)["81"]["txcouv_dep"] == 57.5


def test_two_files_of_the_same_publication_are_refused(stats_dir, referential, tmp_path):
    first = dep_file(tmp_path, "a.csv", [(2022, "26", "57.1")])
    second = dep_file(tmp_path, "b.csv", [(2022, "26", "57.1")])
    with pytest.raises(CommandError, match="sont le même jeu de données"):
        call_command("import_data", first, second, stdout=StringIO())
    assert reader.available_vintages("caf_txcouv_dep") == []


@pytest.mark.shared_data
def test_real_departement_file_and_its_figures_on_the_portrait(db, settings, tmp_path, tarn_source):  # noqa: F811
    if not TXCOUV_DEP.is_file():
        pytest.skip(f"Données partagées absentes : {TXCOUV_DEP}")
    settings.DATA_DIR = tmp_path
    import_territories(source=tarn_source)
    with TXCOUV_DEP.open(encoding="utf-8-sig", newline="") as handle:
        raw = list(csv.DictReader(handle, delimiter=";"))
    tarn = {row["Date référence"]: row for row in raw if row["Numéro Département"] == "81"}

    records = import_datasets(TXCOUV_DEP)

    assert [record.year for record in records] == [2017, 2018, 2019, 2020, 2021, 2022]
    assert [record.rows_read for record in records] == [100, 102, 102, 102, 102, 102]
    assert all(record.communes_matched + len(record.unknown_codes) == record.rows_read for record in records)
    row = by_code("caf_txcouv_dep", 2022)["81"]
    assert row["txcouv_dep"] == float(tarn["2022"]["Taux de couv global"]) == 56.3
    assert row["txcouv_eaje_dep"] == float(tarn["2022"]["Taux de couv EAJE - ensemble"]) == 25.6
    assert by_code("caf_txcouv_dep", 2017)["81"]["txcouv_dep"] == float(tarn["2017"]["Taux de couv global"])

    # The portrait of a commune and of the département show the published rate of the département.
    result = build_portrait(resolve_territory("81004")).result("taux_couverture_accueil_jeune_enfant")
    reference = result.references["departement"]
    assert (reference.code, reference.value, reference.status) == ("81", 56.3, "ok")
    assert result.value.value is None  # the communes' file is not loaded: the commune has no figure
    result = build_portrait(resolve_territory("81")).result("taux_couverture_accueil_jeune_enfant")
    assert (result.value.value, result.value.year) == (56.3, 2022)
    assert result.source == "Cnaf, taux de couverture de l'accueil du jeune enfant 2022 (data.caf.fr)"


FILO_IRIS_TARN = SHARED_DATA / "example-81-tarn" / "BASE_TD_FILO_IRIS_2021_DEC_81.csv"
FILO_IRIS_FRANCE = SHARED_DATA / "insee-filosofi-2021" / "BASE_TD_FILO_IRIS_2021_DEC.csv"


@pytest.fixture
def tarn_referential(db, settings, tmp_path, tarn_source):  # noqa: F811
    if not FILO_IRIS_TARN.is_file():
        pytest.skip(f"Données partagées absentes : {FILO_IRIS_TARN}")
    settings.DATA_DIR = tmp_path
    import_territories(source=tarn_source)


def raw_iris(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["IRIS"]: row for row in csv.DictReader(handle, delimiter=";")}


@pytest.mark.shared_data
def test_real_filosofi_iris_of_the_tarn(tarn_referential):
    raw = raw_iris(FILO_IRIS_TARN)

    (record,) = import_datasets(FILO_IRIS_TARN)

    assert (record.kind, record.year, record.rows_read) == ("filosofi_iris", 2021, len(raw))
    assert len(raw) == 81
    assert record.unknown_codes == [] and record.territories_count == 81
    assert record.departements == ["81"]
    rows = {row["code"]: row for row in reader.read_dataset("filosofi_iris", 2021)}
    assert set(rows) == set(raw)
    albi = rows["810040101"]
    assert albi["commune"] == "81004"
    assert albi["DEC_MED21"] == float(raw["810040101"]["DEC_MED21"]) == 16230
    assert albi["DEC_TP6021"] == 43.0 and albi["DEC_GI21"] == 0.49
    # ns, nd, so: no figure, the marker kept as published; never a zero.
    small = rows["810040804"]
    assert small["DEC_MED21"] is None and small["DEC_MED21_secret"] is False
    assert "DEC_MED21=ns" in small["markers"].split() and "DEC_RD21=so" in small["markers"].split()
    assert reader.read_iris("filosofi_iris", 2021, ["81004"]) == [
        row for code, row in sorted(rows.items()) if code.startswith("81004")
    ]


@pytest.mark.shared_data
def test_real_filosofi_iris_of_france_keeps_the_secret(db, settings, tmp_path):
    if not FILO_IRIS_FRANCE.is_file() or not (SHARED_DATA / "cog-decoupage-administratif").is_dir():
        pytest.skip("Données partagées absentes")
    settings.DATA_DIR = tmp_path
    import_territories(SHARED_DATA / "cog-decoupage-administratif", progress=False)
    raw = raw_iris(FILO_IRIS_FRANCE)

    (record,) = import_datasets(FILO_IRIS_FRANCE)

    assert record.rows_read == len(raw) == 16026
    rows = {row["code"]: row for row in reader.read_dataset("filosofi_iris", 2021)}
    secret = [code for code, row in raw.items() if row["DEC_PTSA21"] == "s"]
    assert secret and all(
        rows[c]["DEC_PTSA21"] is None and rows[c]["DEC_PTSA21_secret"] for c in secret if c in rows
    )
    assert rows["621600101"]["DEC_PAUT21"] == -0.1  # a share may be negative
    # Paris: IRIS kept under their arrondissement, with the commune in plm_commune.
    paris = next(row for code, row in rows.items() if code.startswith("75101"))
    assert (paris["commune"], paris["plm_commune"]) == ("75101", "75056")
    assert len(rows) + sum(1 for c in raw if c[:5] in record.unknown_codes) == len(raw)


@pytest.mark.shared_data
def test_the_readme_command_imports_the_tarn_folder(tarn_referential, monkeypatch):
    """`ctg import_data ../shared/data/example-81-tarn/*.csv`, as the README gives it, from the repository."""
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    paths = sorted(glob("../shared/data/example-81-tarn/*.csv"))
    assert [Path(p).name for p in paths] == [
        "BASE_TD_FILO_IRIS_2021_DEC_81.csv",
        "cc_filosofi_2021_COM_81.csv",
        "dossier_complet_light_81.csv",
        "inseecaf2021_81.csv",
    ]
    out = StringIO()

    call_command("import_data", *paths, stdout=out)

    imported = {(record.source_name, record.kind, record.year) for record in DatasetImport.objects.all()}
    assert imported == {
        ("BASE_TD_FILO_IRIS_2021_DEC_81.csv", "filosofi_iris", 2021),
        ("cc_filosofi_2021_COM_81.csv", "filosofi_com", 2021),
        ("dossier_complet_light_81.csv", "rp_dossier_complet", 2022),
        ("inseecaf2021_81.csv", "caf_iris", 2021),
    }
    assert reader.available_datasets() == {
        "caf_iris": [2021],
        "filosofi_com": [2021],
        "filosofi_iris": [2021],
        "rp_dossier_complet": [2022],
    }
    text = out.getvalue()
    assert (
        "BASE_TD_FILO_IRIS_2021_DEC_81.csv : Insee, FiLoSoFi – IRIS (revenus déclarés), millésime 2021"
        in text
    )
    assert "IRIS enregistrés : 81" in text

    # The portrait of the Tarn shows the IRIS of its 10 IRIS-split communes, as published.
    raw = raw_iris(FILO_IRIS_TARN)
    portrait = build_portrait(resolve_territory("81"))
    assert portrait.datasets["filosofi_iris"] == 2021
    assert {table.commune for table in portrait.iris.tables} == {code[:5] for code in raw}
    assert len({table.commune for table in portrait.iris.tables}) == 10
    context = iris_context(portrait.iris, portrait.territory.commune_name)
    albi = next(table for table in context["tables"] if table["code"] == "81004")
    assert albi["name"] == "Albi"
    assert [row["code"] for row in albi["rows"]] == sorted(code for code in raw if code.startswith("81004"))
    first = albi["rows"][0]["cells"]
    assert first[0]["text"] == "16\u202f230\u00a0€" and raw["810040101"]["DEC_MED21"] == "16230"
    small = next(row for row in albi["rows"] if row["code"] == "810040804")["cells"]
    assert raw["810040804"]["DEC_MED21"] == "ns" and small[0] == {"text": "ns", "note": "non significatif"}


@pytest.mark.shared_data
def test_a_recognised_but_unusable_file_refuses_the_whole_batch(tarn_referential, tmp_path):
    folder = tmp_path / "depot"
    folder.mkdir()
    tarn = SHARED_DATA / "example-81-tarn"
    for name in ("cc_filosofi_2021_COM_81.csv", "BASE_TD_FILO_IRIS_2021_DEC_81.csv"):
        (folder / name).write_bytes((tarn / name).read_bytes())
    # The CAF file renamed: recognised from its header, but its vintage is only in the name.
    (folder / "allocataires_iris.csv").write_bytes((tarn / "inseecaf2021_81.csv").read_bytes())

    with pytest.raises(CommandError) as raised:
        call_command("import_data", *sorted(folder.glob("*.csv")), stdout=StringIO())

    assert str(raised.value) == (
        "Import refusé, rien n'a été modifié. allocataires_iris.csv : millésime introuvable dans le nom du "
        "fichier : précisez --year."
    )
    assert DatasetImport.objects.count() == 0 and reader.available_datasets() == {}

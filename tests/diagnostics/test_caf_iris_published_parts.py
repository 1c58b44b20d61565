"""The CAF-by-IRIS importer keeps the published part of a secret commune (issue 11, « secret and absent are
confused »), on the real Insee-Cnaf file of ../shared/data imported as a CAF does it (`ctg import_data`).

A commune some of whose IRIS the source blanked has no published value (its sum would be wrong): the importer
stores, for each column, the sum of its published IRIS and how many were blanked (``a_published``,
``a_secret_rows``), so that Limoges (56 IRIS, 3 blanked for « a ») reads « partiel : au moins N (3 IRIS sur 56
soumis au secret) », and the 13 communes of Limoges Métropole not split into IRIS read « absent », never
« secret ». A département file merged into the national vintage keeps these columns, row by row.
"""

import csv
import io
import re
from collections import defaultdict

import duckdb
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from ctg.diagnostics import engine, maps, presentation, reader, store
from ctg.diagnostics.catalogue import COMMUNE_TABLE_INDICATORS
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.portrait import build_portrait, resolve_territory
from ctg.diagnostics.readings import format_value
from ctg.territories.importer import import_territories

from .conftest import SHARED_DATA

CAF_FILE = SHARED_DATA / "insee-caf-iris-2021" / "inseecaf2021.csv"
COG = SHARED_DATA / "cog-decoupage-administratif"
LIMOGES_METROPOLE, LIMOGES = "248719312", "87085"
# Communes of the file with IRIS blanked for « a » and others published, outside the Haute-Vienne.
BLAGNAC, CASTRES = "31069", "81065"

shared = [pytest.mark.shared_data, pytest.mark.django_db]


@pytest.fixture(scope="module")
def france(django_db_setup, django_db_blocker):
    """The whole COG, loaded once for the module and rolled back after it."""
    if not (COG / "communes.json").is_file() or not CAF_FILE.is_file():
        pytest.skip(f"Données partagées absentes : {SHARED_DATA}")
    with django_db_blocker.unblock(), transaction.atomic():
        import_territories(COG, progress=False)
        yield
        transaction.set_rollback(True)


def raw_file() -> tuple[list[str], list[list[str]]]:
    with CAF_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    return rows[0], rows[1:]


def cut(tmp_path, departements, name="inseecaf2021.csv"):
    """The real file cut to some départements, as a CAF would send its own (header, quotes, CRLF kept)."""
    with CAF_FILE.open(encoding="utf-8", newline="") as handle:
        lines = handle.readlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.lstrip('"')[:2] in departements]
    path = tmp_path / name
    path.write_text("".join(kept), encoding="utf-8", newline="")
    return path


def import_data(*paths):
    call_command("import_data", *(str(p) for p in paths), stdout=io.StringIO())
    engine.reset()


def expected_parts(header, rows, columns) -> dict[str, dict[str, tuple]]:
    """From the raw file, by source commune and column: (sum of the published IRIS, IRIS blanked, IRIS)."""
    note = header.index("note")
    found: dict[str, dict[str, list]] = defaultdict(lambda: {c: [0.0, 0, 0] for c in columns})
    for row in rows:
        for column in columns:
            cell = row[header.index(column)]
            part = found[row[0][:5]][column]
            if row[note] != "0" or cell == "":
                part[1] += 1
            else:
                part[0] += float(cell)
            part[2] += 1
    return found


def stored_rows() -> dict[str, dict]:
    return {row["code"]: row for row in reader.read_dataset("caf_iris", 2021)}


def limoges_published_a() -> float:
    header, rows = raw_file()
    return expected_parts(header, [r for r in rows if r[0].startswith(LIMOGES)], ["a"])[LIMOGES]["a"][0]


# --- what the importer writes ------------------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.django_db
def test_every_count_column_keeps_the_published_part_of_its_secret_communes(france, stats_dir):
    import_data(CAF_FILE)
    header, rows = raw_file()
    columns = [name for name in header if name not in ("iris_code", "note")]
    names = reader.dataset_columns("caf_iris", 2021)
    for column in columns:
        assert f"{column}_published" in names and f"{column}_secret_rows" in names, column
    expected = expected_parts(header, rows, columns)
    stored = stored_rows()
    checked = 0
    for code, row in stored.items():
        sources = row["source_codes"].split()
        assert row["source_rows"] == sum(expected[s]["a"][2] for s in sources)
        for column in columns:
            published = sum(expected[s][column][0] for s in sources)
            blanked = sum(expected[s][column][1] for s in sources)
            secret = row[column] is None
            assert secret == (blanked > 0) == row[f"{column}_secret"], (code, column)
            if 0 < blanked < row["source_rows"]:
                assert (row[f"{column}_published"], row[f"{column}_secret_rows"]) == (
                    pytest.approx(published),
                    blanked,
                ), (code, column)
                checked += 1
            elif row["plm_commune"] and not secret:
                # An arrondissement: its value, so that the roll-up to Paris, Lyon or Marseille adds up.
                assert (row[f"{column}_published"], row[f"{column}_secret_rows"]) == (row[column], 0)
            else:  # nothing blanked, or every IRIS: no published part (secret whole)
                assert (row[f"{column}_published"], row[f"{column}_secret_rows"]) == (None, None), (
                    code,
                    column,
                )
    assert checked > 1000
    limoges = stored[LIMOGES]
    assert (limoges["a"], limoges["a_secret"], limoges["a_secret_rows"], limoges["source_rows"]) == (
        None,
        True,
        3,
        56,
    )
    assert limoges["a_published"] == limoges_published_a()


@pytest.mark.shared_data
@pytest.mark.django_db
def test_a_commune_whose_every_iris_is_blanked_stays_secret(france, stats_dir):
    """Ambazac (87002): its IRIS are all blanked; no « au moins 0 », the source's secret as it is."""
    import_data(cut(stats_dir.parent, ("87",)))
    row = stored_rows()["87002"]
    assert (row["a"], row["a_secret"], row["a_published"], row["a_secret_rows"]) == (None, True, None, None)
    value = build_portrait(resolve_territory("87002")).result("allocataires").value
    assert (value.status, value.caveat) == ("secret", "secret statistique : valeur masquée par la source")


# --- what a user reads ------------------------------------------------------------------------------------


def commune_cells(html: str, column: int) -> dict[str, str]:
    """The commune table of the portrait page: {commune code: text of the cell of `column`}."""
    table = html[html.index("Indicateurs clés par commune") :]
    cells = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S):
        code = re.search(r'<span class="ctg-ref">(\w+)</span></th>', row).group(1)
        tds = re.findall(r"<td>(.*?)</td>", row, re.S)
        cells[code] = re.sub(r"<[^>]+>", " ", tds[column])
    return cells


def plain(text: str) -> str:
    return re.sub(r"[\u00a0\u202f ]+", " ", text)


@pytest.mark.shared_data
@pytest.mark.django_db
def test_limoges_reads_at_least_its_published_iris_on_the_real_file(france, stats_dir):
    import_data(CAF_FILE)
    total = limoges_published_a()
    value = build_portrait(resolve_territory(LIMOGES)).result("allocataires").value
    caveat = f"partiel : au moins {format_value(total, 'foyers', 0)} (3 IRIS sur 56 soumis au secret)"
    assert (value.status, value.value, value.caveat) == ("partiel", total, caveat)
    page = Client().get(reverse("diagnostics:territory", args=[LIMOGES])).content.decode()
    assert caveat in page


@pytest.mark.shared_data
@pytest.mark.django_db
def test_limoges_metropole_page_tells_absent_from_secret(france, stats_dir):
    import_data(CAF_FILE)
    html = Client().get(reverse("diagnostics:territory", args=[LIMOGES_METROPOLE])).content.decode()
    cells = commune_cells(html, COMMUNE_TABLE_INDICATORS.index("allocataires"))
    assert len(cells) == 20
    absent = {
        code for code, text in cells.items() if "absent du fichier : commune non découpée en IRIS" in text
    }
    partial = {code for code, text in cells.items() if "partiel : au moins" in text}
    assert len(absent) == 13 and LIMOGES in partial
    assert not any("secret statistique" in text for text in cells.values())
    assert "3 IRIS sur 56 soumis au secret" in plain(cells[LIMOGES])
    # The figure of the whole territory: the published part of its partly secret communes, the others absent.
    assert "13 communes absentes du fichier (communes non découpées en IRIS)" in plain(html)
    value = build_portrait(resolve_territory(LIMOGES_METROPOLE)).result("allocataires").value
    assert value.status == "partiel" and "secret statistique" not in value.caveat
    assert plain(value.caveat) in plain(html)


@pytest.mark.shared_data
@pytest.mark.django_db
def test_paris_lyon_marseille_add_up_the_published_iris_of_their_arrondissements(france, stats_dir):
    """The arrondissements are stored apart and rolled up to their commune by the engine: every IRIS of the
    commune counts, in whichever arrondissement it lies (an arrondissement with nothing blanked too)."""
    import_data(CAF_FILE)
    header, rows = raw_file()
    for commune, prefixes in (("75056", ("751",)), ("69123", ("6938",)), ("13055", ("132",))):
        iris = [r for r in rows if r[0].startswith(prefixes)]
        parts = expected_parts(header, iris, ["a"])
        total = sum(p["a"][0] for p in parts.values())
        blanked = sum(p["a"][1] for p in parts.values())
        assert 0 < blanked < len(iris)
        value = build_portrait(resolve_territory(commune)).result("allocataires").value
        assert (value.status, value.value) == ("partiel", total), commune
        assert value.caveat.endswith(f"({blanked} IRIS sur {len(iris)} soumis au secret)"), commune


# --- the merge of a département file into the national vintage --------------------------------------------


def parts_of(code: str, columns=("a", "am", "arsas")) -> dict:
    row = stored_rows()[code]
    return {c: (row[c], row[f"{c}_secret"], row[f"{c}_published"], row[f"{c}_secret_rows"]) for c in columns}


@pytest.mark.shared_data
@pytest.mark.django_db
def test_a_departement_file_merged_into_the_national_vintage_keeps_the_published_parts(france, stats_dir):
    import_data(CAF_FILE)
    national = {code: parts_of(code) for code in (LIMOGES, BLAGNAC, CASTRES)}
    assert national[BLAGNAC]["a"][3] and national[LIMOGES]["a"][3] == 3
    before = len(reader.read_dataset("caf_iris", 2021))

    import_data(cut(stats_dir.parent, ("87",), "inseecaf2021_87.csv"))
    assert DatasetImport.objects.filter(kind="caf_iris").count() == 2
    assert len(reader.read_dataset("caf_iris", 2021)) == before  # merged, not replaced
    for code in (LIMOGES, BLAGNAC, CASTRES):
        assert parts_of(code) == national[code], code
    counts = reader.rows_by_import("caf_iris", 2021)
    assert len(counts) == 2  # the Haute-Vienne from the second import, the rest from the first
    value = build_portrait(resolve_territory(LIMOGES)).result("allocataires").value
    assert value.caveat.endswith("(3 IRIS sur 56 soumis au secret)")


@pytest.mark.shared_data
@pytest.mark.django_db
def test_two_departement_files_side_by_side_keep_both_published_parts(france, stats_dir):
    import_data(cut(stats_dir.parent, ("81",), "inseecaf2021_81.csv"))
    castres = parts_of(CASTRES)
    import_data(cut(stats_dir.parent, ("87",), "inseecaf2021_87.csv"))
    assert parts_of(CASTRES) == castres and castres["a"][3]
    assert parts_of(LIMOGES)["a"][2:] == (limoges_published_a(), 3)


@pytest.mark.shared_data
@pytest.mark.django_db
def test_a_vintage_written_before_the_published_parts_takes_them_for_the_file_merged(france, stats_dir):
    """A vintage imported before the importer kept the published parts: the Tarn, without them, then the
    Haute-Vienne merged in: Limoges gets them, Castres stays as it was (secret, no published part)."""
    import_data(cut(stats_dir.parent, ("81",), "inseecaf2021_81.csv"))
    path = store.dataset_path("caf_iris", 2021)
    kept = [
        n for n in reader.dataset_columns("caf_iris", 2021) if not n.endswith(("_published", "_secret_rows"))
    ]
    with duckdb.connect(":memory:") as connection:
        select = ", ".join(f'"{n}"' for n in kept + [store.PROVENANCE_COLUMN])
        connection.execute(
            f"COPY (SELECT {select} FROM read_parquet('{path}')) TO '{path}.old' (FORMAT parquet)"
        )
    path.with_name(path.name + ".old").replace(path)
    engine.reset()
    assert "a_published" not in reader.dataset_columns("caf_iris", 2021)

    import_data(cut(stats_dir.parent, ("87",), "inseecaf2021_87.csv"))
    assert parts_of(CASTRES)["a"] == (None, True, None, None)
    assert parts_of(LIMOGES)["a"][2:] == (limoges_published_a(), 3)
    castres = build_portrait(resolve_territory(CASTRES)).result("allocataires").value
    assert castres.status == "secret"


@pytest.mark.shared_data
@pytest.mark.django_db
def test_limoges_metropole_map_tells_absent_from_secret(france, stats_dir):
    """The map of the foyers allocataires of Limoges Métropole, given each commune's status: the 13
    communes not split into IRIS hatched as absent, Limoges coloured by its published IRIS (« au moins »),
    none secret."""
    import_data(CAF_FILE)
    portrait = build_portrait(resolve_territory(LIMOGES_METROPOLE))
    column = portrait.communes.column("allocataires")
    codes = sorted(portrait.territory.communes)
    shapes = {
        code: [[[(i, 45.0), (i + 0.5, 45.0), (i + 0.5, 45.5), (i, 45.0)]]] for i, code in enumerate(codes)
    }
    svg = maps.choropleth_svg(
        shapes,
        {code: column[code].value for code in codes},
        {code: portrait.territory.commune_name(code) for code in codes},
        title="Foyers allocataires",
        unit="foyers",
        decimals=0,
        statuses={code: column[code].status for code in codes},
    )
    fills = {code: fill for fill, code in re.findall(r'fill="([^"]+)"[^>]*data-code="(\w+)"', svg)}
    assert list(fills.values()).count(maps.MISSING_FILL) == 13
    assert maps.SECRET_FILL not in fills.values()
    assert "13 communes sans donnée : absentes du fichier ou sans valeur publiée (hachures)" in svg
    assert f"Limoges : au moins {format_value(limoges_published_a(), 'foyers', 0)}" in svg
    assert maps.SECRET_LEGEND in svg  # the legend explains both patterns


def test_the_store_and_the_engine_name_the_published_parts_alike():
    assert [suffix for suffix, _type in store.PART_COLUMNS] == [
        engine.PUBLISHED_SUFFIX,
        engine.SECRET_ROWS_SUFFIX,
    ]


@pytest.mark.shared_data
@pytest.mark.django_db
def test_the_portraits_map_is_drawn_with_each_communes_status(france, stats_dir, monkeypatch):
    """The map of the portrait page gets the engine's statuses: the 13 communes not split into IRIS counted
    as absent (hatched), the secret pattern in the legend."""
    import_data(CAF_FILE)
    portrait = build_portrait(resolve_territory(LIMOGES_METROPOLE))
    codes = sorted(portrait.territory.communes)
    shapes = {
        code: [[[(i, 45.0), (i + 0.5, 45.0), (i + 0.5, 45.5), (i, 45.0)]]] for i, code in enumerate(codes)
    }
    monkeypatch.setattr(maps, "load_contours", lambda wanted: ({c: shapes[c] for c in wanted}, "test"))
    svg = presentation.commune_map(portrait, "allocataires")["svg"]
    assert maps.SECRET_LEGEND in svg
    assert "13 communes sans donnée : absentes du fichier ou sans valeur publiée (hachures)" in svg
    assert "au moins" in svg  # Limoges, by its published IRIS

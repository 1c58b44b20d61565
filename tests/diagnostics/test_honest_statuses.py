"""Honest statuses (issue 11, item 3), on the real files of ../shared/data: « secret » only when the source
blanked the value, « absent du fichier » with why, an IRIS sum with secret IRIS « partiel : au moins N (k IRIS
sur n soumis au secret) », and a figure that is not complete says so in every output (page, PDF, CSV, JSON).

Limoges Métropole (87, 20 communes): 7 communes are split into IRIS in the Insee-Cnaf file of CAF recipients,
13 are not (absent from the file, not secret); Limoges has 56 IRIS, 3 of them blanked for « a » (foyers
allocataires). CC Tarn-Agout (81, 21 communes): only Lavaur is in the file.
"""

import csv
import io
import json
import re
import unicodedata

import duckdb
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from ctg.diagnostics import engine, reader, store
from ctg.diagnostics.importers import import_dataset
from ctg.diagnostics.pdf import render_portrait_pdf
from ctg.diagnostics.portrait import build_portrait, portrait_as_json, resolve_territory
from ctg.diagnostics.readings import format_value
from ctg.territories.importer import import_territories
from ctg.territories.models import Commune

from .conftest import SHARED_DATA

CAF_FILE = SHARED_DATA / "insee-caf-iris-2021" / "inseecaf2021.csv"
COG = SHARED_DATA / "cog-decoupage-administratif"
LIMOGES_METROPOLE, LIMOGES = "248719312", "87085"
TARN_AGOUT, LAVAUR = "200034023", "81140"

pytestmark = [pytest.mark.shared_data, pytest.mark.django_db]


def plain(text: str) -> str:
    """Spaces as a reader sees them: the no-break spaces of the figures as plain spaces."""
    return re.sub(r"[\u00a0\u202f ]+", " ", unicodedata.normalize("NFC", text))


@pytest.fixture(scope="module")
def france(django_db_setup, django_db_blocker):
    """The whole COG, loaded once for the module and rolled back after it."""
    if not (COG / "communes.json").is_file() or not CAF_FILE.is_file():
        pytest.skip(f"Données partagées absentes : {SHARED_DATA}")
    with django_db_blocker.unblock(), transaction.atomic():
        import_territories(COG, progress=False)
        yield
        transaction.set_rollback(True)


def raw_iris(departements=("31", "81", "87")) -> tuple[list[str], list[list[str]]]:
    with CAF_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    return rows[0], [row for row in rows[1:] if row[0][:2] in departements]


@pytest.fixture
def caf(france, stats_dir, tmp_path):
    """The real Insee-Cnaf file of CAF recipients per IRIS, cut to the Haute-Garonne, the Tarn and the
    Haute-Vienne (CC Tarn-Agout has a commune in the Haute-Garonne), imported as the importer writes it."""
    return import_cut(tmp_path, ("31", "81", "87"))


def import_cut(tmp_path, departements):
    header, rows = raw_iris(departements)
    path = tmp_path / "inseecaf2021.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)
    import_dataset(path)
    engine.reset()
    return header, rows


def published_part(header, rows, column="a") -> dict[str, tuple[float, int, int]]:
    """By commune, from the raw file: (sum of the published IRIS, IRIS blanked, IRIS in all)."""
    index, note = header.index(column), header.index("note")
    parts: dict[str, list] = {}
    for row in rows:
        total, blanked, count = parts.setdefault(row[0][:5], [0.0, 0, 0])
        secret = row[note] != "0" or row[index] == ""
        parts[row[0][:5]] = [total + (0 if secret else float(row[index])), blanked + secret, count + 1]
    return {code: tuple(values) for code, values in parts.items()}


@pytest.fixture
def caf_with_published_parts(caf):
    """The store as the importer writes it: for each commune whose « a » is secret, the sum of its published
    IRIS and how many of its IRIS were blanked (`a_published`, `a_secret_rows`); the same, computed here from
    the raw file, is returned for the expected figures."""
    header, rows = caf
    parts = published_part(header, rows)
    stored = {row["code"]: row for row in reader.read_dataset("caf_iris", 2021)}
    partly = {code for code, (_total, blanked, count) in parts.items() if 0 < blanked < count}
    assert LIMOGES in partly
    for code in partly:
        total, blanked, count = parts[code]
        row = stored[code]
        assert (row["a_published"], row["a_secret_rows"], row["source_rows"]) == (total, blanked, count), code
    for code in set(stored) - partly:
        assert (stored[code]["a_published"], stored[code]["a_secret_rows"]) == (None, None), code
    return parts


@pytest.fixture
def caf_without_published_parts(caf):
    """The store as the importer wrote it before it kept the published parts (a vintage imported then)."""
    path = store.dataset_path("caf_iris", 2021)
    kept = [
        name
        for name in reader.dataset_columns("caf_iris", 2021) + [store.PROVENANCE_COLUMN]
        if not name.endswith((engine.PUBLISHED_SUFFIX, engine.SECRET_ROWS_SUFFIX))
    ]
    select = ", ".join(f'"{name}"' for name in kept)
    with duckdb.connect(":memory:") as connection:
        connection.execute(
            f"COPY (SELECT {select} FROM read_parquet('{path}') ORDER BY code) "
            f"TO '{path}.new' (FORMAT parquet)"
        )
    path.with_name(path.name + ".new").replace(path)
    engine.reset()
    return caf


def test_limoges_is_partial_at_least_its_published_iris(caf_with_published_parts):
    total, blanked, count = caf_with_published_parts[LIMOGES]
    assert (blanked, count) == (3, 56)
    value = build_portrait(resolve_territory(LIMOGES)).result("allocataires").value
    assert (value.status, value.value) == ("partiel", total)
    assert (
        value.caveat
        == f"partiel : au moins {format_value(total, 'foyers', 0)} (3 IRIS sur 56 soumis au secret)"
    )


def test_limoges_metropole_says_absent_not_secret(caf_with_published_parts):
    parts = caf_with_published_parts
    portrait = build_portrait(resolve_territory(LIMOGES_METROPOLE))
    value = portrait.result("allocataires").value
    in_file = [code for code in portrait.territory.communes if code in parts]
    assert (len(portrait.territory.communes), len(in_file)) == (20, 7)
    secret_iris = sum(parts[code][1] for code in in_file if parts[code][1])
    iris = sum(parts[code][2] for code in in_file if parts[code][1])
    population = dict(
        Commune.objects.filter(code__in=portrait.territory.communes).values_list("code", "population")
    )
    share = round(sum(population[c] for c in in_file) / sum(population.values()) * 100)
    assert value.status == "partiel" and value.value == sum(parts[code][0] for code in in_file)
    assert plain(value.caveat) == plain(
        f"partiel : au moins {format_value(value.value, 'foyers', 0)} ({secret_iris} IRIS sur {iris} "
        f"soumis au secret) ; 7 communes sur 20, {share} % de la population ; 13 communes absentes du "
        "fichier (communes non découpées en IRIS)"
    )
    assert "secret statistique" not in value.caveat
    # Each commune not split into IRIS: absent, with why; never « secret ».
    column = portrait.communes.column("allocataires")
    absent = [code for code in portrait.territory.communes if code not in parts]
    assert len(absent) == 13
    for code in absent:
        assert (column[code].status, column[code].caveat) == (
            "absent",
            "absent du fichier : commune non découpée en IRIS",
        )


def test_without_the_published_parts_limoges_is_secret_and_the_others_absent(caf_without_published_parts):
    """A vintage imported before the importer kept the sum of the published IRIS: Limoges is secret (the
    source blanked IRIS of it), the 13 communes not split into IRIS are absent, not secret."""
    portrait = build_portrait(resolve_territory(LIMOGES_METROPOLE))
    value = portrait.result("allocataires").value
    assert value.status == "partiel"
    caveat = plain(value.caveat)
    assert "5 communes sur 20" in caveat
    assert "13 communes absentes du fichier (communes non découpées en IRIS)" in caveat
    assert "2 communes soumises au secret statistique" in caveat
    limoges = portrait.communes.column("allocataires")[LIMOGES]
    assert (limoges.status, limoges.caveat) == ("secret", "secret statistique : valeur masquée par la source")


def tarn_agout_caveat() -> str:
    population = dict(
        Commune.objects.filter(epci_id=TARN_AGOUT, is_active=True).values_list("code", "population")
    )
    assert len(population) == 21
    share = round(population[LAVAUR] / sum(population.values()) * 100)
    assert share == 36  # Lavaur alone, as the issue says
    return (
        f"partiel : 1 commune sur 21, {share} % de la population ; 20 communes absentes du fichier "
        "(communes non découpées en IRIS)"
    )


def test_tarn_agout_households_are_lavaur_alone_and_say_so(caf):
    value = build_portrait(resolve_territory(TARN_AGOUT)).result("allocataires").value
    assert (value.status, value.value) == ("partiel", 2280)
    assert plain(value.caveat) == plain(tarn_agout_caveat())


def test_a_commune_whose_departement_is_not_imported_is_said_so(france, stats_dir, tmp_path):
    import_cut(tmp_path, ("81",))
    portrait = build_portrait(resolve_territory(TARN_AGOUT))
    assert "1 commune absente du fichier (son département n'est pas dans le fichier importé)" in plain(
        portrait.result("allocataires").value.caveat
    )
    azas = portrait.communes.column("allocataires")["31038"]
    assert (azas.status, azas.caveat) == (
        "absent",
        "absent du fichier : son département n'est pas dans le fichier importé",
    )


def test_a_complete_figure_has_no_caveat(caf):
    value = build_portrait(resolve_territory(LAVAUR)).result("allocataires").value
    assert (value.status, value.value, value.caveat) == ("ok", 2280, "")


# --- every output ----------------------------------------------------------------------------------------


def test_page_shows_the_status_and_coverage(caf_with_published_parts):
    html = Client().get(reverse("diagnostics:territory", args=[LIMOGES_METROPOLE])).content.decode()
    assert "13 communes absentes du fichier (communes non découpées en IRIS)" in html
    assert "sans donnée (secret statistique)" not in html
    assert "absent du fichier : commune non découpée en IRIS" in html  # the commune table
    total = caf_with_published_parts[LIMOGES][0]
    limoges = Client().get(reverse("diagnostics:territory", args=[LIMOGES])).content.decode()
    assert (
        f"partiel : au moins {format_value(total, 'foyers', 0)} (3 IRIS sur 56 soumis au secret)" in limoges
    )
    lavaur = Client().get(reverse("diagnostics:territory", args=[LAVAUR])).content.decode()
    assert "partiel :" not in lavaur and "absent du fichier" not in lavaur


def test_csv_carries_the_status_of_each_commune(caf_with_published_parts):
    response = Client().get(reverse("diagnostics:communes_csv", args=[LIMOGES_METROPOLE]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert "Statut des données" in header
    total = caf_with_published_parts[LIMOGES][0]
    limoges = body[LIMOGES]
    assert limoges["Foyers allocataires (foyers)"] == f"{total:.1f}".replace(".", ",")  # as every cell
    assert (
        f"Foyers allocataires : partiel : au moins {format_value(total, 'foyers', 0)} (3 IRIS sur 56 "
        "soumis au secret)" in limoges["Statut des données"]
    )
    aureil = body["87005"]
    assert aureil["Foyers allocataires (foyers)"] == ""
    assert (
        "Foyers allocataires : absent du fichier : commune non découpée en IRIS"
        in aureil["Statut des données"]
    )


def test_csv_of_a_complete_commune_has_no_caveat(caf):
    response = Client().get(reverse("diagnostics:communes_csv", args=[TARN_AGOUT]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    lavaur = dict(zip(rows[0], next(row for row in rows if row[0] == LAVAUR), strict=True))
    assert lavaur["Foyers allocataires (foyers)"] == "2280,0"
    assert "Foyers allocataires" not in lavaur["Statut des données"]


def test_json_carries_the_status_and_coverage(caf, capsys):
    call_command("portrait", TARN_AGOUT, "--json")
    data = json.loads(capsys.readouterr().out)
    item = next(i for i in data["indicators"] if i["id"] == "allocataires")
    assert (item["value"], item["status"], item["coverage"]) == (
        2280,
        "partiel",
        pytest.approx(0.36, abs=0.01),
    )
    assert plain(item["caveat"]) == plain(tarn_agout_caveat())
    assert item["completeness"]["communes"] == 21 and item["completeness"]["communes_counted"] == 1
    assert item["completeness"]["communes_absent"] == [
        {"reason": "communes non découpées en IRIS", "communes": 20}
    ]
    lavaur = portrait_as_json(build_portrait(resolve_territory(LAVAUR)))
    item = next(i for i in lavaur["indicators"] if i["id"] == "allocataires")
    assert (item["status"], item["caveat"]) == ("ok", "")


def test_pdf_carries_the_status_and_coverage(caf):
    from .test_portrait_pdf import pdf_text

    text = plain(pdf_text(render_portrait_pdf(build_portrait(resolve_territory(TARN_AGOUT)))))
    assert re.sub(r"\s+", " ", plain(tarn_agout_caveat())) in re.sub(r"\s+", " ", text)


def test_the_sql_of_every_level_gives_the_same_statuses(caf_with_published_parts):
    """`engine.aggregate` (the références, the batch of every EPCI) and the portrait's own read agree, commune
    by commune and for the whole territory, published IRIS included."""
    portrait = build_portrait(resolve_territory(LIMOGES_METROPOLE))
    indicators = [r.indicator for r in portrait.results if r.indicator.dataset == "caf_iris"]
    codes = portrait.territory.communes
    by_commune = engine.aggregate("caf_iris", 2021, indicators, group="commune", codes=codes)
    whole = engine.aggregate("caf_iris", 2021, indicators, group="epci", codes=codes)[LIMOGES_METROPOLE]
    for ind in indicators:
        assert portrait.communes.column(ind.id) == {c: v[ind.id] for c, v in by_commune.items()}, ind.id
        assert whole[ind.id] == portrait.result(ind.id).value, ind.id
    assert by_commune[LIMOGES]["allocataires"].status == "partiel"

"""data·inclusion exports (structures and services, JSON or CSV) into the inventory of the offer of services:
the same pipeline as the other lists (preview, all or nothing, journal, history, never a deletion).

The fixture files of tests/offer/data/datainclusion/ are fictitious records in the published layout (see
`ctg.offer.datainclusion_import`); the communes are those of the `referential` fixture."""

import datetime
import io
import json
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ctg.offer.importers import OfferImportError, import_offer, preview
from ctg.offer.models import OfferImport, Structure, StructureEvent

from .conftest import inventory_snapshot

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "datainclusion"
STRUCTURES_JSON = DATA / "structures-inclusion-2025-03-17.json"
SERVICES_JSON = DATA / "services-inclusion-2025-03-17.json"
STRUCTURES_CSV = DATA / "structures-inclusion-2025-03-17.csv"
SERVICES_CSV = DATA / "services-inclusion-2025-03-17.csv"
KEPT = ["reseau-fictif--cs-1", "reseau-fictif--evs-2", "reseau-fictif--fs-3", "reseau-fictif--ml-4"]


def _records(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _json(records: list[dict]) -> bytes:
    """One record per line, as the fixtures (line n + 1 holds record n)."""
    return ("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n").encode("utf-8")


def _write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def _by_id() -> dict[str, Structure]:
    return {s.source_id: s for s in Structure.objects.filter(source="data-inclusion")}


# --- Import -------------------------------------------------------------------------------------------------


def test_structures_and_services_are_imported(referential):
    record, plan = import_offer([STRUCTURES_JSON, SERVICES_JSON], imported_as="test")

    assert (record.source, record.rows_read, record.created, record.updated) == ("data-inclusion", 6, 4, 0)
    structures = _by_id()
    assert sorted(structures) == KEPT
    centre = structures["reseau-fictif--cs-1"]
    assert centre.type == "centre_social"
    assert centre.name == "Centre social des Quatre Vents (fictif)"
    assert (centre.commune_id, centre.postcode, centre.address) == ("81004", "81000", "12 rue des Exemples")
    assert (centre.latitude, centre.longitude) == (43.9262, 2.1431)
    assert centre.opening_hours == "Mo-Fr 09:00-12:00,14:00-18:00" and centre.hours_note == ""
    assert centre.phone == "05 63 00 00 01" and centre.email == "accueil@cs-fictif.example.org"
    assert centre.website == "https://cs-fictif.example.org"
    assert centre.accessibility_url.startswith("https://acceslibre.beta.gouv.fr/app/81-albi/")
    assert centre.last_update == datetime.date(2025, 3, 14)  # the source's date_maj, not the import's day
    assert centre.source_details["producteur"] == "reseau-fictif"
    assert centre.source_details["reseaux_porteurs"] == ["fcsf"]
    services = centre.source_details["services"]
    assert [s["id"] for s in services] == ["reseau-fictif--svc-1", "reseau-fictif--svc-2"]
    assert services[0]["nom"] == "Atelier parents-enfants"
    assert (services[0]["type"], services[0]["type_label"]) == ("atelier", "Atelier")
    assert services[0]["thematiques"] == ["famille--soutien-a-la-parentalite-et-a-leducation"]
    assert services[0]["thematiques_labels"] == ["Soutien à la parentalité et à l’éducation"]
    assert len(services[0]["resume"]) <= 301 and services[0]["resume"].endswith("…")

    # The name tells an EVS from a centre social (both network fcsf); an older COG code goes to Albi.
    evs = structures["reseau-fictif--evs-2"]
    assert (evs.type, evs.commune_id, evs.source_commune_code) == ("evs", "81004", "81050")
    # Hours the OpenStreetMap parser cannot read are kept as written, as a note.
    assert evs.opening_hours == "" and evs.hours_note == "le mardi matin et sur rendez-vous"
    assert "services" not in evs.source_details
    assert structures["reseau-fictif--fs-3"].type == "france_services"
    assert [s["id"] for s in structures["reseau-fictif--fs-3"].source_details["services"]] == [
        "reseau-fictif--svc-3"
    ]
    paris = structures["reseau-fictif--ml-4"]
    assert (paris.type, paris.commune_id, paris.source_commune_code) == ("mission_locale", "75056", "75101")

    # Skipped, with their reasons: no error.
    assert plan.notes["di_skipped:réseau porteur sans type dans la typologie : caf"] == 1
    assert plan.notes["di_skipped:sans code commune (code_insee vide)"] == 1
    assert plan.notes["di_services"] == 3 and plan.notes["di_services_skipped"] == 1
    assert plan.by_departement == {
        "75": {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "missing": 0, "back": 0},
        "81": {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "missing": 0, "back": 0},
    }
    assert StructureEvent.objects.filter(offer_import=record, kind=StructureEvent.Kind.CREATED).count() == 4


def test_the_csv_export_reads_as_the_json_one(referential):
    import_offer([STRUCTURES_JSON, SERVICES_JSON])
    plan = preview([STRUCTURES_CSV, SERVICES_CSV])
    assert plan.source == "data-inclusion"
    assert (len(plan.create), plan.updated_count, len(plan.unchanged)) == (0, 0, 4)


def test_a_second_import_of_the_same_files_changes_nothing(referential):
    import_offer([SERVICES_JSON, STRUCTURES_JSON])  # any order of the files
    before = inventory_snapshot()
    record, plan = import_offer([STRUCTURES_JSON, SERVICES_JSON])
    assert (record.created, record.updated, record.unchanged, record.marked_missing) == (0, 0, 4, 0)
    after = inventory_snapshot()
    assert after["structures"] == before["structures"] and after["events"] == before["events"]
    assert OfferImport.objects.count() == 2


def test_a_structure_gone_from_the_file_is_marked_missing_never_deleted(referential, tmp_path):
    import_offer([STRUCTURES_JSON, SERVICES_JSON])
    records = [r for r in _records(STRUCTURES_JSON) if r["id"] != "reseau-fictif--fs-3"]
    services = [r for r in _records(SERVICES_JSON) if r["structure_id"] != "reseau-fictif--fs-3"]
    structures = _write(tmp_path, "structures.json", _json(records))
    record, plan = import_offer([structures, _write(tmp_path, "services.json", _json(services))])

    assert [s.source_id for s in plan.missing] == ["reseau-fictif--fs-3"]
    assert (record.created, record.updated, record.unchanged, record.marked_missing) == (0, 0, 3, 1)
    gone = Structure.objects.get(source="data-inclusion", source_id="reseau-fictif--fs-3")
    assert gone.missing_from_source and gone.missing_since is not None
    assert gone.events.first().kind == StructureEvent.Kind.MISSING

    # Listed again: back, the mark removed.
    record, plan = import_offer([STRUCTURES_JSON, SERVICES_JSON])
    assert record.back_in_source == 1
    assert not Structure.objects.get(pk=gone.pk).missing_from_source


def test_a_changed_record_updates_its_structure_with_the_source_date(referential, tmp_path):
    import_offer([STRUCTURES_JSON, SERVICES_JSON])
    records = _records(STRUCTURES_JSON)
    records[0].update(nom="Centre social des Quatre Vents, nouveau nom (fictif)", date_maj="2025-06-01")
    record, plan = import_offer([_write(tmp_path, "s.json", _json(records)), SERVICES_JSON])
    assert (record.created, record.updated, record.unchanged) == (0, 1, 3)
    centre = Structure.objects.get(source_id="reseau-fictif--cs-1")
    assert centre.name.endswith("nouveau nom (fictif)")
    assert centre.last_update == datetime.date(2025, 6, 1)
    event = centre.events.first()
    assert event.kind == StructureEvent.Kind.UPDATED and event.offer_import == record
    assert set(event.changes) == {"name", "last_update"}


def test_structures_alone_keep_the_services_already_held(referential):
    import_offer([STRUCTURES_JSON, SERVICES_JSON])
    record, _plan = import_offer([STRUCTURES_JSON])
    assert (record.updated, record.unchanged) == (0, 4)
    assert len(Structure.objects.get(source_id="reseau-fictif--cs-1").source_details["services"]) == 2


def test_a_date_in_milliseconds_and_a_page_of_the_api_are_read(referential, tmp_path):
    records = _records(STRUCTURES_JSON)[:1]
    records[0]["date_maj"] = 1735689600000  # 2025-01-01, as pandas writes a date column in JSON
    page = json.dumps({"items": records, "total": 1, "page": 1}).encode("utf-8")
    import_offer([_write(tmp_path, "page.json", page)])
    assert Structure.objects.get(source_id="reseau-fictif--cs-1").last_update == datetime.date(2025, 1, 1)


def test_the_preview_writes_nothing(referential):
    before = inventory_snapshot()
    plan = preview([STRUCTURES_JSON, SERVICES_JSON])
    assert [row.source_id for row in plan.create] == KEPT
    assert plan.rows_read == 6
    assert inventory_snapshot() == before


def test_the_command_dry_run_says_what_would_change_and_writes_nothing(referential):
    before = inventory_snapshot()
    out = io.StringIO()
    call_command("offer_import", str(STRUCTURES_CSV), str(SERVICES_CSV), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "source data-inclusion (simulation)" in text
    assert "structures qui seraient créées : 4" in text
    assert "structures écartées (ni erreur ni import) : 2" in text
    assert "réseau porteur sans type dans la typologie : caf : 1" in text
    assert "sans code commune (code_insee vide) : 1" in text
    assert "services rattachés à leur structure : 3" in text
    assert "services de structures écartées, non repris : 1" in text
    assert (
        "structures aux réseaux de plusieurs de nos types (choisi d'après le nom, sinon le premier) : 2"
        in text
    )
    assert "Simulation (--dry-run) : rien n'a été écrit." in text
    assert inventory_snapshot() == before


def test_the_command_imports_with_an_explicit_source(referential):
    out = io.StringIO()
    call_command(
        "offer_import", str(STRUCTURES_JSON), str(SERVICES_JSON), "--source", "data-inclusion", stdout=out
    )
    assert "structures qui ont été créées : 4" in out.getvalue()
    assert OfferImport.objects.get().imported_as == "Ligne de commande"


def test_the_readme_command_on_a_data_inclusion_file_runs(referential):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if re.search(r"ctg offer_import .*datainclusion", line)]
    assert lines, "le README montre un import data·inclusion"
    for line in lines:
        args = shlex.split(line.split("#", 1)[0])[2:]  # after « .venv/bin/ctg offer_import »
        args = [str(ROOT / arg) if not arg.startswith("-") else arg for arg in args]
        out = io.StringIO()
        call_command("offer_import", *args, stdout=out)
        assert "source data-inclusion" in out.getvalue()


def test_a_source_given_that_is_not_the_file_is_refused(referential):
    with pytest.raises(OfferImportError, match="format de fichier non reconnu|en-tête"):
        import_offer([STRUCTURES_CSV], source="anct-france-services")


# --- Malformed files: each refused with file, line/record and field named; nothing changes --------------


def _structures(*changes, drop=None) -> bytes:
    records = _records(STRUCTURES_JSON)
    for index, values in changes:
        records[index] = {**records[index], **values}
    if drop:
        index, name = drop
        del records[index][name]
    return _json(records)


def _services(*changes) -> bytes:
    records = _records(SERVICES_JSON)
    for index, values in changes:
        records[index] = {**records[index], **values}
    return _json(records)


def _csv_without(column: str) -> bytes:
    lines = STRUCTURES_CSV.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    position = header.index(column)
    assert position == len(header) - 1 or column != "reseaux_porteurs"
    import csv

    rows = list(csv.reader(io.StringIO(STRUCTURES_CSV.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:position] + r[position + 1 :] for r in rows])
    return out.getvalue().encode("utf-8")


def _csv_replace(old: str, new: str) -> bytes:
    text = STRUCTURES_CSV.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


def _latin1() -> bytes:
    return _records_text().encode("latin-1")


def _records_text() -> str:
    return STRUCTURES_JSON.read_text(encoding="utf-8")


FIRST_ACCENT_LINE = next(n for n, line in enumerate(_records_text().splitlines(), 1) if not line.isascii())
TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()

# (name, structures file (name, bytes), services file (name, bytes) or None, fragments of the message)
S, V = "structures.json", "services.json"
BAD_FILES = [
    (
        "json_missing_comma",
        (S, _records_text().replace("},\n", "}\n", 1).encode("utf-8")),
        None,
        [S, "ligne 3", "JSON mal formé", "virgule ou « ] » attendu"],
    ),
    (
        "json_truncated",
        (S, _records_text()[:300].encode("utf-8")),
        None,
        [S, "ligne 2", "JSON mal formé", "fichier tronqué"],
    ),
    ("json_trailing_comma", (S, b'[\n{"id": "a"},\n]\n'), None, [S, "ligne 3", "virgule en trop"]),
    (
        "wrong_encoding",
        (S, _latin1()),
        None,
        [S, f"ligne {FIRST_ACCENT_LINE}", "encodage invalide (octet 0x", "UTF-8"],
    ),
    (
        "missing_required_field",
        (S, _structures(drop=(1, "nom"))),
        None,
        [S, "enregistrement n° 2", "ligne 3", "champ nom", "nom : manquant"],
    ),
    (
        "bad_code_insee",
        (S, _structures((0, {"code_insee": "8100"}))),
        None,
        [S, "enregistrement n° 1", "ligne 2", "champ code_insee", "code commune : trop court, « 8100 » lu"],
    ),
    (
        "code_insee_not_a_code",
        (S, _structures((2, {"code_insee": "ABCDE"}))),
        None,
        [S, "enregistrement n° 3", "ligne 4", "champ code_insee", "code commune invalide « ABCDE »"],
    ),
    (
        "unknown_commune",
        (S, _structures((0, {"code_insee": "81888"}))),
        None,
        [S, "ligne 2", "code_insee", "81888", "inconnu du référentiel"],
    ),
    (
        "bad_date",
        (S, _structures((1, {"date_maj": "2025-13-01"}))),
        None,
        [S, "enregistrement n° 2", "ligne 3", "champ date_maj", "date non reconnue", "2025-13-01"],
    ),
    (
        "date_in_the_future",
        (S, _structures((0, {"date_maj": TOMORROW}))),
        None,
        [S, "ligne 2", "champ date_maj", "ne peut pas être dans le futur"],
    ),
    (
        "bad_enum",
        (S, _structures((3, {"reseaux_porteurs": ["pas-un-reseau"]}))),
        None,
        [S, "enregistrement n° 4", "ligne 5", "champ reseaux_porteurs", "hors de la liste data·inclusion"],
    ),
    (
        "bad_email",
        (S, _structures((0, {"courriel": "accueil-sans-arobase"}))),
        None,
        [S, "ligne 2", "champ courriel", "courriel non reconnue, « accueil-sans-arobase » lu"],
    ),
    (
        "overlong_phone",
        (S, _structures((0, {"telephone": "05 63 00 00 01 ou 06 00 00 00 00 le matin"}))),
        None,
        [S, "ligne 2", "champ telephone", "30 au plus"],
    ),
    (
        "duplicated_id",
        (S, _structures((2, {"id": "reseau-fictif--cs-1"}))),
        None,
        [
            S,
            "enregistrement n° 3",
            "champ id",
            "« reseau-fictif--cs-1 » en double (déjà enregistrement n° 1)",
        ],
    ),
    (
        "unknown_structure_id",
        (S, _records_text().encode("utf-8")),
        (V, _services((2, {"structure_id": "reseau-fictif--inconnue"}))),
        [V, "enregistrement n° 3", "ligne 4", "champ structure_id", "« reseau-fictif--inconnue » inconnue"],
    ),
    (
        "bad_service_theme",
        (S, _records_text().encode("utf-8")),
        (V, _services((1, {"thematiques": ["famille--inventee"]}))),
        [V, "enregistrement n° 2", "ligne 3", "champ thematiques", "hors de la liste data·inclusion"],
    ),
    ("services_without_structures", None, (V, SERVICES_JSON.read_bytes()), [V, "sans fichier de structures"]),
    ("empty_file", (S, b""), None, [S, "fichier vide"]),
    ("empty_array", (S, b"[]\n"), None, [S, "aucun enregistrement"]),
    ("json_not_records", (S, b'{"data": 1}'), None, [S, "ligne 1", "« items »"]),
    ("json_other_fields", (S, b'[{"code": "81004"}]'), None, [S, "ligne 1", "format non reconnu"]),
    (
        "latitude_out_of_range",
        (S, _structures((0, {"latitude": 143.9}))),
        None,
        [S, "enregistrement n° 1", "ligne 2", "champ latitude", "hors de [-90 ; 90]"],
    ),
    (
        "one_coordinate_only",
        (S, _structures((2, {"longitude": None}))),
        None,
        [S, "enregistrement n° 3", "ligne 4", "champ latitude", "l'une est vide"],
    ),
    (
        "csv_missing_column",
        ("structures.csv", _csv_without("code_insee")),
        None,
        ["structures.csv", "ligne 1", "colonne code_insee", "« code_insee » absente"],
    ),
    (
        "csv_unreadable_list",
        ("structures.csv", _csv_replace("['fcsf']", "\"['fcsf'\"")),
        None,
        ["structures.csv", "ligne 2", "colonne reseaux_porteurs", "liste illisible"],
    ),
    (
        "csv_short_row",
        ("structures.csv", _csv_replace(",['fcsf']\n", "\n")),
        None,
        ["structures.csv", "ligne 2", "19 champs au lieu de 20"],
    ),
    (
        "csv_bad_latitude",
        ("structures.csv", _csv_replace("43.9262", '"43,9262"')),
        None,
        ["structures.csv", "ligne 2", "colonne latitude", "nombre non reconnu"],
    ),
]


@pytest.fixture
def previous(referential):
    """An inventory already loaded from the good files, that a refused import must leave as it is."""
    import_offer([STRUCTURES_JSON, SERVICES_JSON])
    return inventory_snapshot()


@pytest.mark.parametrize(
    ("structures", "services", "fragments"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_a_malformed_file_is_refused_and_changes_nothing(previous, tmp_path, structures, services, fragments):
    paths = []
    for item in (structures, services):
        if item is not None:
            paths.append(_write(tmp_path, *item))
    with pytest.raises(OfferImportError) as refused:
        import_offer(paths, source="data-inclusion")
    message = str(refused.value)
    for fragment in fragments:
        assert fragment in message, message
    assert message.startswith(paths[0].name if structures is None else fragments[0])
    assert inventory_snapshot() == previous


def test_there_are_at_least_ten_malformed_files():
    assert len(BAD_FILES) >= 10


@pytest.mark.parametrize("name", ["json_missing_comma", "bad_enum", "csv_missing_column"])
def test_the_command_refuses_a_malformed_file_detected_by_itself(previous, tmp_path, name):
    _name, structures, _services, fragments = next(case for case in BAD_FILES if case[0] == name)
    path = _write(tmp_path, *structures)
    with pytest.raises(CommandError) as refused:
        call_command("offer_import", str(path), stdout=io.StringIO())
    assert str(refused.value).startswith("Import refusé, rien n'a été modifié.")
    for fragment in fragments:
        assert fragment in str(refused.value)
    assert inventory_snapshot() == previous


def test_the_services_include_shows_each_service_escaped(referential, tmp_path):
    from django.template.loader import render_to_string

    services = _records(SERVICES_JSON)
    services[0]["nom"] = "<script>alert(1)</script> Atelier"
    import_offer([STRUCTURES_JSON, _write(tmp_path, "services.json", _json(services))])
    html = render_to_string(
        "offer/_datainclusion_services.html",
        {"structure": Structure.objects.get(source_id="reseau-fictif--cs-1")},
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Atelier" in html and "<script>" not in html
    assert "Aide aux démarches en ligne" in html and "Soutien à la parentalité" in html
    assert "Services de la structure publiés par data·inclusion (2)" in html
    empty = render_to_string(
        "offer/_datainclusion_services.html",
        {"structure": Structure.objects.get(source_id="reseau-fictif--evs-2")},
    )
    assert "Services" not in empty


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("['fcsf', 'caf']", ["fcsf", "caf"]),  # pandas, a Python list
        ('["fcsf","caf"]', ["fcsf", "caf"]),  # JSON
        ("{fcsf,caf}", ["fcsf", "caf"]),  # PostgreSQL array
        ("fcsf, caf", ["fcsf", "caf"]),  # plain
        ("", None),
    ],
)
def test_a_csv_list_cell_is_read_in_each_usual_writing(cell, expected):
    from ctg.offer.datainclusion_import import Record, _csv_list

    assert _csv_list(Record("s.csv", 1, 2, True, {}), "reseaux_porteurs", cell) == expected


def test_the_name_chooses_between_the_types_of_one_network(referential, tmp_path):
    records = _records(STRUCTURES_JSON)[:1]
    records[0].update(nom="Centre intercommunal d'action sociale (fictif)", reseaux_porteurs=["ccas-cias"])
    records.append({**records[0], "id": "reseau-fictif--ccas-7", "nom": "CCAS d'Albi (fictif)"})
    import_offer([_write(tmp_path, "s.json", _json(records))])
    assert dict(Structure.objects.values_list("source_id", "type")) == {
        "reseau-fictif--cs-1": "cias",
        "reseau-fictif--ccas-7": "ccas",
    }

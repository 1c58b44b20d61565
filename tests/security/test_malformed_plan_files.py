"""Malformed and hostile plan files (xlsx and JSON), each sent through the web upload and `ctg plan_import`:
each is refused with a French message, and nothing is written (fiches, enjeux, objectives, history unchanged).

The audit's bomb (1 Mo on disk, one text of 1 Gio) is refused in well under a second and 200 Mo; the exact
figures are printed by bench/upload_limits.py.
"""

import html
import io
import json
import re
import time
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from ctg.core.models import HistoryEntry
from ctg.exchange.export import export_plan, export_xlsx
from ctg.exchange.imports import import_file
from ctg.exchange.layout import PlanImportError
from ctg.organisations.models import Organisation
from ctg.plans.models import Enjeu, FicheAction, OperationalObjective, StrategicObjective
from tests.exchange import test_exchange
from tests.security import plan_files

plan = test_exchange.plan  # fixtures
empty = test_exchange.empty

MIB = 1 << 20


def _counts():
    return (
        Enjeu.objects.count(),
        StrategicObjective.objects.count(),
        OperationalObjective.objects.count(),
        FicheAction.objects.count(),
        Organisation.objects.count(),
        HistoryEntry.objects.count(),
    )


# --- builders: each takes the plan's workbook and JSON export, returns the bytes of the file ----------------


def _edit(change):
    def build(workbook: bytes, _payload: dict) -> bytes:
        book = load_workbook(io.BytesIO(workbook))
        change(book)
        output = io.BytesIO()
        book.save(output)
        return output.getvalue()

    return build


def _cell(sheet_name, line, header, value, data_type=None):
    def change(book):
        sheet = book[sheet_name]
        column = next(c.column for c in sheet[1] if c.value == header)
        cell = sheet.cell(row=line, column=column, value=value)
        if data_type:
            cell.data_type = data_type

    return _edit(change)


def _rename_sheet(old, new):
    def change(book):
        book[old].title = new

    return _edit(change)


def _add_sheets(n):
    def change(book):
        for index in range(n):
            book.create_sheet(f"En plus {index}")

    return _edit(change)


def _add_rows(n):
    def change(book):
        sheet = book["Étapes"]
        for index in range(n):
            sheet.append(["1.1.1", 2026, f"Étape {index}"])

    return _edit(change)


def _version(value):
    def change(book):
        book.properties.version = value

    return _edit(change)


def _zip_entries(added):
    def build(workbook, _payload):
        return plan_files.replace_entries(workbook, {}, added)

    return build


def _tiny(name, data=b"x", flags=0):
    return (name, plan_files.deflated(data), zlib.crc32(data), len(data), 8, flags)


def _json(change):
    def build(_workbook, payload: dict) -> bytes:
        payload = json.loads(json.dumps(payload))
        change(payload)
        return json.dumps(payload, ensure_ascii=False).encode()

    return build


def _set(*path_and_value):
    *path, key, value = path_and_value

    def change(payload):
        target = payload
        for part in path:
            target = target[part]
        target[key] = value

    return change


def _raw(data: bytes):
    return lambda _workbook, _payload: data


def _duplicate_first_fiche_number(payload):
    payload["fiches"][1]["number"] = payload["fiches"][0]["number"]


def _json_text(transform):
    def build(_workbook, payload):
        return transform(json.dumps(payload, ensure_ascii=False)).encode()

    return build


@dataclass
class Case:
    id: str
    name: str
    build: object
    expected: str
    settings: dict = field(default_factory=dict)


CASES = [
    # --- xlsx: the archive ---
    Case(
        "zip-bomb-sheet-1-gio",
        "plan.xlsx",
        lambda w, p: plan_files.audit_bomb("sheet"),
        "une fois décompressé, au plus 30 Mo",
    ),
    Case(
        "zip-bomb-shared-strings-1-gio",
        "plan.xlsx",
        lambda w, p: plan_files.audit_bomb("sharedStrings"),
        "« xl/sharedStrings.xml » de l'archive fait 1 Go une fois décompressé, au plus 30 Mo",
    ),
    Case(
        "zip-bomb-lying-about-its-size",
        "plan.xlsx",
        lambda w, p: plan_files.huge_string_xlsx(w, size=64 * MIB, part="sharedStrings", declared=4096),
        "n'est pas un classeur Excel (.xlsx) lisible",
    ),
    Case(
        "compression-ratio",
        "plan.xlsx",
        lambda w, p: plan_files.huge_string_xlsx(w, size=20 * MIB, part="sheet"),
        "fois, au plus 100 fois (bombe de décompression)",
    ),
    Case(
        "too-many-entries",
        "plan.xlsx",
        _zip_entries([_tiny(f"xl/media/image{i}.png") for i in range(250)]),
        "plus de 200 éléments dans l'archive",
    ),
    Case(
        "total-uncompressed-size",
        "plan.xlsx",
        lambda w, p: w,
        "une fois décompressé, au plus 20 Ko",
        {"CTG_XLSX_MAX_UNCOMPRESSED_BYTES": 20 * 1024},
    ),
    Case(
        "file-too-large",
        "plan.xlsx",
        lambda w, p: w,
        "dépasse la taille maximale de 10 Ko",
        {"CTG_DATAFILE_MAX_BYTES": 10 * 1024},
    ),
    Case("not-a-zip", "plan.xlsx", _raw(b"numero;intitule\r\n1;=1+1\r\n"), "ce n'est pas une archive zip"),
    Case("empty-xlsx", "plan.xlsx", _raw(b""), "n'est pas un classeur Excel (.xlsx) lisible"),
    Case(
        "truncated-zip",
        "plan.xlsx",
        lambda w, p: w[: len(w) // 2],
        "archive zip tronquée ou endommagée",
    ),
    Case(
        "path-traversal-entry",
        "plan.xlsx",
        _zip_entries([_tiny("../../../etc/cron.d/evil")]),
        "chemin interdit dans l'archive « ../../../etc/cron.d/evil »",
    ),
    Case(
        "absolute-path-entry",
        "plan.xlsx",
        _zip_entries([_tiny("/etc/passwd")]),
        "chemin interdit dans l'archive « /etc/passwd »",
    ),
    Case(
        "duplicated-entry",
        "plan.xlsx",
        _zip_entries([_tiny("xl/workbook.xml", b"<workbook/>")]),
        "élément « xl/workbook.xml » en double dans l'archive",
    ),
    Case(
        "encrypted-entry",
        "plan.xlsx",
        _zip_entries([_tiny("xl/secret.xml", flags=1)]),
        "l'archive est chiffrée",
    ),
    Case(
        "zip-that-is-not-a-workbook",
        "plan.xlsx",
        _raw(plan_files.raw_zip([_tiny("notes.txt", b"bonjour")])),
        "n'est pas un classeur Excel (.xlsx) lisible (ce n'est pas un classeur Excel)",
    ),
    # --- xlsx: the content ---
    Case(
        "huge-cell-inline",
        "plan.xlsx",
        lambda w, p: plan_files.huge_string_xlsx(w, size=200_000, part="sheet"),
        "la cellule B1 de la feuille « Enjeux » fait 200\u202f000 caractères, au plus 32\u202f767",
    ),
    Case(
        "huge-cell-shared-string",
        "plan.xlsx",
        lambda w, p: plan_files.huge_string_xlsx(w, size=200_000, part="sharedStrings"),
        "un texte du classeur fait 200\u202f000 caractères, au plus 32\u202f767",
    ),
    Case("too-many-sheets", "plan.xlsx", _add_sheets(50), "plus de 50 feuilles"),
    Case(
        "too-many-rows",
        "plan.xlsx",
        _add_rows(300),
        "la feuille « Étapes » a plus de 250 lignes",
        {"CTG_XLSX_MAX_ROWS": 250},
    ),
    Case("wrong-sheet-name", "plan.xlsx", _rename_sheet("Fiches", "Fiche"), "Feuille « Fiches » absente"),
    Case(
        "missing-column",
        "plan.xlsx",
        _cell("Fiches", 1, "intitulé", "titre"),
        "Feuille « Fiches », colonne « intitulé » : colonne absente de la ligne d'en-tête.",
    ),
    Case(
        "wrong-type-year",
        "plan.xlsx",
        _cell("Étapes", 2, "année", "deux mille vingt-six"),
        "Feuille « Étapes », ligne 2, colonne « année » : année invalide",
    ),
    Case(
        "duplicated-fiche-number",
        "plan.xlsx",
        _cell("Fiches", 3, "numéro", "1.1.1"),
        "numéro de fiche « 1.1.1 » en double (déjà à la ligne 2)",
    ),
    Case(
        "invalid-date",
        "plan.xlsx",
        _cell("Fiches", 2, "début", "31/02/2025"),
        "Feuille « Fiches », ligne 2, colonne « début » : date invalide « 31/02/2025 »",
    ),
    Case(
        "formula-cell",
        "plan.xlsx",
        _cell("Fiches", 2, "intitulé", '=HYPERLINK("http://x","clic")'),
        "ligne 2, colonne « intitulé » : formule « =HYPERLINK(",
    ),
    Case(
        "error-cell",
        "plan.xlsx",
        _cell("Budget", 2, "prévu", "#DIV/0!", data_type="e"),
        "Feuille « Budget », ligne 2, colonne « prévu » : cellule en erreur « #DIV/0! »",
    ),
    Case("workbook-version-99", "plan.xlsx", _version("99"), "versions prises en charge : 1"),
    Case("unknown-extension", "plan.csv", lambda w, p: w, "Extension non reconnue|ni un classeur Excel"),
    # --- JSON ---
    Case(
        "json-deep-nesting-10000",
        "plan.json",
        _raw(b'{"format": "ctg-plan", "enjeux": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"),
        "imbriqués sur plus de 20 niveaux",
    ),
    Case("json-version-99", "plan.json", _json(_set("version", 99)), "versions prises en charge : 1"),
    Case("json-version-text", "plan.json", _json(_set("version", "1")), "versions prises en charge : 1"),
    Case(
        "json-not-utf-8",
        "plan.json",
        _raw('{"format": "ctg-plan", "version": 1, "enjeux": [{"title": "Élan"}]}'.encode("latin-1")),
        "il doit être encodé en UTF-8",
    ),
    Case(
        "json-utf-16-bom",
        "plan.json",
        _raw('{"format": "ctg-plan", "version": 1}'.encode("utf-16")),
        "il doit être encodé en UTF-8",
    ),
    Case("json-empty", "plan.json", _raw(b""), "n'est pas un fichier JSON valide : il est vide"),
    Case(
        "json-bom-only",
        "plan.json",
        _raw(b"\xef\xbb\xbf  \n"),
        "n'est pas un fichier JSON valide : il est vide",
    ),
    Case("json-syntax", "plan.json", _raw(b'{"format": "ctg-plan",'), "n'est pas un fichier JSON valide"),
    Case(
        "json-duplicated-key",
        "plan.json",
        _json_text(lambda text: text.replace('"format": "ctg-plan"', '"format": "ctg-plan", "format": "x"')),
        "clé « format » en double",
    ),
    Case(
        "json-huge-string",
        "plan.json",
        _json(_set("fiches", 0, "notes", "A" * 1_000_001)),
        "un texte du fichier fait 1\u202f000\u202f001 caractères, au plus 1\u202f000\u202f000",
    ),
    Case(
        "json-nan",
        "plan.json",
        _json_text(lambda text: text.replace('"version": 1', '"version": NaN')),
        "valeur « NaN » non permise",
    ),
    Case(
        "json-huge-integer",
        "plan.json",
        _json_text(lambda text: text.replace('"version": 1', '"version": ' + "9" * 5000)),
        "n'est pas un fichier JSON valide",
    ),
    Case(
        "json-wrong-type-title",
        "plan.json",
        _json(_set("fiches", 0, "title", {"=cmd": "calc"})),
        "fiches[0].title : texte attendu, pas une liste ni un objet.",
    ),
    Case(
        "json-wrong-structure",
        "plan.json",
        _json(_set("fiches", "toutes")),
        "n'a pas la structure d'un export de plan d'action",
    ),
    Case(
        "json-duplicated-fiche-number",
        "plan.json",
        _json(_duplicate_first_fiche_number),
        "numéro de fiche « 1.1.1 » en double (déjà en fiches[0])",
    ),
    Case(
        "json-invalid-date",
        "plan.json",
        _json(_set("fiches", 0, "start_date", "2025-13-45")),
        "fiches[0].start_date : date invalide « 2025-13-45 »",
    ),
    Case(
        "json-not-a-plan",
        "plan.json",
        _raw(b'{"enjeux": [], "fiches": []}'),
        "n'est pas un export de plan d'action",
    ),
    Case("json-xlsx-content", "plan.json", lambda w, p: w, "il doit être encodé en UTF-8"),
    Case(
        "xlsx-json-content", "plan.xlsx", lambda w, p: json.dumps(p).encode(), "ce n'est pas une archive zip"
    ),
]


@pytest.fixture
def target(world):
    """An empty dossier, and its coordinator."""
    return world.other_ctg, world.users["other_member"]


def _refusal(via, case, data, target, client, tmp_path) -> str:
    ctg, user = target
    if via == "web":
        client.force_login(user)
        upload = SimpleUploadedFile(case.name, data, content_type="application/octet-stream")
        response = client.post(reverse("plans:import_xlsx", kwargs={"pk": ctg.pk}), {"file": upload})
        assert response.status_code == 400
        text = html.unescape(response.content.decode())
        assert "Le fichier est refusé : rien n'a été enregistré" in text
        return text[text.index('id="import-errors"') :].split("</ul>")[0]
    path = tmp_path / case.name
    path.write_bytes(data)
    with pytest.raises(CommandError) as caught:
        call_command("plan_import", str(ctg.pk), str(path), stdout=StringIO())
    return str(caught.value)


def test_there_are_enough_cases():
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("via", ["web", "command"])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_file_is_refused_and_nothing_is_written(
    case, via, plan, target, client, tmp_path, settings
):
    for name, value in case.settings.items():
        setattr(settings, name, value)
    data = case.build(export_xlsx(plan), export_plan(plan))
    before = _counts()
    text = _refusal(via, case, data, target, client, tmp_path)
    assert any(expected in text for expected in case.expected.split("|")), text[:3000]
    assert _counts() == before
    assert not target[0].enjeux.exists() and not target[0].fiches.exists()


# --- the audit's bomb: time and memory ----------------------------------------------------------------------


@pytest.mark.parametrize("part", ["sheet", "sharedStrings"])
def test_audit_bomb_is_refused_fast_and_small(part, target):
    data = plan_files.audit_bomb(part)
    assert len(data) < 2 * MIB
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert max(info.file_size for info in archive.infolist()) > 1 << 30
    ctg, user = target
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(PlanImportError) as caught:
        import_file(ctg, data, "bombe.xlsx", user)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "Le fichier « bombe.xlsx » est refusé" in caught.value.messages[0]
    assert elapsed < 1.0  # generous: the check reads the zip directory only (see bench/upload_limits.py)
    assert peak < 200 * MIB


def test_deeply_nested_json_is_refused_fast(target):
    data = b'{"format": "ctg-plan", "version": 1, "enjeux": ' + b"[" * 1_000_000 + b"]" * 1_000_000 + b"}"
    ctg, user = target
    start = time.perf_counter()
    with pytest.raises(PlanImportError, match="imbriqués sur plus de 20 niveaux"):
        import_file(ctg, data, "plan.json", user)
    assert time.perf_counter() - start < 1.0


# --- what stays accepted ------------------------------------------------------------------------------------


def test_json_with_utf8_bom_and_brackets_in_strings_is_accepted(plan, empty, tmp_path):
    payload = export_plan(plan)
    payload["fiches"][0]["notes"] = (
        "[" * 50 + "{ « crochets » dans un texte, pas une imbrication }" + "]" * 50
    )
    path = tmp_path / "plan.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(payload, ensure_ascii=False, indent=2).encode())
    call_command("plan_import", str(empty.pk), str(path), stdout=StringIO())
    assert export_plan(empty) == payload


def test_json_without_version_is_read_as_the_current_version(plan, empty):
    payload = export_plan(plan)
    del payload["version"]
    assert import_file(empty, json.dumps(payload).encode(), "plan.json", None) == {"enjeux": 2, "fiches": 3}
    assert export_plan(empty) == export_plan(plan)


def test_the_largest_accepted_cell_reads_back(plan, empty):
    data = _cell("Fiches", 2, "notes", "N" * 32_767)(export_xlsx(plan), None)
    import_file(empty, data, "plan.xlsx", None)
    assert len(empty.fiches.get(title="Micro-crèche de Test").notes) == 32_767


def test_a_sheet_declaring_the_largest_dimension_is_read_fast(plan, empty):
    """A dimension of A1:XFD1048576 (16 384 columns) does not make openpyxl pad every row to it."""
    entries = plan_files.entries_of(export_xlsx(plan))
    for index, entry in enumerate(entries):
        if entry[0].startswith("xl/worksheets/"):
            xml = zlib.decompress(entry[1], -15)
            xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
            assert b"XFD1048576" in xml
            entries[index] = (entry[0], plan_files.deflated(xml), zlib.crc32(xml), len(xml), 8, 0)
    start = time.perf_counter()
    assert import_file(empty, plan_files.raw_zip(entries), "plan.xlsx", None) == {"enjeux": 2, "fiches": 3}
    assert time.perf_counter() - start < 5
    assert export_plan(empty) == export_plan(plan)

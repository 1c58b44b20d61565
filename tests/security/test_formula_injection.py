"""Formula (CSV) injection: every CSV and xlsx export of the project writes a text that starts like a formula
(« = », « + », « - », « @ », tab, carriage return) as text: in CSV after a « ' », in xlsx as a string cell,
never a formula cell. The plan's own xlsx and JSON exports import back with the same titles."""

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ctg.datafiles import csv_writer, safe_csv_cell, xlsx_append
from ctg.exchange.export import export_plan, export_xlsx
from ctg.exchange.imports import import_file, import_plan, import_xlsx
from ctg.plans.models import BudgetLine, Enjeu, FicheAction, OperationalObjective, StrategicObjective
from ctg.territories.models import Commune
from tests.factories import CtgFactory, OrganisationFactory

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
PAYLOADS = {prefix: f'{prefix}HYPERLINK("http://x") {index}' for index, prefix in enumerate(PREFIXES)}
# Titles a person may well type, that a spreadsheet would run: they must come back unchanged.
ROUND_TRIP_TITLES = ["=1+1", "-5 familles", "@home", "+33 6 12 34 56 78", "=SOMME(A1:A9)", "'déjà cité"]


@pytest.fixture
def dossier(world):
    """world.ctg with one fiche per payload, and payloads in the enjeu, objective, pilot and commune names."""
    ctg = world.ctg
    enjeu = Enjeu.objects.create(ctg=ctg, title=PAYLOADS["="], position=1)
    strategic = StrategicObjective.objects.create(enjeu=enjeu, title=PAYLOADS["+"], position=1)
    operational = OperationalObjective.objects.create(strategic=strategic, title=PAYLOADS["@"], position=1)
    pilot = OrganisationFactory(name=PAYLOADS["-"])
    for position, payload in enumerate(PAYLOADS.values(), start=1):
        fiche = FicheAction.objects.create(
            ctg=ctg,
            position=position,
            title=payload,
            pilot_organisation=pilot,
            pilot_person=payload,
            notes=payload,
        )
        fiche.objectives.set([operational])
        BudgetLine.objects.create(fiche=fiche, year=2026, funder="caf", planned=Decimal("1200.50"))
    commune = ctg.communes.order_by("code").first()
    Commune.objects.filter(pk=commune.pk).update(name=PAYLOADS["\t"])
    return ctg


def _get(client, world, name, ctg):
    client.force_login(world.users["lecture"])
    response = client.get(reverse(name, args=[ctg.pk]))
    assert response.status_code == 200
    return response


def _csv_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";")
    return [cell for row in rows for cell in row]


def _assert_csv_neutralised(cells: list[str], payloads) -> None:
    for payload in payloads:
        assert "'" + payload in cells, payload
    dangerous = [
        c for c in cells if c.startswith(tuple(PREFIXES)) and not c.lstrip("-").replace(",", "").isdigit()
    ]
    assert dangerous == []


# --- CSV exports -------------------------------------------------------------------------------------------


def test_fiches_csv_prefixes_every_formula_like_cell(client, world, dossier):
    cells = _csv_cells(_get(client, world, "plans:fiches_csv", dossier).content)
    _assert_csv_neutralised(cells, PAYLOADS.values())
    assert '\'=HYPERLINK("http://x") 0' in cells
    assert "1200,50" in cells  # amounts stay numbers, with a decimal comma


def test_portrait_communes_csv_prefixes_commune_names(client, world, dossier):
    cells = _csv_cells(_get(client, world, "diagnostics:ctg_communes_csv", dossier).content)
    _assert_csv_neutralised(cells, [PAYLOADS["\t"]])


@pytest.mark.parametrize("prefix", PREFIXES)
def test_safe_csv_cell(prefix):
    assert safe_csv_cell(f"{prefix}x") == f"'{prefix}x"
    assert safe_csv_cell(f"a{prefix}x") == f"a{prefix}x"


def test_numbers_stay_numbers():
    assert safe_csv_cell(-5) == -5
    assert safe_csv_cell(Decimal("-12.5")) == Decimal("-12.5")
    assert safe_csv_cell("-12,5") == "-12,5"  # a formatted negative number is a number, not a formula
    assert safe_csv_cell("-1,5e-05") == "-1,5e-05"
    assert safe_csv_cell("-12,5+1") == "'-12,5+1"
    assert safe_csv_cell(None) == ""
    buffer = io.StringIO()
    csv_writer(buffer).writerow([-5, Decimal("-12.50"), 0.25, "-", "=1+1", None, True])
    assert buffer.getvalue() == "-5;-12,50;0,25;'-;'=1+1;;True\r\n"


# --- xlsx exports ------------------------------------------------------------------------------------------


def _formula_parts(content: bytes) -> list[str]:
    """Names of the sheet parts holding a formula element, read from the XML itself."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
            and (b"<f>" in archive.read(name) or b"<f " in archive.read(name))
        ]


def test_plan_xlsx_writes_payloads_as_string_cells(client, world, dossier):
    content = _get(client, world, "plans:export_xlsx", dossier).content
    assert _formula_parts(content) == []
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    for payload in PAYLOADS.values():
        matching = [
            cell for cell in cells if cell.value == payload or cell.value == payload.replace("\r", "\n")
        ]
        assert matching, repr(payload)
        for cell in matching:
            assert cell.data_type == "s"
            assert cell.quotePrefix  # Excel keeps it text once the cell is edited
    assert not any(isinstance(cell.value, str) and cell.value.startswith("'") for cell in cells)


def test_xlsx_append_never_writes_a_formula():
    from openpyxl import Workbook

    workbook = Workbook()
    xlsx_append(workbook.active, ["=1+1", "#N/A", -5, "texte", None, "@x"])
    assert [c.data_type for c in workbook.active[1]] == ["s", "s", "n", "s", "n", "s"]
    output = io.BytesIO()
    workbook.save(output)
    assert _formula_parts(output.getvalue()) == []


# --- round trips -------------------------------------------------------------------------------------------


@pytest.fixture
def titled(world):
    """A plan whose fiches, enjeu and objectives have titles that a spreadsheet would run."""
    ctg = world.ctg
    enjeu = Enjeu.objects.create(ctg=ctg, title="=ENJEU()", description="-description", position=1)
    strategic = StrategicObjective.objects.create(enjeu=enjeu, title="+stratégique", position=1)
    operational = OperationalObjective.objects.create(strategic=strategic, title="@opérationnel", position=1)
    for position, title in enumerate(ROUND_TRIP_TITLES, start=1):
        fiche = FicheAction.objects.create(ctg=ctg, position=position, title=title, notes=f"={position}")
        fiche.objectives.set([operational])
    return ctg


@pytest.fixture
def empty(world):
    ctg = world.ctg
    return CtgFactory(
        caf=ctg.caf, epci=ctg.epci, communes=list(ctg.communes.all()), start_year=2029, end_year=2032
    )


def _titles(ctg):
    return sorted(ctg.fiches.values_list("title", flat=True))


def test_round_trip_xlsx(titled, empty):
    content = export_xlsx(titled)
    assert _formula_parts(content) == []
    import_xlsx(empty, content, None)
    assert _titles(empty) == sorted(ROUND_TRIP_TITLES)
    assert export_plan(empty) == export_plan(titled)
    assert empty.enjeux.get().title == "=ENJEU()"


def test_round_trip_json(titled, empty):
    payload = json.loads(json.dumps(export_plan(titled)))
    import_plan(empty, payload, None)
    assert _titles(empty) == sorted(ROUND_TRIP_TITLES)
    assert export_plan(empty) == export_plan(titled)


@pytest.mark.parametrize("kind", ["xlsx", "json"])
def test_round_trip_through_the_web(kind, client, world, titled):
    client.force_login(world.users["lecture"])
    content = client.get(reverse(f"plans:export_{kind}", args=[titled.pk])).content
    target = world.other_ctg
    client.force_login(world.users["other_member"])
    with io.BytesIO(content) as upload:
        upload.name = f"plan.{kind}"
        response = client.post(reverse("plans:import_xlsx", args=[target.pk]), {"file": upload})
    assert response.status_code == 302
    assert _titles(target) == sorted(ROUND_TRIP_TITLES)


def test_round_trip_through_the_command(titled, empty, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    for kind in ("xlsx", "json"):
        path = tmp_path / f"plan.{kind}"
        call_command("plan_export", str(titled.pk), "--format", kind, "--out", str(path), stderr=StringIO())
        target = CtgFactory(caf=titled.caf, epci=titled.epci, communes=list(titled.communes.all()))
        call_command("plan_import", str(target.pk), str(path), stdout=StringIO())
        assert _titles(target) == sorted(ROUND_TRIP_TITLES)
        assert export_plan(target) == export_plan(titled)
    assert import_file(empty, export_xlsx(titled), "plan.xlsx", None)["fiches"] == len(ROUND_TRIP_TITLES)

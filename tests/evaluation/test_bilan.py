"""The yearly bilan: computations, page, highlights, validation, PDF and DOCX."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from ctg.core.models import HistoryEntry
from ctg.evaluation import bilan
from ctg.evaluation.models import BilanAnnuel
from ctg.plans import progress
from ctg.plans.models import BudgetLine, FicheAction, IndicatorValue
from tests.plans.factories import BudgetLineFactory, FicheFactory, PlanIndicatorFactory

YEAR = 2026
S = FicheAction.Status


def _values(indicator, **by_kind):
    for kind, values in by_kind.items():
        for year, value in values.items():
            IndicatorValue.objects.create(indicator=indicator, year=year, kind=kind, value=value)


@pytest.fixture
def plan(world):
    """A small plan in the dossier of `world` (2025-2028), seen in 2026."""
    ctg = world.ctg
    d = datetime.date
    fiches = {
        "done": FicheFactory(
            ctg=ctg,
            title="Relais petite enfance",
            status=S.REALISEE,
            start_date=d(2026, 2, 1),
            end_date=d(2026, 6, 30),
        ),
        "late_date": FicheFactory(
            ctg=ctg,
            title="Accueil jeunes",
            status=S.EN_COURS,
            start_date=d(2025, 1, 1),
            end_date=d(2026, 3, 31),
        ),
        "late_indicator": FicheFactory(
            ctg=ctg,
            title="Espace de vie sociale",
            status=S.EN_COURS,
            start_date=d(2026, 9, 1),
            end_date=d(2028, 12, 31),
        ),
        "abandoned": FicheFactory(
            ctg=ctg,
            title="Ludothèque",
            status=S.ABANDONNEE,
            start_date=d(2025, 3, 1),
            end_date=d(2026, 1, 31),
        ),
        "later": FicheFactory(ctg=ctg, title="Tiers-lieu", status=S.A_VENIR, start_date=d(2027, 1, 1)),
    }
    reached = PlanIndicatorFactory(
        fiche=fiches["done"], label="Places d'accueil", baseline_value=10, baseline_year=2025
    )
    _values(reached, target={YEAR: 20}, realised={YEAR: 25})
    behind = PlanIndicatorFactory(
        fiche=fiches["late_indicator"], label="Familles accueillies", baseline_value=0, baseline_year=2025
    )
    _values(behind, target={2028: 100}, realised={YEAR: 0})
    PlanIndicatorFactory(fiche=fiches["later"], label="Fréquentation")
    BudgetLineFactory(
        fiche=fiches["done"], year=YEAR, funder="caf", planned=Decimal("1000"), spent=Decimal("800")
    )
    BudgetLineFactory(fiche=fiches["done"], year=YEAR, funder="departement", planned=500, spent=500)
    BudgetLineFactory(
        fiche=fiches["late_date"], year=YEAR, funder="caf", planned=Decimal("300.50"), spent=100
    )
    BudgetLineFactory(fiche=fiches["late_indicator"], year=2025, funder="caf", planned=9999, spent=9999)
    return fiches


def _titles(fiches):
    return sorted(f.title for f in fiches)


def test_compute_counts_fiches(world, plan):
    data = bilan.compute(world.ctg, YEAR)
    assert data["fiches_count"] == 5
    assert _titles(data["started"]) == ["Espace de vie sociale", "Relais petite enfance"]
    assert _titles(data["done"]) == ["Relais petite enfance"]
    assert _titles(data["late"]) == ["Accueil jeunes", "Espace de vie sociale"]
    assert _titles(data["abandoned"]) == ["Ludothèque"]


def test_compute_late_by_date_depends_on_the_year(world, plan):
    assert _titles(bilan.compute(world.ctg, 2025)["late"]) == []


def test_compute_indicators(world, plan):
    rows = {row["indicator"].label: row for row in bilan.compute(world.ctg, YEAR)["indicators"]}
    assert rows["Places d'accueil"]["status"] == progress.ATTEINT
    assert rows["Places d'accueil"]["target"] == 20 and rows["Places d'accueil"]["realised"] == 25
    assert rows["Familles accueillies"]["status"] == progress.EN_RETARD
    assert rows["Familles accueillies"]["target"] is None  # the target is for 2028
    assert rows["Fréquentation"]["status"] == progress.SANS_DONNEE


def test_compute_budget(world, plan):
    budget = bilan.compute(world.ctg, YEAR)["budget"]
    lines = BudgetLine.objects.filter(fiche__ctg=world.ctg, year=YEAR)
    expected = {}
    for line in lines:
        planned, spent = expected.get(line.get_funder_display(), (0, 0))
        expected[line.get_funder_display()] = (planned + line.planned, spent + line.spent)
    assert {r["label"]: (r["planned"], r["spent"]) for r in budget["rows"]} == expected
    assert budget["planned"] == sum(line.planned for line in lines) == Decimal("1800.50")
    assert budget["spent"] == sum(line.spent for line in lines)
    assert [r["funder"] for r in budget["rows"]] == ["caf", "departement"]


def test_compute_without_bilan(world, plan):
    data = bilan.compute(world.ctg, YEAR)
    assert data["bilan"] is None and data["highlights"] == "" and not data["validated"]


def _url(world, name="evaluation:bilan", year=YEAR):
    return reverse(name, kwargs={"pk": world.ctg.pk, "year": year})


def test_current_year_redirect_is_clamped(client, world):
    client.force_login(world.users["lecture"])
    response = client.get(reverse("evaluation:bilan_current", kwargs={"pk": world.ctg.pk}))
    year = min(max(datetime.date.today().year, world.ctg.start_year), world.ctg.end_year)
    assert response.status_code == 302 and response.url == _url(world, year=year)


def test_page_shows_the_bilan(client, world, plan):
    client.force_login(world.users["lecture"])
    response = client.get(_url(world))
    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        "Bilan annuel 2026",
        "Relais petite enfance",
        "Familles accueillies",
        "En retard",
        "Département",
    ):
        assert text in content
    assert "1\u202f800,50 €" in content
    # Reading only: no highlights form, no validation button.
    assert 'name="highlights"' not in content and "Valider le bilan" not in content


def test_year_outside_the_period_is_404(client, world):
    client.force_login(world.users["coordination"])
    for name in ("evaluation:bilan", "evaluation:bilan_pdf", "evaluation:bilan_docx"):
        assert client.get(_url(world, name, 2024)).status_code == 404
        assert client.get(_url(world, name, 2029)).status_code == 404
    assert client.post(_url(world, "evaluation:bilan_validate", 2029)).status_code == 404
    assert not BilanAnnuel.objects.exists()


def test_highlights_create_then_update_the_bilan(client, world):
    client.force_login(world.users["coordination"])
    page = client.get(_url(world)).content.decode()
    assert 'name="highlights"' in page and "Valider le bilan" in page
    response = client.post(_url(world, "evaluation:bilan_highlights"), {"highlights": "Ouverture du RPE."})
    assert response.status_code == 302 and response.url == _url(world)
    current = BilanAnnuel.objects.get(ctg=world.ctg, year=YEAR)
    assert current.highlights == "Ouverture du RPE."
    client.post(_url(world, "evaluation:bilan_highlights"), {"highlights": "Ouverture du RPE et du LAEP."})
    current.refresh_from_db()
    assert current.highlights == "Ouverture du RPE et du LAEP."
    assert BilanAnnuel.objects.count() == 1
    assert "Ouverture du RPE et du LAEP." in client.get(_url(world)).content.decode()
    assert HistoryEntry.objects.filter(ctg=world.ctg, action="bilan").count() == 3


@pytest.mark.parametrize("role", ["referent_communal", "partenaire", "lecture"])
def test_highlights_refused_to_other_roles(client, world, role):
    client.force_login(world.users[role])
    response = client.post(_url(world, "evaluation:bilan_highlights"), {"highlights": "Non."})
    assert response.status_code == 403
    assert not BilanAnnuel.objects.exists()


def test_validation_records_who_and_when(client, world, plan):
    client.force_login(world.users["coordination"])
    response = client.post(_url(world, "evaluation:bilan_validate"))
    assert response.status_code == 302
    current = BilanAnnuel.objects.get(ctg=world.ctg, year=YEAR)
    assert current.status == BilanAnnuel.Status.VALIDATED
    assert current.validated_by == world.users["coordination"]
    assert current.validated_at is not None
    page = client.get(_url(world)).content.decode()
    assert f"par {world.users['coordination'].get_full_name()}." in page and "Validé le" in page
    assert "Valider le bilan" not in page and 'name="highlights"' not in page

    # A second validation, and highlights after the validation, are refused; nothing changes.
    client.force_login(world.users["pilote_caf"])
    response = client.post(_url(world, "evaluation:bilan_validate"))
    assert response.status_code == 400
    assert "déjà été validé" in response.content.decode()
    response = client.post(_url(world, "evaluation:bilan_highlights"), {"highlights": "Trop tard."})
    assert response.status_code == 400
    assert "est validé" in response.content.decode()
    current.refresh_from_db()
    assert current.validated_by == world.users["coordination"] and current.highlights == ""


@pytest.mark.parametrize("role", ["referent_communal", "partenaire", "lecture"])
def test_validation_refused_to_other_roles(client, world, role):
    client.force_login(world.users[role])
    assert client.post(_url(world, "evaluation:bilan_validate")).status_code == 403
    assert not BilanAnnuel.objects.exists()


def test_pdf(client, world, plan):
    from pypdf import PdfReader

    client.force_login(world.users["coordination"])
    client.post(_url(world, "evaluation:bilan_highlights"), {"highlights": "Ouverture du RPE."})
    client.post(_url(world, "evaluation:bilan_validate"))
    response = client.get(_url(world, "evaluation:bilan_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2
    for expected in (world.ctg.title, "Relais petite enfance", "Ouverture du RPE.", "Validé le", "Page 1 / "):
        assert expected in text, expected


def test_docx(client, world, plan):
    from docx import Document

    client.force_login(world.users["lecture"])
    response = client.get(_url(world, "evaluation:bilan_docx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    document = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Bilan annuel 2026" in paragraphs and world.ctg.title in paragraphs
    assert "Relais petite enfance" in cells and "Familles accueillies" in cells
    assert "Total" in cells and "1\u202f800,50 €" in cells
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:4] == [
        "Faits marquants",
        "Fiches action",
        "Fiches démarrées dans l'année",
        "Fiches réalisées",
    ]


def test_downloads_are_named_after_the_dossier(client, world, plan):
    client.force_login(world.users["lecture"])
    pk = world.ctg.pk
    for name, file_name in (
        ("evaluation:bilan_pdf", f"ctg-{pk}-bilan-2026.pdf"),
        ("evaluation:bilan_docx", f"ctg-{pk}-bilan-2026.docx"),
    ):
        response = client.get(_url(world, name))
        assert response["Content-Disposition"] == f'attachment; filename="{file_name}"'
    response = client.get(reverse("plans:export_json", kwargs={"pk": pk}))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="ctg-{pk}-plan.json"'


# --- the indicators by enjeu ---------------------------------------------------------------------------


@pytest.fixture
def tree_plan(world):
    """Three enjeux (the third without fiche), five fiches: one under enjeu 2; three under enjeu 1, one of
    them also under an objective of enjeu 2; one attached to no objective. Each with an indicator (two for
    the fiche of both enjeux)."""
    from tests.plans.factories import EnjeuFactory, OperationalObjectiveFactory, StrategicObjectiveFactory

    ctg = world.ctg
    childhood = StrategicObjectiveFactory(enjeu=EnjeuFactory(ctg=ctg, title="Petite enfance", position=0))
    first = OperationalObjectiveFactory(strategic=childhood, position=0)
    second = OperationalObjectiveFactory(strategic=childhood, position=1)
    youth = OperationalObjectiveFactory(
        strategic=StrategicObjectiveFactory(enjeu=EnjeuFactory(ctg=ctg, title="Jeunesse", position=1))
    )
    EnjeuFactory(ctg=ctg, title="Accès aux droits", position=2)
    fiches = [
        FicheFactory(ctg=ctg, title="Crèche", position=0, objectives=[youth]),
        FicheFactory(ctg=ctg, title="RPE", position=1, objectives=[second]),
        FicheFactory(ctg=ctg, title="LAEP", position=2, objectives=[first]),
        FicheFactory(ctg=ctg, title="Passerelle", position=3, objectives=[youth, first]),
        FicheFactory(ctg=ctg, title="Orpheline", position=4, objectives=[]),
    ]
    for fiche in fiches:
        PlanIndicatorFactory(fiche=fiche, label=f"Suivi {fiche.title}", position=1)
    PlanIndicatorFactory(fiche=fiches[3], label="Premier suivi Passerelle", position=0)
    return fiches


def _groups(data):
    return [(g["label"], [(r["fiche_label"], r["indicator"].label) for r in g["rows"]]) for g in data]


EXPECTED_GROUPS = [
    (
        "Enjeu 1 — Petite enfance",
        [
            ("1.1.1 — LAEP", "Suivi LAEP"),
            ("1.1.2 — Passerelle", "Premier suivi Passerelle"),
            ("1.1.2 — Passerelle", "Suivi Passerelle"),
            ("1.1.3 — RPE", "Suivi RPE"),
        ],
    ),
    ("Enjeu 2 — Jeunesse", [("2.1.1 — Crèche", "Suivi Crèche")]),
    ("Enjeu 3 — Accès aux droits", []),
    ("Fiches rattachées à aucun objectif", [("Orpheline", "Suivi Orpheline")]),
]


def test_compute_groups_the_indicators_by_enjeu_in_the_plans_numbering(world, tree_plan):
    """Every enjeu in order, its fiches by number (a fiche of two enjeux under the one that numbers it, as
    in the plan), then the fiches attached to no objective; the flat list keeps every row once."""
    data = bilan.compute(world.ctg, YEAR)
    assert _groups(data["indicator_groups"]) == EXPECTED_GROUPS
    assert sorted(r["indicator"].label for r in data["indicators"]) == sorted(
        label for _g, rows in EXPECTED_GROUPS for _f, label in rows
    )


def test_without_unattached_fiches_there_is_no_group_for_them(world, plan):
    for fiche in plan.values():
        assert fiche.objectives.exists()
    labels = [g["label"] for g in bilan.compute(world.ctg, YEAR)["indicator_groups"]]
    assert labels and all(label.startswith("Enjeu ") for label in labels)


def test_the_page_and_both_documents_show_the_indicators_by_enjeu(client, world, tree_plan):
    from docx import Document
    from pypdf import PdfReader

    from tests.test_rendering_parts import _outline

    client.force_login(world.users["lecture"])
    page = client.get(_url(world)).content.decode()
    order = [page.index(label) for label, _rows in EXPECTED_GROUPS]
    assert order == sorted(order)
    assert "Aucun indicateur pour cet enjeu." in page
    assert page.index("1.1.1 — LAEP") < page.index("1.1.3 — RPE") < page.index("2.1.1 — Crèche")

    docx = Document(io.BytesIO(client.get(_url(world, "evaluation:bilan_docx")).content))
    headings = [p.text for p in docx.paragraphs if p.style.name == "Heading 2"]
    assert headings[-4:] == [label for label, _rows in EXPECTED_GROUPS]
    cells = [cell.text for table in docx.tables for row in table.rows for cell in row.cells]
    assert "1.1.2 — Passerelle" in cells and "Orpheline" in cells

    reader = PdfReader(io.BytesIO(client.get(_url(world, "evaluation:bilan_pdf")).content))
    texts = [page.extract_text() for page in reader.pages]
    # Each enjeu that has indicators starts a page; the one without follows on the same page.
    for label in ("Enjeu 1 — Petite enfance", "Enjeu 2 — Jeunesse", "Fiches rattachées à aucun objectif"):
        starts = [t for t in texts if label in t]
        assert len(starts) == 1 and starts[0].lstrip().startswith(("Indicateurs", label)), label
    assert "Accès aux droits" in next(t for t in texts if "Enjeu 2 — Jeunesse" in t)
    outline = [(depth, title) for depth, title, *_ in _outline(reader)]
    start = outline.index((1, "Indicateurs"))
    assert outline[start : start + 5] == [(1, "Indicateurs")] + [
        (2, label) for label, _rows in EXPECTED_GROUPS
    ]


def test_a_big_bilan_is_rendered_in_parts_at_its_enjeux_and_reads_the_same(world, tree_plan, monkeypatch):
    """The bilan's template marks where it may be cut (before each enjeu that has indicators, a new page):
    rendered in parts on two processes, its PDF has the same pages, text, footers and outline as one
    render."""
    from tests.test_rendering_parts import whole_and_in_parts

    data = bilan.compute(world.ctg, YEAR)
    whole, in_parts, runs = whole_and_in_parts(monkeypatch, lambda: bilan.render_pdf(data))
    assert in_parts == whole
    assert len({worker for worker, _run in runs}) == 2, "the bilan was not cut"
    assert all(run.lstrip().startswith('<section class="chapter">') for _worker, run in runs[1:])
    assert any("Enjeu 2 — Jeunesse" in title for _depth, title, *_ in whole["outline"])

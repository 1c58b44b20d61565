"""The long tables of the convention and bilan PDFs (fixed layout, horizontal rules: issue 15, « big documents
fast ») keep the document's structure: every fiche and indicator row, the table headers repeated on the pages
the tables run over, the page footers, the escaped user text. No timing here: performance lives in
bench/documents.py."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from ctg.documents import content, render
from ctg.evaluation import bilan
from ctg.plans.models import IndicatorValue
from tests.plans.factories import (
    BudgetLineFactory,
    EnjeuFactory,
    FicheFactory,
    OperationalObjectiveFactory,
    PlanIndicatorFactory,
    StrategicObjectiveFactory,
)

FICHES = 45


def _pages(pdf: bytes) -> list[str]:
    return [
        re.sub(r"\s+", " ", page.extract_text().replace("\u202f", " ").replace("\xa0", " "))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


@pytest.fixture
def long_plan(world):
    ctg = world.ctg
    enjeu = EnjeuFactory(ctg=ctg, title="Soutenir les familles")
    strategic = StrategicObjectiveFactory(enjeu=enjeu, title="Accueillir")
    operational = OperationalObjectiveFactory(strategic=strategic, title="Des places")
    for index in range(FICHES):
        fiche = FicheFactory(
            ctg=ctg,
            objectives=[operational],
            title=f"Action {index} <b>gras</b> & co",
            start_date=datetime.date(2025, 1, 1),
            end_date=datetime.date(2026, 12, 31),
        )
        BudgetLineFactory(fiche=fiche, year=2025, funder="caf", planned=1000 + index)
        indicator = PlanIndicatorFactory(fiche=fiche, label=f"Mesure {index}", unit="familles")
        IndicatorValue.objects.create(
            indicator=indicator, year=2025, kind=IndicatorValue.Kind.TARGET, value=10 + index
        )
    return ctg


def _check_long_tables(pages: list[str], header: str) -> None:
    text = " ".join(pages)
    total = len(pages)
    assert f"Page 1 / {total}" in pages[0]
    assert f"Page {total} / {total}" in pages[-1]
    for index in range(FICHES):
        # the user's text is escaped: the tags are printed, never interpreted
        assert f"Action {index} <b>gras</b> & co" in text
    # the long table runs over several pages and repeats its header row on each
    assert sum(header in page for page in pages) >= 2


def test_convention_pdf_keeps_every_row_header_and_footer(long_plan):
    data = content.build(long_plan)
    pages = _pages(render.render_pdf(data))
    _check_long_tables(pages, "Budget prévu sur la période")
    text = " ".join(pages)
    assert "Cible 2025" in text
    for index in range(FICHES):
        assert f"Mesure {index} (familles)" in text


def test_bilan_pdf_keeps_every_row_header_and_footer(long_plan):
    data = bilan.compute(long_plan, 2025)
    pages = _pages(bilan.render_pdf(data))
    _check_long_tables(pages, "Réalisé 2025")
    text = " ".join(pages)
    for index in range(FICHES):
        assert f"Mesure {index} (familles)" in text

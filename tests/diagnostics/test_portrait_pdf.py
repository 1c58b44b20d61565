"""The portrait as PDF (WeasyPrint): a real PDF whose text holds the territory and the indicators."""

import ast
import io
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ctg.diagnostics.pdf import render_portrait_html, render_portrait_pdf
from ctg.diagnostics.portrait import build_portrait, resolve_territory

from .test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_render_portrait_pdf(portrait_data):  # noqa: F811
    portrait = build_portrait(resolve_territory(EPCI_SIREN))
    data = render_portrait_pdf(portrait)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "CA de Test" in text
    assert "Part des moins de 15 ans" in text and "Sources et définitions" in text
    assert "Points d'attention" in text and "Page 1 / " in text
    assert "Légende" in text  # the map


def test_pdf_html_holds_the_svg(portrait_data):  # noqa: F811
    html = render_portrait_html(build_portrait(resolve_territory(EPCI_SIREN)))
    assert html.count('class="ctg-chart"') >= 2 and 'class="ctg-map"' in html
    assert "Pyy_POP0014 / population × 100." in html  # definitions


def test_pdf_view(client, portrait_data):  # noqa: F811
    response = client.get(reverse("diagnostics:pdf", args=["81004"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="portrait-81004.pdf"' in response["Content-Disposition"]
    assert "Albi" in pdf_text(response.content)
    assert io.BytesIO(response.content).read(4) == b"%PDF"


MODULES = ["pdf", "presentation", "portrait", "charts", "maps", "readings", "engine"]


@pytest.mark.parametrize("module", MODULES)
def test_the_portrait_modules_never_import_the_views(module):
    """The PDF and the pages share `presentation.portrait_context`: no import cycle through the views."""
    path = Path(__file__).resolve().parents[2] / "ctg" / "diagnostics" / f"{module}.py"
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert "ctg.diagnostics.views" not in imported

"""A reference that cannot be computed is explained once per table, its cells show « — » with an accessible
text (issue 11, item 8)."""

import re

import pytest
from django.urls import reverse

from ctg.diagnostics.pdf import render_portrait_html
from ctg.diagnostics.portrait import build_portrait, resolve_territory
from ctg.diagnostics.presentation import reference_notes
from ctg.territories.models import Departement
from tests.factories import CommuneFactory, DepartementFactory

from .test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401


@pytest.fixture
def region_without_data(portrait_data):  # noqa: F811
    """Two communes of the Tarn's region without any data: the regional and national references are not
    computed."""
    tarn = Departement.objects.get(code="81")
    garonne = DepartementFactory(code="31", name="Haute-Garonne", region=tarn.region)
    CommuneFactory(code="31555", name="Toulouse", departement=garonne)
    CommuneFactory(code="31069", name="Blagnac", departement=garonne)
    return portrait_data


def _row(*notes):
    cells = [
        {"text": "—", "short": "non calculée", "note": n} if n else {"text": "1", "note": ""} for n in notes
    ]
    return {"references": cells}


def test_one_note_per_reason_and_table():
    rows = [_row("", "A.", "B."), _row("", "A.", "B."), _row("", "A.", "")]
    notes = reference_notes(rows)
    assert notes == [{"number": 1, "text": "A."}, {"number": 2, "text": "B."}]
    assert rows[1]["references"][2]["marker"] == 2
    assert rows[1]["references"][2]["sr"] == "non calculée, voir la note 2 sous le tableau"
    single = [_row("", "A."), _row("", "A.")]
    assert reference_notes(single) == [{"number": None, "text": "A."}]
    assert single[0]["references"][1]["marker"] is None
    assert single[0]["references"][1]["sr"] == "non calculée, voir la note sous le tableau"
    assert reference_notes([_row("", "")]) == []


def _table_and_notes(section):
    """The indicator table of a theme's section and what follows it."""
    start = section.index("<caption>Indicateurs")
    return section[start:].split("</table>", 1)


def test_the_page_says_each_reason_once_under_the_table(client, region_without_data):
    html = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN])).content.decode()
    assert "Référence non calculée" not in html  # the long per-row sentence is gone
    section = re.search(r'<section[^>]*aria-labelledby="theme-demographie".*?</section>', html, re.S).group(0)
    table, notes = _table_and_notes(section)
    # Absent from the file, and why, in the words of the status lines (never « sans donnée »).
    absent = "2 communes absentes du fichier (leur département n&#x27;est pas dans le fichier importé)."
    assert f"<sup>1</sup> Référence régionale non calculée : {absent}" in notes
    assert f"<sup>2</sup> Référence nationale non calculée : {absent}" in notes
    assert notes.count("Référence régionale non calculée") == 1
    assert notes.count("Référence nationale non calculée") == 1
    assert "Référence" not in table
    rows = table.count("<tr>") - 1
    assert rows > 1 and table.count("voir la note") == 2 * rows  # région and France on every row
    assert '<span aria-hidden="true">—<sup>1</sup></span>' in table
    assert '<span class="fr-sr-only">non calculée, voir la note 2 sous le tableau</span>' in table


def test_the_pdf_says_each_reason_once(region_without_data):
    html = render_portrait_html(build_portrait(resolve_territory(EPCI_SIREN)))
    assert "Référence non calculée" not in html
    themes = html.split('<section class="theme">')[1:]
    demography = next(t for t in themes if "Démographie" in t)
    table, notes = demography.split("</table>", 1)
    assert notes.count("Référence régionale non calculée") == 1 and "Référence" not in table
    assert "—<sup>1</sup>" in table

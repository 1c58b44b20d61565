"""The dashboard's page and exports with the dossier of the XSS sweep (tests/security/test_xss_surfaces.py:
every text of the dossier holds the payloads): the page shows them escaped, the CSV holds them as text (a
formula-like cell after « ' »), the workbook as string cells."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from tests.security.test_xss_surfaces import PAYLOADS, check_csv, check_html, dossier  # noqa: F401


def _get(d, name):
    response = d.client.get(reverse(name, args=[d.ctg.caf.departement_id]))
    assert response.status_code == 200, name
    return response


def test_page_csv_and_workbook_hold_the_payloads_as_text(dossier):  # noqa: F811
    check_html(_get(dossier, "dashboard:departement").content.decode(), "dashboard:departement")
    rows = check_csv(_get(dossier, "dashboard:departement_csv").content, "dashboard:departement_csv")
    cells = [cell for row in rows for cell in row]
    assert [c for c in cells if c.startswith("=")] == []
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    workbook = load_workbook(io.BytesIO(_get(dossier, "dashboard:departement_xlsx").content))
    strings = [c for sheet in workbook for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    text = "\n".join(c.value for c in strings)
    for payload in PAYLOADS:
        assert payload in text, payload
    assert "&lt;" not in text
    assert [c.coordinate for c in strings if "HYPERLINK" in c.value and c.data_type != "s"] == []

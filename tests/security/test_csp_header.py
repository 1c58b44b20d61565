"""Content-Security-Policy (django-csp): every HTML response carries the policy, and the templates the pages
render hold no inline script, no `on…=` handler and no inline style, which the policy would block (the PDF
templates are rendered by WeasyPrint on the server and are not concerned). The browser side is
tests/browser/test_csp_browser.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory

EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
TEMPLATES = Path(settings.BASE_DIR) / "ctg" / "templates"
INLINE = [
    ("inline <script>", re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I)),
    ("on…= handler", re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)),
    ("style attribute", re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)),
    ("<style> element", re.compile(r"<style\b", re.I)),
]


def directives(header: str) -> dict[str, str]:
    parsed = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            parsed[name] = value.strip()
    return parsed


PUBLIC = ["/", "/connexion/", "/territoires/", "/mot-de-passe/oubli/", "/admin/login/"]


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_carry_the_policy(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == EXPECTED


def test_pages_of_a_logged_in_person_and_htmx_fragments_carry_the_policy(client, world):
    client.force_login(world.users["pilote_caf"])
    for path in ["/ctg/", f"/ctg/{world.ctg.pk}/", "/notifications/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert directives(response["Content-Security-Policy"]) == EXPECTED, path
    response = client.get("/territoires/suggestions/?q=Comm", HTTP_HX_REQUEST="true")
    assert "Content-Security-Policy" in response


def test_the_lockout_page_carries_the_policy(client, db):
    UserFactory(email="alice@exemple.fr")
    for _ in range(settings.CTG_LOGIN_FAILURE_LIMIT):
        response = client.post("/connexion/", {"username": "alice@exemple.fr", "password": "faux"})
    assert response.status_code == 429
    assert directives(response["Content-Security-Policy"]) == EXPECTED


def page_templates() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if not path.name.endswith("pdf.html") and "email" not in path.name
    )


@pytest.mark.parametrize("template", page_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_page_templates_hold_no_inline_script_or_style(template):
    text = template.read_text(encoding="utf-8")
    found = [f"{label}: {hit.group(0)[:80]}" for label, pattern in INLINE for hit in pattern.finditer(text)]
    assert found == []


def test_the_server_drawn_svg_has_no_style_attribute():
    from ctg.diagnostics import charts, maps

    svg = charts.bar_chart("Titre", [("A", 1.0, True), ("B", 2.0, False)], "%")
    assert "style=" not in svg
    square = [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]]  # a polygon: one ring
    svg = maps.choropleth_svg({"81004": [square]}, {"81004": 1.0}, {"81004": "Albi"}, title="Carte", unit="%")
    assert "style=" not in svg

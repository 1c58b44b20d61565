"""No markup is marked safe in ctg/ but the server-built markup of an explicit allow-list.

The checker reads every template of ctg/templates (and of the apps' templates folders) and every Python
module of ctg/ (migrations aside) and reports:

- in templates: `|safe`, `|safeseq`, `{% filter safe %}`, `{% autoescape off %}`;
- in Python: `mark_safe(`, `SafeString(` / `SafeText(`, and `format_html(` misused (an f-string or a
  %-formatted / .format()ted string as its template, or no argument at all: nothing is then escaped).

A hit that is not in ALLOWED fails the test: whoever needs one adds it here, with the reason, after making
sure every value inside is escaped where the markup is built.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest

from ctg.diagnostics import charts, maps
from ctg.offer import maps as offer_maps

ROOT = Path(__file__).resolve().parents[2]
CTG = ROOT / "ctg"

# (path relative to the repository, the exact expression or call) → why it is safe.
ALLOWED: dict[tuple[str, str], str] = {
    # Server-side SVG of ctg/diagnostics/charts.py and maps.py: every label (territory, indicator, legend,
    # commune names) goes through xml.sax.saxutils.escape; proved below by test_svg_builders_escape_labels.
    ("ctg/templates/diagnostics/pdf.html", "map.svg|safe"): "SVG de maps.choropleth_svg",
    ("ctg/templates/diagnostics/pdf.html", "theme.chart.svg|safe"): "SVG de charts.py",
    ("ctg/templates/diagnostics/_portrait.html", "map.svg|safe"): "SVG de maps.choropleth_svg",
    ("ctg/templates/diagnostics/_portrait.html", "theme.chart.svg|safe"): "SVG de charts.py",
    # The diagnostic partagé document (ctg/documents/diagnostic.py): the same SVG of charts.py and maps.py.
    ("ctg/templates/documents/diagnostic_pdf.html", "section.chart.svg|safe"): "SVG de charts.py",
    ("ctg/templates/documents/diagnostic_pdf.html", "section.map.svg|safe"): "SVG de maps.choropleth_svg",
    ("ctg/templates/includes/dsfr_chart.html", "fallback|safe"): "SVG de charts.py (theme.chart.svg)",
    # The map of the offer of services (ctg/offer/maps.py): structure, commune and field names escaped alike;
    # proved by test_svg_builders_escape_labels.
    ("ctg/templates/offer/map.html", "svg|safe"): "SVG de offer.maps.offer_map_svg",
    # Plain-text emails: no HTML, HTML-escaping would show « l&#x27;Étang ».
    ("ctg/templates/registration/password_reset_email.html", "{% autoescape off %}"): "courriel texte",
    ("ctg/templates/conventions/invitation_email.txt", "{% autoescape off %}"): "courriel texte",
    ("ctg/templates/conventions/invitation_subject.txt", "{% autoescape off %}"): "objet de courriel",
    # The CSS string of the PDF footers: escaped for CSS by ctg.text.css_string (tests below).
    ("ctg/conventions/templatetags/ctg_text.py", "mark_safe("): "filtre css_string",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    snippet: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.snippet}"


TEMPLATE_PATTERNS = [
    re.compile(r"\{\{\s*([^{}]*?\|\s*safe(?:seq)?)\b[^{}]*\}\}"),
    re.compile(r"(\{%\s*filter\s+[^%]*\bsafe(?:seq)?\b[^%]*%\})"),
    re.compile(r"(\{%\s*autoescape\s+off\s*%\})"),
]
PYTHON_PATTERNS = [
    re.compile(r"\b(mark_safe\()"),
    re.compile(r"\b(Safe(?:String|Text)\()"),
    re.compile(r"\b(format_html\(\s*f[\"'])"),
    re.compile(r"\b(format_html\(\s*(?:\"[^\"]*\"|'[^']*')\s*(?:%|\.format\(|\)))"),
    re.compile(r"\b(format_html\(\s*\))"),
    # A template string built in Python with |safe or autoescape off.
    re.compile(r"\{\{[^{}]*(\|\s*safe(?:seq)?\b)"),
    re.compile(r"(\{%\s*autoescape\s+off)"),
]


def _normalise(snippet: str) -> str:
    return re.sub(r"\s+", "", snippet) if "|" in snippet and "{%" not in snippet else snippet


def find_unsafe_markup(path: str, text: str) -> list[Finding]:
    """Every place of `text` (a template when `path` does not end in .py) that turns escaping off."""
    patterns = PYTHON_PATTERNS if path.endswith(".py") else TEMPLATE_PATTERNS
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern in patterns:
            for match in pattern.finditer(line):
                findings.append(Finding(path, number, _normalise(match.group(1).strip())))
    return findings


def project_files():
    templates = [
        p for p in CTG.rglob("templates/**/*") if p.is_file() and p.suffix in {".html", ".txt", ".xml"}
    ]
    modules = [p for p in CTG.rglob("*.py") if "migrations" not in p.parts]
    return templates + modules


def unsafe_markup_in_project() -> list[Finding]:
    findings = []
    for file in project_files():
        findings += find_unsafe_markup(str(file.relative_to(ROOT)), file.read_text(encoding="utf-8"))
    return findings


def test_no_unsafe_markup_outside_the_allow_list():
    findings = unsafe_markup_in_project()
    unexpected = [f for f in findings if (f.path, f.snippet) not in ALLOWED]
    assert not unexpected, "Échappement désactivé hors liste autorisée :\n" + "\n".join(map(str, unexpected))


def test_the_allow_list_has_no_stale_entry():
    """An entry whose markup disappeared is removed (the list says what is true today)."""
    found = {(f.path, f.snippet) for f in unsafe_markup_in_project()}
    assert set(ALLOWED) <= found, sorted(set(ALLOWED) - found)


def test_pdf_footers_use_the_css_string_filter():
    footers = [p for p in (CTG / "templates").rglob("*.html") if "css_name" in p.read_text(encoding="utf-8")]
    assert len(footers) >= 6  # with the diagnostic document's
    for template in footers:
        text = template.read_text(encoding="utf-8")
        assert "css_name|css_string" in text and "css_name|safe" not in text, template


# --- the checker reports what it must ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "text", "snippet"),
    [
        ("fake.html", "<p>{{ x|safe }}</p>", "x|safe"),
        ("fake.html", "<p>{{ fiche.title | safe }}</p>", "fiche.title|safe"),
        ("fake.html", "<ul>{{ items|safeseq|join:', ' }}</ul>", "items|safeseq"),
        ("fake.html", "{% filter safe %}{{ x }}{% endfilter %}", "{% filter safe %}"),
        ("fake.html", "{% autoescape off %}{{ x }}{% endautoescape %}", "{% autoescape off %}"),
        ("fake.py", "html = mark_safe(f'<b>{name}</b>')", "mark_safe("),
        ("fake.py", "html = SafeString(name)", "SafeString("),
        ("fake.py", "html = format_html(f'<b>{name}</b>')", "format_html(f'"),
        ("fake.py", 'html = format_html("<b>%s</b>" % name)', 'format_html("<b>%s</b>" %'),
        ("fake.py", "Template('{{ x|safe }}')", "|safe"),
    ],
)
def test_the_checker_reports_unsafe_markup(path, text, snippet):
    findings = find_unsafe_markup(path, text)
    assert [f.snippet for f in findings] == [snippet], findings
    assert (findings[0].path, findings[0].snippet) not in ALLOWED


def test_the_checker_accepts_escaped_markup():
    assert find_unsafe_markup("fake.html", "<p>{{ x }} {{ x|escape }} {{ x|css_string }}</p>") == []
    assert find_unsafe_markup("fake.py", 'format_html("<b>{}</b>", name)') == []


def test_a_fake_allowed_file_with_an_extra_safe_is_reported():
    """The allow-list names the variable: another `|safe` in an allowed template is still reported."""
    text = "{{ map.svg|safe }} {{ fiche.title|safe }}"
    findings = find_unsafe_markup("ctg/templates/diagnostics/pdf.html", text)
    unexpected = [f for f in findings if (f.path, f.snippet) not in ALLOWED]
    assert [f.snippet for f in unexpected] == ["fiche.title|safe"]


# --- the allowed SVG escapes every label ------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


def _svg_texts(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)  # well-formed: a label cannot open an element
    assert not [e for e in root.iter() if e.tag.rpartition("}")[2] in {"script", "img", "foreignObject"}]
    return ["".join(e.itertext()) for e in root.iter()]


def test_svg_builders_escape_labels():
    svg = charts.bar_chart(f"Titre {SCRIPT}", [(SCRIPT, 12.5, True), (IMG, 8.0, False)], "%")
    assert "<script>" not in svg and "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    texts = _svg_texts(svg)
    assert SCRIPT in texts and IMG in texts

    square = [[[(1.0, 43.0), (1.1, 43.0), (1.1, 43.1), (1.0, 43.0)]]]
    svg = maps.choropleth_svg(
        {"81004": square, IMG: square},
        {"81004": 12.0, IMG: None},
        {"81004": SCRIPT, IMG: IMG},
        title=f"Carte {SCRIPT}",
        unit="%",
    )
    assert "<script>" not in svg and "<img" not in svg
    texts = _svg_texts(svg)
    assert any(t.startswith(SCRIPT) for t in texts)
    assert any(t.startswith(IMG) for t in texts)
    root = ElementTree.fromstring(svg)
    assert IMG in {e.get("data-code") for e in root.iter()}  # the attribute is quoted and escaped

    point = {
        "lon": 1.05,
        "lat": 43.05,
        "field": "petite_enfance",
        "field_label": IMG,
        "label": SCRIPT,
        "code": IMG,
    }
    svg = offer_maps.offer_map_svg({"81004": square}, {"81004": SCRIPT}, [point], title=f"Offre {SCRIPT}")
    assert "<script>" not in svg and "<img" not in svg
    texts = _svg_texts(svg)
    assert SCRIPT in texts and any(IMG in t for t in texts)
    assert IMG in {e.get("data-structure") for e in ElementTree.fromstring(svg).iter()}


def test_web_chart_labels_reach_the_component_without_angle_brackets():
    web = charts.WebChart(labels=[SCRIPT], series=[[1.0]], names=[IMG])
    attributes = web.attributes()
    assert "<" not in attributes["x"] and ">" not in attributes["name"]

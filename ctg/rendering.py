"""How the application writes its documents, the same way for every app (below every app: no app import).

- PDF (WeasyPrint): `pdf(template, context, css_name=…)` renders an HTML template with the DSFR fonts
  (`fonts_dir`, the fonts' folder as a file: URI, and `css_name`, the name printed in the page footers,
  escaped by the `css_string` filter) and writes it; `html_to_pdf(html)` writes an HTML page whose relative
  addresses are the fonts' folder.
- DOCX (python-docx): `docx_document(title, author=…)` is a French document whose paragraphs, headings and
  title drop the characters XML refuses; `docx_table(document, headers, rows)` a table with a bold header row;
  `docx_bytes(document)` the file.
- Downloads: `attachment(content, content_type, name)` the response of a file to save; `ctg_file_name(ctg,
  suffix)` « ctg-12-bilan-2026 »; `check_year(ctg, year)` a 404 for a year outside of the CTG period.
"""

import contextlib
import functools
import gc
import io
import re
import threading
from pathlib import Path

import dsfr
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string

from ctg.text import xml_text

FONTS_DIR = Path(dsfr.__file__).resolve().parent / "static" / "dsfr" / "dist" / "fonts"
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- PDF ---------------------------------------------------------------------------------------------------


def pdf_context(css_name: str) -> dict:
    """What every PDF template reads: the fonts' folder and the name of the footers."""
    return {"fonts_dir": FONTS_DIR.as_uri(), "css_name": css_name}


# WeasyPrint allocates millions of short-lived objects (boxes, styles, line layouts): with the default
# thresholds Python's cyclic collector runs a full (generation 2) collection a dozen times during a 500-fiche
# convention, each walking every object of the process (Django, the ORM's rows, the boxes already laid out);
# measured at 10–20 % of the render. During a render, the garbage of before is collected once, the objects
# that exist are frozen (out of the collector's reach, `gc.freeze`) and the first generation is collected
# less often; both are restored after, the frozen objects handed back to the collector. A depth counter
# keeps concurrent renders (threads of the development server) from restoring too early.
_GC_LOCK = threading.Lock()
_GC_DEPTH = 0
_RENDER_GC_THRESHOLD = 50_000


@contextlib.contextmanager
def fewer_collections():
    global _GC_DEPTH
    with _GC_LOCK:
        if _GC_DEPTH == 0:
            saved = gc.get_threshold()
            gc.collect()  # the garbage of before (the ORM's rows of the data) is freed, not frozen
            gc.freeze()
            gc.set_threshold(max(_RENDER_GC_THRESHOLD, saved[0]), *saved[1:])
            fewer_collections.saved = saved
        _GC_DEPTH += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_DEPTH -= 1
            if _GC_DEPTH == 0:
                gc.set_threshold(*fewer_collections.saved)
                gc.unfreeze()


# WeasyPrint's user-agent stylesheet gives every element of the page six pseudo-elements: `::marker` and the
# five `::footnote-*` / `::note-*` rules are written for any element (`::marker { … }`), so WeasyPrint
# computes and keeps a style for each of them, element by element (its cache of shared styles covers
# elements, not pseudo-elements). At 500 fiches that is 54,000 styles for nothing — no table cell has a
# marker and our documents have no footnote — measured at 73 MB of the render's peak (259 → 186 MB) and
# about a tenth of its time. Our documents use the same stylesheet with `::marker` written for the list
# items only and without the note rules; the rest is WeasyPrint's own, read from the installed version.
# `_lean_user_agent_sheet` refuses a WeasyPrint whose stylesheet no longer has these rules (an upgrade must
# look at this again), and a test compares the text of our documents with the stock stylesheet's.
_NOTE_RULE = re.compile(r"^::(?:footnote|note)-[a-z]+ \{[^}\n]*\}\n", re.M)
_MARKER_RULE = "\n::marker {"


@functools.cache
def _lean_user_agent_sheet():
    from weasyprint import CSS
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA

    notes = len(_NOTE_RULE.findall(UA))
    if notes != 5 or UA.count(_MARKER_RULE) != 1:
        raise RuntimeError(
            "La feuille de style de WeasyPrint a changé (règles ::marker et ::footnote-*) : "
            "revoir ctg.rendering._lean_user_agent_sheet."
        )
    lean = _NOTE_RULE.sub("", UA).replace(_MARKER_RULE, "\nli::marker, summary::marker {")
    # Its @counter-style rules go to a counter set of their own: WeasyPrint's (UA_COUNTER_STYLE, which every
    # render copies) has them already, and parsing them into it again logs « Invalid counter style name ».
    return CSS(string=lean, counter_style=CounterStyle())


@functools.cache
def _lean_html_class():
    from weasyprint import HTML

    class LeanHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            stock = HTML._ua_stylesheets(self, forms)
            return [_lean_user_agent_sheet(), *stock[1:]]  # the first is the stylesheet replaced

    return LeanHTML


def html_document(html: str, *, lean: bool = True):
    """The WeasyPrint document of `html` (relative addresses: the fonts' folder), with our user-agent
    stylesheet unless `lean` is false (the stock one, for the test that compares them)."""
    from weasyprint import HTML

    cls = _lean_html_class() if lean else HTML
    return cls(string=html, base_url=str(FONTS_DIR))


def html_to_pdf(html: str) -> bytes:
    with fewer_collections():
        return html_document(html).write_pdf()


def pdf(template: str, context: dict, *, css_name: str) -> bytes:
    """The PDF of `template` rendered with `context` and `pdf_context(css_name)`."""
    return html_to_pdf(render_to_string(template, {**context, **pdf_context(css_name)}))


# --- DOCX --------------------------------------------------------------------------------------------------


class XmlSafeDocument:
    """A python-docx Document whose paragraphs, headings and title drop the characters XML refuses (a form
    feed stored before the forms cleaned the text would otherwise make python-docx raise). Everything else
    is the document's own."""

    def __init__(self):
        from docx import Document

        self._document = Document()

    def add_paragraph(self, text="", style=None):
        return self._document.add_paragraph(xml_text(text), style)

    def add_heading(self, text="", level=1):
        return self._document.add_heading(xml_text(text), level)

    def set_title(self, title: str) -> None:
        self._document.core_properties.title = xml_text(title)

    def __getattr__(self, name):
        return getattr(self._document, name)


def docx_document(title: str, *, author: str | None = None) -> XmlSafeDocument:
    """A new French document titled `title` (its properties), by `author` when given."""
    document = XmlSafeDocument()
    document.set_title(title)
    document.core_properties.language = "fr-FR"
    if author is not None:
        document.core_properties.author = xml_text(author)
    return document


def docx_table(document, headers: list[str], rows: list[list[str]]):
    """A DOCX table with a bold header row; the characters XML refuses are dropped from every cell."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = xml_text(header)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = xml_text(value)
    return table


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- downloads ---------------------------------------------------------------------------------------------


def ctg_file_name(ctg, suffix: str) -> str:
    """« ctg-<id>-<suffix> », every run of characters but ASCII letters, digits, « _ » and « - » of the
    suffix a dash (none at its ends)."""
    return f"ctg-{ctg.pk}-{re.sub(r'[^A-Za-z0-9_-]+', '-', suffix).strip('-')}"


def check_year(ctg, year: int) -> None:
    """A 404 for a year outside of the period of the CTG."""
    if not ctg.start_year <= year <= ctg.end_year:
        raise Http404("Année hors de la période de la CTG.")


def attachment(content, content_type: str, name: str) -> HttpResponse:
    """The response of a file to save as `name` (a name made by the application: no quote nor line break)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

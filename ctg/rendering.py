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
import itertools
import os
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


# --- Big documents in parts, on every core ------------------------------------------------------------------
# WeasyPrint's cost is per line box (about a thousand Python calls each, text or number alike): a 500-fiche
# convention lays out 11,800 of them in one process, on one core, however its tables are written. A template
# marks with `PART_BREAK` where it may be cut: between two top-level blocks of <body> the second of which
# starts a new page. A big document (`PARTS_MIN_CHARS`) is then rendered in parts at once: each part is the
# same page (same <head>, same styles) without its margin boxes; the parts are shared among as many processes
# as cores (fork) by length, not in order (a 500-fiche bilan's head and four enjeux on two cores: 155 + 105 kB
# in order, 126 + 132 kB shared), a process's consecutive parts one document; as each part begins on a new
# page, its pages are those of the whole. The page footers (« Page N / M », whose M only the
# whole knows) are one more WeasyPrint document, of M empty pages with the document's own @page rules, laid
# over the parts' pages (pypdf); the outline is rebuilt from the parts' bookmarks, nested by level across
# them as WeasyPrint nests it, and the title, author and language are the document's. Without a second
# core, or from a process with other threads (the development server, browser tests: forking one is
# unsafe), the document is one render, as a small one. A part that fails fails the render, with its error.
# What a template that marks parts must not do: change the page area on :first, :left, :right or :blank
# pages (a part's first page is its own :first), or refer to a page of another part (target-counter).
# ADR: docs/adr/0003-pdf-in-parts.md.
PART_BREAK = "<!-- ctg:pdf-part -->"
PARTS_MIN_CHARS = 200_000  # below (a 100-fiche convention is 77 kB), one render: a fork would cost more
PART_TIMEOUT_SECONDS = 600
SHARE_TRIES = 5_000  # ways of sharing the parts among the processes tried one by one (2 cores: 12 parts)
_PT_PER_PX = 0.75  # a CSS pixel is 1/96 inch, a PDF point 1/72
_NO_MARGIN_BOXES = (
    "<style>@page { "
    + " ".join(
        f"@{name} {{ content: none !important; }}"
        for name in [
            "top-left-corner",
            "top-left",
            "top-center",
            "top-right",
            "top-right-corner",
            "bottom-left-corner",
            "bottom-left",
            "bottom-center",
            "bottom-right",
            "bottom-right-corner",
            "left-top",
            "left-middle",
            "left-bottom",
            "right-top",
            "right-middle",
            "right-bottom",
        ]
    )
    + " }</style>"
)
_BODY_START = re.compile(r"<body\b[^>]*>", re.I)


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`; a big document marked with `PART_BREAK` is rendered in parts (see above)."""
    big = PART_BREAK in html and len(html) >= PARTS_MIN_CHARS
    if big and _BODY_START.search(html) and "</body>" in html and _can_fork():
        return _pdf_in_parts(html)
    with fewer_collections():
        return html_document(html).write_pdf()


def _split(html: str, workers: int) -> tuple[str, str, list[tuple[int, str]]]:
    """The <head> (to the <body> tag included), the end (from </body>), and the body cut at `PART_BREAK`
    into runs of consecutive parts, in order, each with the worker that renders it: the parts shared among at
    most `workers` as evenly as their lengths allow (`_share`), a worker's consecutive parts one run; worker
    0, this process (which also draws the footers and assembles the PDF), has the lightest load. A part with
    nothing but spaces goes with the next one (the last, with the one before)."""
    start = _BODY_START.search(html)
    end = html.rindex("</body>")
    head, body, tail = html[: start.end()], html[start.end() : end], html[end:]
    pieces = []
    for piece in body.split(PART_BREAK):
        if pieces and not pieces[-1].strip():
            piece = pieces.pop() + piece
        pieces.append(piece)
    if len(pieces) > 1 and not pieces[-1].strip():
        pieces[-2:] = [pieces[-2] + pieces[-1]]
    workers = max(1, min(workers, len(pieces)))
    sizes = [len(piece) for piece in pieces]
    owners = _share(sizes, workers)
    loads = _loads(sizes, owners, workers)
    rank = {worker: n for n, worker in enumerate(sorted(range(workers), key=lambda worker: loads[worker]))}
    runs: list[tuple[int, str]] = []
    for piece, owner in zip(pieces, owners, strict=True):
        if runs and runs[-1][0] == rank[owner]:
            runs[-1] = (rank[owner], runs[-1][1] + piece)
        else:
            runs.append((rank[owner], piece))
    return head, tail, runs


def _loads(sizes: list[int], owners: list[int], workers: int) -> list[int]:
    loads = [0] * workers
    for size, owner in zip(sizes, owners, strict=True):
        loads[owner] += size
    return loads


def _share(sizes: list[int], workers: int) -> list[int]:
    """The worker of each size, the largest load as small as can be: every way tried when there are few
    (`SHARE_TRIES`; ties: the fewest runs of consecutive sizes), else the largest first to the least
    loaded."""
    if workers ** len(sizes) <= SHARE_TRIES:

        def cost(owners):
            changes = sum(a != b for a, b in itertools.pairwise(owners))
            return max(_loads(sizes, owners, workers)), changes

        return list(min(itertools.product(range(workers), repeat=len(sizes)), key=cost))
    loads, owners = [0] * workers, [0] * len(sizes)
    for index in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        owners[index] = min(range(workers), key=lambda worker: loads[worker])
        loads[owners[index]] += sizes[index]
    return owners


def _render_runs(htmls: list[str], laid_out=None) -> list[tuple[bytes, list[tuple[float, list]]]]:
    """Runs, each a document: its PDF, and the height and bookmarks of each of its pages; `laid_out(count)`
    is told their number of pages as soon as all are laid out, before they are drawn."""
    with fewer_collections():
        documents = [html_document(html).render() for html in htmls]
        if laid_out is not None:
            laid_out(sum(len(document.pages) for document in documents))
        return [
            (document.write_pdf(), [(page.height, list(page.bookmarks)) for page in document.pages])
            for document in documents
        ]


def _forked(htmls: list[str], connection) -> None:
    """Runs in a forked process: their number of pages once laid out, then their results (or the error)."""
    try:
        connection.send((True, _render_runs(htmls, lambda count: connection.send(("pages", count)))))
    except BaseException as error:  # reported to the parent, which raises it
        connection.send((False, f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def _can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1


def _answer(receiver):
    """The next message of a forked part; its error, its silence or its end raised here."""
    try:
        if receiver.poll(PART_TIMEOUT_SECONDS):
            message = receiver.recv()
        else:
            message = (False, f"pas de résultat en {PART_TIMEOUT_SECONDS} s")
    except EOFError:
        message = (False, "le processus de rendu s'est arrêté sans résultat")
    if message[0] is False:
        raise RuntimeError(f"Rendu PDF d'une partie du document : {message[1]}")
    return message[1]


def _render_parts(runs: list[tuple[int, str]], frame) -> tuple[list[tuple[bytes, list]], bytes]:
    """Each run (worker, html) rendered, in order: worker 0's here, each other worker's at once in a forked
    process; and `frame(count)`, the page footers of the whole, rendered here as soon as every run is laid
    out (while the others draw)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    by_worker: dict[int, list[str]] = {}
    for worker, html in runs:
        by_worker.setdefault(worker, []).append(html)
    children = []
    try:
        for worker, htmls in sorted(by_worker.items()):
            if worker:
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_forked, args=(htmls, sender), daemon=True)
                process.start()
                sender.close()
                children.append((worker, process, receiver))
        results = {0: _render_runs(by_worker.get(0, []))}
        count = sum(len(pages) for _pdf, pages in results[0])
        count += sum(_answer(receiver) for _worker, _process, receiver in children)
        footers = frame(count)
        results.update((worker, _answer(receiver)) for worker, _process, receiver in children)
    finally:
        for _worker, process, receiver in children:
            receiver.close()
            process.join(timeout=5)
            if process.is_alive():  # no answer, or this process failed first: not left behind
                process.kill()
                process.join()
    rendered = {worker: iter(done) for worker, done in results.items()}
    return [next(rendered[worker]) for worker, _html in runs], footers


def _pdf_in_parts(html: str) -> bytes:
    import pypdf
    from pypdf.generic import Fit, NameObject, TextStringObject

    head, tail, runs = _split(html, os.cpu_count() or 1)
    bare_head = head.replace("</head>", f"{_NO_MARGIN_BOXES}</head>", 1)

    # Collected and frozen before the fork (`fewer_collections`), as Python's documentation advises: the
    # children's collections then leave the parent's objects alone, and their pages stay shared instead of
    # being copied (measured at 500 fiches: the child's own memory 111 → 79 MB).
    def footers(count: int) -> bytes:
        """The footers: as many empty pages, of the same @page rules (the first one « :first »)."""
        blank = '<div style="break-after: page"></div>' * (count - 1) + "<div></div>"
        return html_to_pdf(f"{head}{blank}{tail}")

    with fewer_collections():
        documents = [(worker, f"{bare_head}{run}{tail}") for worker, run in runs]
        rendered, framed = _render_parts(documents, footers)
    writer = pypdf.PdfWriter()
    for data, _pages in rendered:
        writer.append(pypdf.PdfReader(io.BytesIO(data)), import_outline=False)
    pages = [page for _data, part in rendered for page in part]
    # Each footer page over its page (pypdf rewrites the stream merged: the footer's, the small one).
    frame = pypdf.PdfReader(io.BytesIO(framed))
    if len(frame.pages) != len(pages):
        raise RuntimeError(f"Pieds de page du PDF : {len(frame.pages)} pages pour {len(pages)}.")
    for page, footer in zip(writer.pages, frame.pages, strict=True):
        page.merge_page(footer)
        page.compress_content_streams()
    # The outline, nested by level as WeasyPrint nests it (a level below the last one goes under it),
    # pointing where the heading is (CSS pixels from the top → PDF points from the bottom).
    open_items: list[tuple[int, object]] = []
    for number, (height, marks) in enumerate(pages):
        for level, label, (x, y), state in marks:
            while open_items and open_items[-1][0] >= level:
                open_items.pop()
            parent = open_items[-1][1] if open_items else None
            fit = Fit.xyz(left=x * _PT_PER_PX, top=(height - y) * _PT_PER_PX, zoom=0)
            item = writer.add_outline_item(
                title=label, page_number=number, parent=parent, fit=fit, is_open=state != "closed"
            )
            open_items.append((level, item))
    writer.add_metadata(frame.metadata)
    if "/Lang" in frame.trailer["/Root"]:
        writer.root_object[NameObject("/Lang")] = TextStringObject(frame.trailer["/Root"]["/Lang"])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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

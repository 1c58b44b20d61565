"""ctg.rendering: the one set-up of the PDF (WeasyPrint) and DOCX (python-docx) writers and downloads."""

import ast
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.http import Http404

from ctg import rendering

ROOT = Path(rendering.__file__).resolve().parent


def test_the_fonts_folder_is_the_dsfr_one():
    assert rendering.FONTS_DIR.is_dir()
    assert any(rendering.FONTS_DIR.glob("Marianne-Regular.woff2"))
    assert rendering.pdf_context("Nom") == {"fonts_dir": rendering.FONTS_DIR.as_uri(), "css_name": "Nom"}


def test_pdf_renders_a_template_with_the_fonts():
    content = rendering.html_to_pdf("<html lang='fr'><body><p>Bonjour</p></body></html>")
    assert content.startswith(b"%PDF-")


def test_a_render_gives_the_collector_back_as_it_found_it():
    import gc

    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with rendering.fewer_collections():
        assert gc.get_threshold()[0] >= 50_000
        with rendering.fewer_collections():  # a second render at the same time (threads)
            pass
        assert gc.get_threshold()[0] >= 50_000, "the inner render restored the thresholds too early"
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_failed_render_restores_the_collector_too():
    import gc

    before = gc.get_threshold()
    with pytest.raises(ValueError), rendering.fewer_collections():
        raise ValueError("rendu en échec")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_docx_document_drops_what_xml_refuses():
    from docx import Document

    document = rendering.docx_document("Titre\x0c du document", author="CAF\x0b du Tarn")
    document.add_heading("Titre\x0c", level=0)
    document.add_paragraph("Un\x0c paragraphe")
    rendering.docx_table(document, ["A\x0c", "B"], [["1\x0c", "2"]])
    saved = Document(io.BytesIO(rendering.docx_bytes(document)))
    assert saved.core_properties.title == "Titre du document"
    assert saved.core_properties.author == "CAF du Tarn"
    assert saved.core_properties.language == "fr-FR"
    assert [p.text for p in saved.paragraphs] == ["Titre", "Un paragraphe"]
    table = saved.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["A", "B"]
    assert all(run.bold for c in table.rows[0].cells for run in c.paragraphs[0].runs)
    assert [c.text for c in table.rows[1].cells] == ["1", "2"]


def test_downloads():
    ctg = SimpleNamespace(pk=12, start_year=2025, end_year=2028)
    assert rendering.ctg_file_name(ctg, "bilan-2026") == "ctg-12-bilan-2026"
    assert rendering.ctg_file_name(ctg, " rapport d'activité\n2026 ") == "ctg-12-rapport-d-activit-2026"
    rendering.check_year(ctg, 2025)
    rendering.check_year(ctg, 2028)
    for year in (2024, 2029):
        with pytest.raises(Http404):
            rendering.check_year(ctg, year)
    response = rendering.attachment(b"%PDF-", rendering.PDF_TYPE, "ctg-12-bilan-2026.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="ctg-12-bilan-2026.pdf"'


def _calls(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module in ("weasyprint", "docx"):
            found.add(f"from {node.module} import")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("HTML", "Document")
        ):
            found.add(f"{node.func.id}(")
    return found


def test_every_writer_is_set_up_by_the_rendering_module():
    """No module but ctg.rendering calls WeasyPrint or python-docx itself."""
    writers = {}
    for path in ROOT.rglob("*.py"):
        if path.name == "rendering.py" or "migrations" in path.parts:
            continue
        if calls := _calls(path):
            writers[str(path.relative_to(ROOT))] = calls
    assert writers == {}


# A document that has what our PDFs have: lists (bullets and numbers), line breaks, a table over several
# pages, page footers with the page count.
LEAN_SAMPLE = (
    "<html lang='fr'><head><style>"
    "@page { @bottom-right { content: 'Page ' counter(page) ' / ' counter(pages) } }"
    "table { border-collapse: collapse } td { border: 1px solid #bbb }</style></head><body>"
    "<h1>Convention</h1><ul><li>Premier point</li><li>Second point</li></ul>"
    "<ol><li>Un</li><li>Deux</li><li>Trois</li></ol><p>Ligne 1<br>Ligne 2<br>Ligne 3</p>"
    "<table><thead><tr><th>N°</th><th>Budget</th></tr></thead><tbody>"
    + "".join(f"<tr><td>{n}</td><td>CAF : {n} €<br>Commune : {2 * n} €</td></tr>" for n in range(1, 121))
    + "</tbody></table></body></html>"
)


def _pages_text(document) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(document.write_pdf())).pages]


def test_our_user_agent_stylesheet_renders_the_same_text_as_weasyprints():
    lean = _pages_text(rendering.html_document(LEAN_SAMPLE))
    stock = _pages_text(rendering.html_document(LEAN_SAMPLE, lean=False))
    assert len(lean) > 2
    assert lean == stock
    assert "•" in lean[0] and "3." in lean[0], "the list markers are drawn"
    assert f"Page 1 / {len(lean)}" in lean[0]


def test_our_user_agent_stylesheet_computes_no_style_for_pseudo_elements_nobody_draws(monkeypatch):
    from weasyprint.css import StyleFor

    pseudo = []
    set_computed_styles = StyleFor.set_computed_styles

    def spy(self, element, parent, root=None, pseudo_type=None, **kwargs):
        if pseudo_type and getattr(element, "tag", None) == "td":
            pseudo.append(pseudo_type)
        return set_computed_styles(self, element, parent, root=root, pseudo_type=pseudo_type, **kwargs)

    monkeypatch.setattr(StyleFor, "set_computed_styles", spy)
    rendering.html_document(LEAN_SAMPLE, lean=False).render()
    assert "marker" in pseudo and "footnote-call" in pseudo  # the stock stylesheet: six per cell
    pseudo.clear()
    rendering.html_document(LEAN_SAMPLE).render()
    assert pseudo == []


def test_a_weasyprint_whose_stylesheet_changed_is_refused(monkeypatch):
    import weasyprint.html

    monkeypatch.setattr(weasyprint.html, "UA", "p { margin: 1em 0 }\n")
    rendering._lean_user_agent_sheet.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="WeasyPrint a changé"):
            rendering.html_to_pdf("<p>Bonjour</p>")
    finally:
        monkeypatch.undo()
        rendering._lean_user_agent_sheet.cache_clear()
    assert rendering.html_to_pdf("<p>Bonjour</p>").startswith(b"%PDF-")


def test_our_user_agent_stylesheet_is_read_without_warnings(caplog):
    rendering._lean_user_agent_sheet.cache_clear()
    with caplog.at_level("WARNING", logger="weasyprint"):
        rendering._lean_user_agent_sheet()
    assert [r.getMessage() for r in caplog.records if r.name == "weasyprint"] == []

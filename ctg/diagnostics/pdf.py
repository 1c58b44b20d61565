"""The portrait as a PDF, with WeasyPrint: the same figures, readings, SVG charts and map as the web page."""

from pathlib import Path

import dsfr
from django.template.loader import render_to_string

from ctg.diagnostics.presentation import portrait_context

FONTS_DIR = Path(dsfr.__file__).resolve().parent / "static" / "dsfr" / "dist" / "fonts"


def render_portrait_html(portrait) -> str:
    context = portrait_context(portrait, for_pdf=True)
    context["fonts_dir"] = FONTS_DIR.as_uri()
    # The name in a CSS string of the <style> element (raw text: no HTML escaping there).
    context["css_name"] = portrait.territory.name  # escaped for CSS by the css_string filter
    return render_to_string("diagnostics/pdf.html", context)


def render_portrait_pdf(portrait) -> bytes:
    from weasyprint import HTML

    html = render_portrait_html(portrait)
    return HTML(string=html, base_url=str(FONTS_DIR)).write_pdf()

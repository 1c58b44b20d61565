"""The portrait as a PDF, with WeasyPrint: the same figures, readings, SVG charts and map as the web page."""

from django.template.loader import render_to_string

from ctg.diagnostics.presentation import portrait_context
from ctg.rendering import html_to_pdf, pdf_context


def render_portrait_html(portrait, fields=None) -> str:
    """`fields`: a dossier's fields of intervention, whose indicators lead the points of attention."""
    context = portrait_context(portrait, for_pdf=True, fields=fields)
    # The name in a CSS string of the <style> element (raw text: no HTML escaping there), escaped for CSS by
    # the css_string filter.
    context.update(pdf_context(portrait.territory.name))
    return render_to_string("diagnostics/pdf.html", context)


def render_portrait_pdf(portrait, fields=None) -> bytes:
    return html_to_pdf(render_portrait_html(portrait, fields))

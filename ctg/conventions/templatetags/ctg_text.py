"""Template filters for text written outside HTML element content. `{% load ctg_text %}`."""

from django import template
from django.utils.safestring import mark_safe

from ctg import text

register = template.Library()


@register.filter
def css_string(value):
    """`content: "{{ name|css_string }}"` in a <style> element (the footers of the PDFs): the value escaped
    for a double-quoted CSS string by `ctg.text.css_string`, so it needs no (and must get no) HTML
    escaping."""
    return mark_safe(text.css_string(value))  # noqa: S308 - escaped for CSS by ctg.text.css_string

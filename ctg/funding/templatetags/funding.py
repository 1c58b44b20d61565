"""Figures of the funding pages in French: 3 600, 0,75, 1,25 (non-breaking spaces, decimal comma, no
trailing zeros)."""

from django import template

from ctg.funding.rules import fr_number

register = template.Library()


@register.filter
def figure(value):
    if value is None or value == "":
        return ""
    return fr_number(value)

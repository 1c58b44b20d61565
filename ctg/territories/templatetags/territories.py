from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def population(value):
    """34 969 in French style; "non renseignée" for the uninhabited places the census does not count."""
    if value is None or value == "":
        return "non renseignée"
    return intcomma(value)

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from ctg.territories import french
from ctg.territories.models import Epci

register = template.Library()


@register.filter
def population(value):
    """34 969 in French style; "non renseignée" for the uninhabited places the census does not count."""
    if value is None or value == "":
        return "non renseignée"
    return intcomma(value)


# Place names in sentences (ctg.territories.french): `{{ departement|de_nom }}` → « de la Haute-Vienne »,
# `{{ commune|de_commune }}` → « de la commune d'Aureil », `{{ epci|de_epci }}` → « de la CC du … »,
# `{{ "de"|contracte:phrase }}` → « des communes … ». Each returns plain text: autoescape applies.


def _tncc(value):
    return getattr(value, "type_liaison", None)


def _name(value):
    return getattr(value, "name", value)


@register.filter
def de_nom(value):
    """« de » and a département's or commune's name: « de la Haute-Vienne », « du Vigen », « d'Aureil »."""
    if isinstance(value, Epci):
        return french.epci_of(value.name, value.nature)
    return french.of(_name(value), _tncc(value))


@register.filter
def avec_article(value):
    """The name with its article: « la Haute-Vienne », « le Vigen », « la CC du … »."""
    if isinstance(value, Epci):
        return french.epci_with_article(value.name, value.nature)
    return french.with_article(_name(value), _tncc(value))


@register.filter
def de_commune(value):
    """« de la commune d'Aureil »."""
    return french.commune_of(value)


@register.filter
def de_epci(value):
    """« de la CC du Val de Vienne », « de Limoges Métropole »."""
    return french.epci_of(_name(value), getattr(value, "nature", ""))


@register.filter
def contracte(preposition, phrase):
    """« de »/« à » joined to a phrase: `{{ "de"|contracte:"les communes" }}` → « des communes »."""
    return french.contract(str(preposition), str(phrase or ""))


@register.filter
def a_nom(value):
    """« à » and a commune's or département's name: « au Vigen », « à Aureil », « aux Cars »."""
    return french.to(_name(value), _tncc(value))


@register.filter
def de_organisation(value):
    """« de » and an organisation's name: « de la CAF du Tarn », « du Conseil départemental du Tarn »."""
    return french.organisation_of(_name(value))

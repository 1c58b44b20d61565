"""The convention names its territory as French writes it (issue 11, item 7): « le territoire des communes
d'Aureil et du Vigen », never « de les communes de Aureil »."""

import re

import pytest

from ctg.documents import content, defaults, placeholders
from ctg.documents.placeholders import render
from ctg.organisations.models import Organisation
from tests.factories import (
    CommuneFactory,
    DepartementFactory,
    EpciFactory,
    OrganisationFactory,
    SignatoryFactory,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("les communes d'Aureil et du Vigen", "le territoire des communes d'Aureil et du Vigen."),
        ("la commune d'Aureil", "le territoire de la commune d'Aureil."),
        ("le Vigen", "le territoire du Vigen."),
        ("Aureil", "le territoire d'Aureil."),
        ("Limoges Métropole", "le territoire de Limoges Métropole."),
    ],
)
def test_de_before_a_placeholder_is_contracted(value, expected):
    assert render("le territoire de {{ territoire.type }}.", {"territoire.type": value}) == expected


def test_a_before_a_placeholder_and_a_capital_de():
    values = {"territoire.type": "les communes de Limoges et Panazol"}
    assert render("Aide à {{ territoire.type }}", values) == "Aide aux communes de Limoges et Panazol"
    assert render("De {{ territoire.type }}", values) == "Des communes de Limoges et Panazol"
    # A « de » inside a word or an empty value is left alone.
    assert render("code {{ territoire.type }}", values) == "code les communes de Limoges et Panazol"
    assert render("territoire de {{ partenaires }}", {}) == "territoire de "


def test_default_articles_read_as_french(db):
    haute_vienne = DepartementFactory(code="87", name="Haute-Vienne", type_liaison=3)
    communes = [
        CommuneFactory(name="Aureil", type_liaison=1, departement=haute_vienne),
        CommuneFactory(name="Le Vigen", type_liaison=2, departement=haute_vienne),
        CommuneFactory(name="Les Cars", type_liaison=4, departement=haute_vienne),
    ]
    ctg = type("Ctg", (), {})()
    ctg.epci_id = None
    ctg.communes = type("Manager", (), {"order_by": lambda self, *a: communes})()
    territory = content.territory_type(ctg)
    assert territory == "les communes d'Aureil, du Vigen et des Cars"
    values = {"territoire.type": territory}
    texts = " ".join(placeholders.render(a.body, values) for a in defaults.ARTICLES)
    assert "le territoire des communes d'Aureil, du Vigen et des Cars" in texts
    assert "habitants des communes d'Aureil" in texts
    assert not re.search(r"\b[Dd]e (le|les|Le|Les|La) |\b[Dd]e [AEIOUaeiou]", texts)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CC du Val de Vienne", "la communauté de communes du Val de Vienne"),
        ("Métropole de Lyon", "la métropole de Lyon"),
        ("Eurométropole de Strasbourg", "l'Eurométropole de Strasbourg"),
        ("Limoges Métropole", "la communauté urbaine Limoges Métropole"),
    ],
)
def test_epci_territory(db, name, expected):
    nature = {"CC du Val de Vienne": "CC", "Limoges Métropole": "CU"}.get(name, "METRO")
    epci = EpciFactory(name=name, nature=nature)
    ctg = type("Ctg", (), {"epci_id": epci.pk, "epci": epci, "excluded_names": []})()
    assert content.territory_type(ctg) == expected


def test_parties_agree_with_the_organisation(world):
    ctg = world.ctg
    ctg.signatories.all().delete()
    council = OrganisationFactory(
        kind=Organisation.Kind.DEPARTEMENT,
        name="Conseil départemental du Tarn",
        departement=ctg.caf.departement,
    )
    SignatoryFactory(ctg=ctg, organisation=ctg.caf, signer_name="Claire Martin", signer_capacity="Directrice")
    SignatoryFactory(ctg=ctg, organisation=council, signer_name="Luc Roy", signer_capacity="Président")
    lines = content.parties(ctg, list(ctg.signatories.order_by("position", "id")))
    assert lines[0].startswith("CAF du Tarn, représentée par Claire Martin")
    assert lines[1] == "Conseil départemental du Tarn, représenté par Luc Roy, Président."

"""The placeholders of a convention model: validation (every error case) and rendering, without Django's
template engine."""

import pytest

from ctg.documents import defaults, placeholders
from ctg.documents.placeholders import CATALOGUE, join_fr, render, used, validate


def test_every_catalogue_entry_has_a_french_description():
    assert "territoire.nom" in CATALOGUE and "coordination.poste" in CATALOGUE and "instances" in CATALOGUE
    assert all(description.strip().endswith(".") for description in CATALOGUE.values())


def test_a_valid_text_has_no_error_and_renders():
    text = "Convention de {{ territoire.type }} pour {{duree}} ({{ periode }})."
    assert validate(text) == []
    values = {
        "territoire.type": "la communauté de communes du Test",
        "duree": "4 ans",
        "periode": "2025-2028",
    }
    assert render(text, values) == "Convention de la communauté de communes du Test pour 4 ans (2025-2028)."
    assert used(text) == ["territoire.type", "duree", "periode"]


def test_a_text_without_placeholder_is_kept():
    assert validate("Texte simple, avec } et { seuls.") == []
    assert render("Texte simple, avec } et { seuls.", {}) == "Texte simple, avec } et { seuls."


def test_missing_value_renders_empty():
    assert render("[{{ partenaires }}]", {}) == "[]"


def test_unknown_placeholder_with_a_close_suggestion():
    errors = validate("Le {{ territoire.nomm }} signe.")
    assert errors == [
        "Repère inconnu : « {{ territoire.nomm }} ». Vouliez-vous dire « {{ territoire.nom }} » ?"
    ]


def test_unknown_placeholder_lists_the_known_ones():
    (error,) = validate("{{ budget_total }}")
    assert error.startswith("Repère inconnu : « {{ budget_total }} ». Repères disponibles : ")
    assert "territoire.communes" in error and "date_signature" in error


def test_unclosed_braces():
    assert validate("Période {{ periode") == ["Accolades « {{ » non fermées : « {{ periode »."]
    errors = validate("{{ periode {{ duree }}")
    assert errors == ["Accolades « {{ » non fermées : « {{ periode {{ duree }} »."]


def test_tags_comments_filters_and_empty_are_refused():
    assert validate("{% if x %}oui{% endif %}") == [
        "Les balises « {% … %} » ne sont pas autorisées : utilisez uniquement des repères « {{ nom }} »."
    ]
    assert validate("{# note #}") == ["Les commentaires « {# … #} » ne sont pas autorisés."]
    assert validate("{{ periode|upper }}") == [
        "Les filtres ne sont pas autorisés : « {{ periode|upper }} » (écrivez « {{ nom }} »)."
    ]
    assert validate("{{ }}") == ["Repère vide : « {{ }} »."]


def test_attribute_access_and_python_are_not_placeholders():
    assert validate("{{ caf.__class__ }}")[0].startswith("Repère inconnu : « {{ caf.__class__ }} »")
    assert validate("{{ settings.SECRET_KEY }}")[0].startswith("Repère inconnu")


def test_every_error_is_reported_once():
    errors = validate("{{ x }} {{ x }} {{ periode|lower }}")
    assert len(errors) == 2


def test_render_refuses_an_invalid_text():
    with pytest.raises(ValueError, match="Repère inconnu"):
        render("{{ inconnu }}", {})


def test_render_does_not_interpret_values():
    assert render("{{ intitule }}", {"intitule": "{{ periode }} <b>"}) == "{{ periode }} <b>"


def test_join_fr():
    assert join_fr([]) == ""
    assert join_fr(["Albi"]) == "Albi"
    assert join_fr(["Albi", "Castres", "Gaillac"]) == "Albi, Castres et Gaillac"


def test_the_national_model_is_valid_with_stable_keys():
    keys = [a.key for a in defaults.ARTICLES]
    assert len(keys) == len(set(keys))
    for required in (
        "preambule",
        "objet",
        "territoire",
        "periode",
        "champs",
        "engagements-caf",
        "engagements-collectivite",
        "engagements-signataires",
        "gouvernance",
        "suivi-evaluation",
        "modification-resiliation",
    ):
        assert required in keys
    for article in defaults.ARTICLES:
        assert placeholders.validate(article.title) == []
        assert placeholders.validate(article.body) == []
    assert set().union(*(used(a.body) for a in defaults.ARTICLES)) >= {
        "territoire.type",
        "periode",
        "instances",
    }

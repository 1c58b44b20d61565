"""The CAF's model of convention: the page (CAF people only), saving, adding, deleting, restoring, and the
refusal of an invalid placeholder with nothing saved."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.urls import reverse

from ctg.documents import defaults, services
from ctg.documents.models import ConventionArticle, ConventionTemplate
from tests.conftest import PASSWORD

URL = "/convention/modele/"


def _post_data(articles, **changes):
    """POST data of the page for `articles` [(key, title, body)];
    `changes`: {key: {"title"|"body"|"delete"}}."""
    data = {"key": [], "new-title": "", "new-body": ""}
    for key, title, body in articles:
        data["key"].append(key)
        change = changes.get(key, {})
        data[f"title-{key}"] = change.get("title", title)
        data[f"body-{key}"] = change.get("body", body)
        if change.get("delete"):
            data[f"delete-{key}"] = "1"
    return data


def _defaults():
    return [(a.key, a.title, a.body) for a in defaults.ARTICLES]


@pytest.fixture
def caf_client(client, world):
    client.login(email=world.users["pilote_caf"].email, password=PASSWORD)
    return client


def test_url_name():
    assert reverse("documents:template") == URL


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize(
    "role", ["coordination", "referent_communal", "partenaire", "lecture", "other_member"]
)
def test_people_outside_a_caf_get_403(client, world, role):
    client.login(email=world.users[role].email, password=PASSWORD)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _post_data(_defaults())).status_code == 403
    assert client.post(reverse("documents:template_reset")).status_code == 403
    assert not ConventionTemplate.objects.exists()


def test_the_page_shows_the_national_model_and_the_catalogue(caf_client):
    response = caf_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Modèle de convention — CAF du Tarn" in html
    assert "La CAF utilise le modèle national." in html
    assert "Article 8 — Gouvernance" in html
    assert "{{ coordination.poste }}" in html
    assert "Poste de coordination : personne, employeur et temps de travail (ETP)." in html


def test_save_edits_adds_and_deletes_with_who_and_when(caf_client, world):
    data = _post_data(
        _defaults(),
        objet={
            "title": "Article 1 — Objet",
            "body": "Projet social de {{ territoire.type }} ({{ periode }}).",
        },
        preambule={"delete": True},
    )
    data["new-title"] = "Article 11 — Communication"
    data["new-body"] = "Les signataires mentionnent le soutien de la {{ caf.nom }}."
    response = caf_client.post(URL, data)
    assert response.status_code == 302 and response.url == URL
    template = ConventionTemplate.objects.get(caf=world.ctg.caf)
    user = world.users["pilote_caf"]
    assert template.created_by == user and template.updated_by == user
    articles = list(template.articles.all())
    assert [a.key for a in articles][0] == "objet"
    assert "preambule" not in [a.key for a in articles]
    objet = articles[0]
    assert objet.title == "Article 1 — Objet" and objet.updated_by == user and objet.position == 0
    added = articles[-1]
    assert added.title == "Article 11 — Communication" and added.key == "article-11-communication"
    assert added.created_by == user
    page = caf_client.get(URL).content.decode()
    assert "Le modèle de convention est enregistré." in page
    assert "Modèle propre à la CAF, modifié le" in page


def test_invalid_placeholder_is_refused_and_nothing_saved(caf_client, world):
    caf_client.post(URL, _post_data(_defaults()))  # the CAF's own copy
    template = ConventionTemplate.objects.get(caf=world.ctg.caf)
    before = list(template.articles.values_list("key", "title", "body", "position"))
    data = _post_data(
        _defaults(),
        objet={"title": "Objet modifié", "body": "Texte {{ territoire.nomm }}."},
        preambule={"delete": True},
    )
    data["new-title"] = "Nouvel article"
    data["new-body"] = "Texte valide."
    response = caf_client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Le modèle n'est pas enregistré" in html
    assert "Article « Objet modifié » (texte) : Repère inconnu : « {{ territoire.nomm }} »" in html
    assert "Vouliez-vous dire « {{ territoire.nom }} »" in html
    assert "Objet modifié" in html  # what was typed is kept on the page
    assert list(template.articles.values_list("key", "title", "body", "position")) == before


def test_invalid_first_save_creates_no_model(caf_client, world):
    response = caf_client.post(URL, _post_data(_defaults(), champs={"body": "{% load x %}"}))
    assert response.status_code == 400
    assert "Les balises « {% … %} » ne sont pas autorisées" in response.content.decode()
    assert not ConventionTemplate.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"objet": {"title": " "}}, "le titre est obligatoire"),
        ({"objet": {"body": ""}}, "le texte est obligatoire"),
        ({"objet": {"title": "x" * 251}}, "le titre dépasse 250 caractères"),
        ({"objet": {"title": "Objet {{ periode|upper }}"}}, "(titre) : Les filtres ne sont pas autorisés"),
        ({"objet": {"body": "{{ periode"}}, "Accolades « {{ » non fermées"),
    ],
)
def test_bad_inputs_are_refused(caf_client, world, change, message):
    response = caf_client.post(URL, _post_data(_defaults(), **change))
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert not ConventionArticle.objects.exists()


def test_deleting_every_article_is_refused(world):
    with pytest.raises(ValidationError, match="au moins un article"):
        services.template_save(
            caf=world.ctg.caf,
            actor=world.users["pilote_caf"],
            articles=[{"key": k, "title": t, "body": b, "delete": True} for k, t, b in _defaults()],
        )
    assert not ConventionArticle.objects.exists()


def test_a_stale_or_forged_list_of_articles_is_refused(world):
    actor = world.users["pilote_caf"]
    rows = [{"key": k, "title": t, "body": b} for k, t, b in _defaults()]
    with pytest.raises(ValidationError, match="rechargez la page"):
        services.template_save(caf=world.ctg.caf, actor=actor, articles=rows[:-1])
    with pytest.raises(ValidationError, match="Article inconnu ou en double"):
        services.template_save(caf=world.ctg.caf, actor=actor, articles=[*rows, rows[0]])
    assert not ConventionArticle.objects.exists()


def test_new_article_without_title_is_refused(world):
    rows = [{"key": k, "title": t, "body": b} for k, t, b in _defaults()]
    with pytest.raises(ValidationError, match="nouvel article.*le titre est obligatoire"):
        services.template_save(
            caf=world.ctg.caf,
            actor=world.users["pilote_caf"],
            articles=rows,
            new={"title": "", "body": "Texte"},
        )
    assert not ConventionArticle.objects.exists()


def test_only_a_caf_has_a_model(world):
    with pytest.raises(ValidationError, match="Seule une CAF"):
        services.template_get_or_create(caf=None, actor=None)


def test_restore_the_national_model(caf_client, world):
    caf_client.post(URL, _post_data(_defaults(), objet={"title": "Objet local"}, preambule={"delete": True}))
    other = world.users["other_caf"]
    response = caf_client.post(reverse("documents:template_reset"))
    assert response.status_code == 302
    template = ConventionTemplate.objects.get(caf=world.ctg.caf)
    assert [(a.key, a.title) for a in template.articles.all()] == [
        (a.key, a.title) for a in defaults.ARTICLES
    ]
    assert template.updated_by == world.users["pilote_caf"]
    assert "Le modèle national de convention est rétabli." in caf_client.get(URL).content.decode()
    assert not ConventionTemplate.objects.filter(caf=other.organisation).exists()


def test_each_caf_edits_its_own_model(client, world):
    client.login(email=world.users["other_caf"].email, password=PASSWORD)
    response = client.post(URL, _post_data(_defaults(), objet={"title": "Objet de l'Aude"}))
    assert response.status_code == 302
    assert ConventionTemplate.objects.get().caf == world.users["other_caf"].organisation
    assert "Modèle de convention — CAF de l&#x27;Aude" in client.get(URL).content.decode()

"""The public pages of a CTG: what a published dossier shows to anyone (and, as important, what it never
shows), the choices of its signatories, 404 when it is not online, the embeddable version (the only page
other sites may frame), the settings page and its preview, the link from the dossier's home."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from ctg.conventions.models import Ctg
from ctg.public import selectors, services
from ctg.public.models import Publication
from tests.security.test_csp_header import directives

PAGE = "/ctg-publique/cc-du-test-2025-2028/"
EMBED = "/ctg-publique/cc-du-test-2025-2028/integration/"


def _text(response) -> str:
    """The page's text, tags dropped and spaces joined (the words a visitor reads)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'")
    return re.sub(r"[ \t\r\n]+", " ", text).strip()  # no-break spaces of the figures kept


def test_urls_are_distinctive():
    assert reverse("public:list") == "/ctg-publique/"
    assert reverse("public:page", args=["cc-du-test-2025-2028"]) == PAGE
    assert reverse("public:embed", args=["cc-du-test-2025-2028"]) == EMBED
    assert reverse("public:settings", args=[7]) == "/ctg/7/publication/"


def test_the_public_page_shows_the_ctg_to_anyone(client, world, plan, published, figures):
    response = client.get(PAGE)
    assert response.status_code == 200
    text = _text(response)
    assert "Convention territoriale globale de la CC du Test 2025-2028" in text
    assert "Période 2025-2028" in text
    assert "CAF du Tarn : signée le 8 février 2025" in text
    assert "Conseil départemental du Tarn : signature à venir" in text
    assert "Enjeu 1. Soutenir les familles" in text
    assert "Objectif 1.1. Mieux accueillir les tout-petits" in text
    assert "Objectif opérationnel 1.1.1. Créer des places d'accueil" in text
    # Number, title, status, progress (its indicator this year), pilot organisation (on by default).
    assert "Fiche 1.1.1. Ouvrir une micro-crèche En cours Atteint Centre social du Test" in text
    assert "Population (recensement)" in text
    assert "Aucun questionnaire n'est ouvert au public pour l'instant." in text


def test_the_public_page_never_shows_internal_or_personal_data(client, world, plan, published, figures):
    text = _text(client.get(PAGE))
    for hidden in (
        "Dominique Signataire",  # a signer's name
        "Directrice",
        "Camille Pilote",  # the fiche's pilot person
        "Note interne confidentielle",
        "Commentaire interne de suivi",
        "Devis du bâtiment",  # an attachment's title and file
        "devis-batiment",
        "Places créées",  # an indicator's detail stays in the dossier
        "Historique",
        "@",  # no email at all (no contact chosen)
        "12 000",  # no budget unless chosen
        "Budget",
    ):
        assert hidden not in text, hidden
    for user in world.users.values():
        assert user.email not in text


def test_budget_totals_pilots_progress_and_figures_follow_the_choices(
    client, world, plan, published, figures
):
    services.publication_set(
        ctg=world.ctg,
        actor=world.users["pilote_caf"],
        show_budgets=True,
        show_pilots=False,
        show_key_figures=False,
        show_progress=False,
        contact_email="ctg@cc-du-test.fr",
    )
    text = _text(client.get(PAGE))
    # The totals over the years and funders, never the lines.
    assert "Budget prévu" in text and "20\u202f000\u00a0€" in text and "3\u202f000\u00a0€" in text
    assert "12\u202f000" not in text and "8\u202f000" not in text
    assert "Centre social du Test" not in text
    assert "Avancement" not in text and "Atteint" not in text
    assert "chiffres clés" not in text.lower()
    assert "ctg@cc-du-test.fr" in text


def test_partial_secret_and_missing_figures_say_so(client, world, plan, published, figures):
    response = client.get(PAGE)
    text = _text(response)
    figures_part = text.split("Les chiffres clés du diagnostic", 1)[1]
    assert "Population (recensement) 6\u202f000\u00a0hab. 2021 389\u202f844\u00a0hab." in figures_part
    # The partial figure is labelled, with its coverage; the secret one too, without a value.
    assert "Partiel" in figures_part and "partiel : 2 communes sur 3, 80 % de la population" in figures_part
    assert "Secret statistique" in figures_part and "secret statistique : 1 commune sur 3" in figures_part
    # A missing reference says why, once, under the table.
    assert "Référence départementale non déterminée pour ce territoire." in figures_part
    assert "Département" in figures_part and "France" in figures_part


def test_key_figures_without_statistics_say_they_are_not_available(client, world, plan, published):
    text = _text(client.get(PAGE))
    assert "Les chiffres clés du territoire ne sont pas encore disponibles." in text


def test_a_fictitious_dossier_says_so(client, world, plan, published, figures):
    assert "Données fictives" not in _text(client.get(PAGE))
    Ctg.objects.filter(pk=world.ctg.pk).update(is_fictitious=True)
    assert "Données fictives" in _text(client.get(PAGE))
    assert "Données fictives" in _text(client.get(EMBED))
    assert "Données fictives" in _text(client.get("/ctg-publique/"))


@pytest.mark.parametrize("path", [PAGE, EMBED])
def test_not_online_answers_404(client, world, plan, figures, path):
    assert client.get(path).status_code == 404  # never published
    services.publication_set(ctg=world.ctg, actor=world.users["pilote_caf"])
    assert client.get(path).status_code == 404  # set up, not published
    services.publish(ctg=world.ctg, actor=world.users["pilote_caf"])
    assert client.get(path).status_code == 200
    services.withdraw(ctg=world.ctg, actor=world.users["pilote_caf"])
    assert client.get(path).status_code == 404  # withdrawn
    client.force_login(world.users["pilote_caf"])
    assert client.get(path).status_code == 404  # even for its own signatories
    assert client.get("/ctg-publique/cc-inconnue-2025-2028/").status_code == 404


def test_each_address_shows_its_own_dossier(client, world, plan, published, figures):
    other = services.publish(ctg=world.other_ctg, actor=world.users["other_caf"])
    assert other.slug.startswith("cc-voisine-")
    text = _text(client.get(f"/ctg-publique/{other.slug}/"))
    assert "CC Voisine" in text and "Soutenir les familles" not in text
    assert "Soutenir les familles" in _text(client.get(PAGE))


def test_the_list_shows_only_what_is_online(client, world, plan, published):
    services.publication_set(ctg=world.other_ctg, actor=world.users["other_caf"])
    response = client.get("/ctg-publique/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{PAGE}"' in html
    assert "CTG voisine" not in html
    services.withdraw(ctg=world.ctg, actor=world.users["pilote_caf"])
    assert "Aucune CTG n'est publiée pour l'instant." in _text(client.get("/ctg-publique/"))


def test_the_public_pages_refuse_post(client, world, published):
    for path in ("/ctg-publique/", PAGE, EMBED):
        assert client.post(path).status_code == 405


# --- framing -------------------------------------------------------------------------------------------


def test_only_the_embed_page_may_be_framed(client, world, plan, published, figures):
    embed = client.get(EMBED)
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    policy = directives(embed["Content-Security-Policy"])
    assert policy["frame-ancestors"] == "*"
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    for path in ("/ctg-publique/", PAGE, "/"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert directives(response["Content-Security-Policy"])["frame-ancestors"] == "'none'", path
    client.force_login(world.users["pilote_caf"])
    response = client.get(f"/ctg/{world.ctg.pk}/publication/")
    assert response["X-Frame-Options"] == "DENY"
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == "'none'"
    # A 404 of the embed address keeps the defaults too.
    services.withdraw(ctg=world.ctg, actor=world.users["pilote_caf"])
    response = client.get(EMBED)
    assert response.status_code == 404 and response["X-Frame-Options"] == "DENY"


def test_the_embed_page_is_compact_and_links_to_the_full_page(client, world, plan, published, figures):
    response = client.get(EMBED)
    html = response.content.decode()
    text = _text(response)
    assert "Soutenir les familles" in text and "Mieux accueillir les tout-petits" in text
    assert (
        'href="http://testserver/ctg-publique/cc-du-test-2025-2028/" target="_blank" rel="noopener"' in html
    )
    assert 'class="fr-header"' not in html and 'class="fr-footer"' not in html
    assert "Allocataires" in text or "Foyers allocataires" in text
    assert "(partiel)" in text
    assert "Camille Pilote" not in text and "Note interne" not in text


# --- settings ------------------------------------------------------------------------------------------


def test_the_settings_page_previews_what_the_public_sees(client, world, plan, figures):
    client.force_login(world.users["coordination"])
    url = f"/ctg/{world.ctg.pk}/publication/"
    response = client.get(url)
    assert response.status_code == 200
    text = _text(response)
    assert "Non publiée" in text and "Publier la page publique" in text
    assert "Aperçu : ce que voit le public" in text
    preview = text.split("Aperçu : ce que voit le public", 1)[1]
    assert "Ouvrir une micro-crèche" in preview and "Centre social du Test" in preview
    assert "Camille Pilote" not in preview and "Note interne" not in preview
    # The snippet, shown as text: an iframe with a title, escaped once.
    html = response.content.decode()
    snippet = (
        '<iframe src="http://testserver/ctg-publique/cc-du-test-2025-2028/integration/" '
        'title="Convention territoriale globale de la CC du Test 2025-2028" width="100%" height="600" '
        'loading="lazy"></iframe>'
    )
    assert f">{escape(snippet)}</textarea>" in html
    assert 'data-ctg-copy="embed-snippet" hidden' in html and "ctg/copy_snippet.js" in html
    assert not Publication.objects.exists()  # looking is not setting up


def test_the_snippet_escapes_the_title():
    from ctg.public.views import embed_snippet

    snippet = embed_snippet('https://x.fr/a?b=1&c="2"', "CTG <de> l'Étang & co")
    assert snippet.startswith('<iframe src="https://x.fr/a?b=1&amp;c=&quot;2&quot;" ')
    assert 'title="CTG &lt;de&gt; l\'Étang &amp; co"' in snippet


def test_settings_publish_choose_and_withdraw_through_the_pages(client, world, plan, figures):
    client.force_login(world.users["pilote_caf"])
    url = f"/ctg/{world.ctg.pk}/publication/"
    response = client.post(f"{url}publier/")
    assert response.status_code == 302 and response.url == url
    assert client.get(PAGE).status_code == 200
    response = client.post(
        url,
        {"show_budgets": "on", "show_key_figures": "on", "introduction": "Bienvenue", "contact_email": ""},
    )
    assert response.status_code == 302
    publication = selectors.publication_of(world.ctg)
    assert publication.show_budgets and not publication.show_pilots and not publication.show_progress
    assert "Bienvenue" in _text(client.get(PAGE))
    response = client.post(url, {"contact_email": "pas une adresse"})
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide." in response.content.decode() or "valide" in _text(response)
    assert selectors.publication_of(world.ctg).contact_email == ""
    text = _text(client.get(url))
    assert "En ligne" in text and "Retirer la page publique" in text
    response = client.post(f"{url}retirer/", follow=True)
    assert "La page publique de la CTG est retirée." in _text(response)
    assert client.get(PAGE).status_code == 404
    # Withdrawing twice says why, and changes nothing.
    response = client.post(f"{url}retirer/", follow=True)
    assert "n'est pas publiée" in _text(response)


@pytest.mark.parametrize("role", ["referent_communal", "partenaire", "lecture"])
def test_readers_of_the_dossier_cannot_publish(client, world, role):
    client.force_login(world.users[role])
    url = f"/ctg/{world.ctg.pk}/publication/"
    assert client.get(url).status_code == 403
    assert client.post(f"{url}publier/").status_code == 403
    assert not Publication.objects.exists()


def test_the_dossier_home_links_to_the_public_page_and_its_settings(client, world, plan):
    home = f"/ctg/{world.ctg.pk}/"
    client.force_login(world.users["lecture"])
    text = _text(client.get(home))
    assert "Page publique" in text and "La CTG n'est pas présentée au public." in text
    assert "Choisir ce qui est publié" not in text
    services.publish(ctg=world.ctg, actor=world.users["pilote_caf"])
    html = client.get(home).content.decode()
    assert f'href="{PAGE}"' in html
    client.force_login(world.users["coordination"])
    html = client.get(home).content.decode()
    assert f'href="/ctg/{world.ctg.pk}/publication/"' in html


def test_the_public_page_lists_the_open_questionnaires_by_their_public_link(world, client):
    from ctg.surveys import services as surveys
    from tests.factories import CtgFactory
    from tests.surveys.helpers import build

    actor = world.users["coordination"]

    def questionnaire(ctg, title, *, open_it=True, kind="public", active=True):
        made = build(ctg, actor=actor, title=title, open_it=open_it).questionnaire
        link = surveys.link_create(questionnaire=made, actor=actor, channel="site de l'EPCI")
        made.links.exclude(pk=link.pk).delete()  # the sample's own links
        made.links.update(kind=kind, is_active=active)
        return link

    assert selectors.open_questionnaires(world.ctg) == []
    shown = questionnaire(world.ctg, "Familles et modes de garde")
    questionnaire(world.ctg, "Brouillon non diffusé", open_it=False)
    questionnaire(world.ctg, "Partenaires seulement", kind="usage_unique")
    questionnaire(world.ctg, "Lien désactivé", active=False)
    questionnaire(CtgFactory(caf=world.ctg.caf), "Autre dossier")
    found = selectors.open_questionnaires(world.ctg)
    assert found == [
        {"title": "Familles et modes de garde", "url": f"/questionnaire/{shown.token}/", "closes_on": None}
    ]
    services.publish(ctg=world.ctg, actor=world.users["pilote_caf"])
    html = client.get(PAGE).content.decode()
    assert f'href="/questionnaire/{shown.token}/"' in html and "Familles et modes de garde" in html
    for hidden in ("Brouillon non diffusé", "Partenaires seulement", "Lien désactivé", "Autre dossier"):
        assert hidden not in html

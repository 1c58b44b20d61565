"""« A portrait people read » (issue 13, item 5): key figures first, each with the département and France and
its status; a theme menu whose links reach the page's sections; the map near the top; each theme's chart
followed by the accordions holding its figures and its table; the PDF in the same order."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ctg.diagnostics import engine
from ctg.diagnostics.importers import import_dataset
from ctg.diagnostics.pdf import render_portrait_html, render_portrait_pdf
from ctg.diagnostics.portrait import build_portrait, resolve_territory
from ctg.diagnostics.presentation import KEY_FIGURES, key_figures, portrait_context
from ctg.organisations.permissions import Role
from tests.factories import CtgFactory, MembershipFactory, UserFactory

from .conftest import CAF_HEADER, write
from .test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture
def partial_caf(portrait_data, tmp_path):  # noqa: F811
    """CAF recipients imported for Albi only: the EPCI's « Foyers allocataires » is partial."""
    import_dataset(write(tmp_path, "inseecaf2021.csv", [CAF_HEADER, '"810040101";"0";1132;88;154']))
    engine.reset()
    return portrait_data


class Ids(HTMLParser):
    """Every id of a page, and the href of the theme menu's links."""

    def __init__(self, html: str):
        super().__init__()
        self.ids, self.menu = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and "fr-sidemenu__link" in (attrs.get("class") or ""):
            self.menu.append(attrs["href"])


def card(html: str, key: str) -> str:
    match = re.search(
        rf'<div class="fr-card[^"]*" id="chiffre-{key}">(.*?)<div class="fr-card__footer">', html, re.S
    )
    assert match, key
    return match.group(1)


def test_key_figures_come_first_with_their_references(client, portrait_data):  # noqa: F811
    html = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN])).content.decode()
    order = [
        html.index(f'id="{anchor}"') for anchor in ("chiffres-cles", "portrait-attention", "portrait-carte")
    ]
    assert order == sorted(order) and order[-1] < html.index('id="theme-demographie"')
    assert html.index('class="ctg-map"') < html.index('id="theme-demographie"')  # the map near the top
    population = card(html, "population")
    # The portrait's figures as the theme tables show them, with the département and France beside them.
    assert f"66{NNBSP}200" in population and "Tarn : " in population and "France : " in population
    assert "Évolution annuelle moyenne de la population" in population
    families = card(html, "familles")
    assert f"27,6{NBSP}%" in families  # (1 900 + 150 + 300) / (1 900 + 150 + 300 + 4 100 + 850 + 1 200)
    assert "Partiel" not in population and "Partiel" not in families
    # A figure the portrait has no value for says why in place of a number.
    poverty = card(html, "pauvrete")
    assert "Non disponible" in poverty and "ne s&#x27;agrège pas" in poverty.lower()


def test_a_partial_key_figure_says_partiel_with_its_coverage(client, partial_caf):
    html = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN])).content.decode()
    allocataires = card(html, "allocataires")
    assert f"1{NNBSP}132{NBSP}foyers" in allocataires
    assert ">Partiel</span>" in allocataires
    status = re.sub(r"[\u00a0\u202f]", " ", allocataires)
    assert "partiel : 1 commune sur 3, 74 % de la population" in status  # 49 000 of 66 200 inhabitants
    assert "2 communes absentes du fichier" in status


def test_every_key_figure_with_a_value_and_not_complete_says_its_status(partial_caf):
    """The rule itself, on every card: never a bare number for a figure that is not complete."""
    cards = key_figures(
        {
            row["id"]: row
            for theme in portrait_context(build_portrait(resolve_territory(EPCI_SIREN)))["themes"]
            for row in theme["rows"]
        }
    )
    assert [c["key"] for c in cards] == [key for key, _title, _ids in KEY_FIGURES]
    figures = [figure for c in cards for figure in c["figures"]]
    assert any(figure["status"]["code"] == engine.PARTIEL for figure in figures)
    for figure in figures:
        assert figure["complete"] == (figure["status"]["code"] == engine.OK)
        if not figure["complete"]:
            assert figure["status"]["detail"] or figure["missing"], figure
        if figure["missing"]:
            assert figure["value"] == figure["status"]["label"]
        assert [r["level"] for r in figure["references"]] == ["departement", "france"]


def test_the_theme_menu_links_reach_the_sections(client, portrait_data):  # noqa: F811
    html = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN])).content.decode()
    page = Ids(html)
    assert len(page.ids) == len(set(page.ids))  # no id twice
    assert page.menu[:3] == ["#chiffres-cles", "#portrait-attention", "#portrait-carte"]
    for theme in ("demographie", "familles", "revenus_pauvrete", "equipements"):
        assert f"#theme-{theme}" in page.menu
    assert page.menu[-2:] == ["#communes", "#definitions"]
    for href in page.menu:
        assert href[1:] in page.ids, href
    # Each card leads to its theme's section.
    for href in re.findall(r'<div class="fr-card__footer"><a class="fr-link[^"]*" href="(#[^"]+)"', html):
        assert href[1:] in page.ids, href


def test_each_chart_is_followed_by_its_figures_then_the_theme_table_folded(client, portrait_data):  # noqa: F811
    html = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN])).content.decode()
    section = re.search(
        r'<section[^>]*aria-labelledby="theme-demographie">(.*?)\n</section>', html, re.S
    ).group(1)
    after_figure = section.split("</figure>", 1)[1].lstrip()
    # Right after the figure: the accordions, the chart's figures first.
    assert after_figure.startswith('<div class="fr-accordions-group">')
    data, table = after_figure.split('<div class="fr-accordion">')[1:3]
    assert 'aria-controls="donnees-demographie"' in data and 'aria-expanded="false"' in data
    assert '<div class="fr-collapse" id="donnees-demographie">' in data
    assert "<caption>Données du graphique : Structure par âge de la population : CA de Test</caption>" in data
    assert '<div class="fr-collapse" id="tableau-demographie">' in table
    assert "<caption>Indicateurs — Démographie</caption>" in table and "Part des moins de 15 ans" in table
    # A theme without a chart still has its table, folded.
    equipment = re.search(r'aria-labelledby="theme-equipements">(.*?)\n</section>', html, re.S).group(1)
    assert "<figure" not in equipment and 'id="tableau-equipements"' in equipment
    # The commune table folded too, open when it was just sorted.
    assert '<div class="fr-collapse" id="tableau-communes">' in html
    sorted_html = client.get(
        reverse("diagnostics:territory", args=[EPCI_SIREN]), {"tri": "population", "ordre": "asc"}
    ).content.decode()
    assert '<div class="fr-collapse fr-collapse--expanded" id="tableau-communes">' in sorted_html


def test_the_dossier_tab_reads_the_same(client, portrait_data):  # noqa: F811
    epci = portrait_data
    ctg = CtgFactory(epci=epci, communes=list(epci.communes.all()))
    user = UserFactory()
    MembershipFactory(ctg=ctg, user=user, role=Role.REFERENT_COMMUNAL)
    client.force_login(user)
    html = client.get(reverse("diagnostics:ctg", args=[ctg.pk])).content.decode()
    assert 'class="fr-sidemenu fr-sidemenu--sticky"' in html and 'id="chiffre-population"' in html
    assert "ctg/portrait.css" in html and "style=" not in html.split("<main", 1)[1]


def test_the_pdf_follows_the_same_order(partial_caf):
    portrait = build_portrait(resolve_territory(EPCI_SIREN))
    html = render_portrait_html(portrait)
    body = html.split("</div>", 1)[1] if '<div class="cover">' in html else html
    order = [
        body.index(t) for t in ("<h2>Chiffres clés</h2>", "<h2>Points d'attention</h2>", "<h2>Carte des")
    ]
    assert order == sorted(order) and order[-1] < body.index('<section class="theme">')
    keys = body.split('<table class="keys">', 1)[1].split("</table>", 1)[0]
    assert keys.count('<p class="key-title">') == len(KEY_FIGURES)
    assert 'class="badge b-partiel">Partiel</span>' in keys  # the CAF households, Albi alone
    themes = body.split('<section class="theme">')[1:]
    demography = next(t for t in themes if "<h2>Démographie</h2>" in t)
    assert demography.index('class="ctg-chart"') < demography.index("<table>")
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_portrait_pdf(portrait))).pages
    )
    assert text.index("Chiffres clés") < text.index("Carte des communes") < text.index("Démographie\n")

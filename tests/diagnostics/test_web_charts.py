"""Charts of the web pages: the `<bar-chart>` web component of @gouvfr/dsfr-chart with the chart's figures
(portrait themes, plan budget), its assets served as static files; the PDF keeps the server-side SVG."""

import json
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from ctg.diagnostics.charts import WebChart
from ctg.diagnostics.pdf import render_portrait_html
from ctg.diagnostics.portrait import build_portrait, resolve_territory
from ctg.plans.models import FicheAction
from tests.plans.test_views_follow import follow_plan  # noqa: F401

from .test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401

SCRIPT = f"{settings.STATIC_URL}ctg/dsfr_chart.js"


class Elements(HTMLParser):
    """The attributes of every <bar-chart>, <script> and role="img" element of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.charts, self.scripts, self.images = [], [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "bar-chart":
            self.charts.append(attrs)
        elif tag == "script":
            self.scripts.append(attrs)
        if attrs.get("role") == "img":
            self.images.append(attrs)


def series(chart: dict) -> tuple[list, list, list]:
    return json.loads(chart["x"]), json.loads(chart["y"]), json.loads(chart["name"])


def test_web_chart_attributes():
    attrs = WebChart(
        labels=["Albi", "Tarn"],
        series=[[27.654, 25.0]],
        names=["Taux"],
        unit="%",
        horizontal=True,
        highlight=0,
    ).attributes()
    assert json.loads(attrs["x"]) == [["Albi", "Tarn"]]
    assert json.loads(attrs["y"]) == [[27.65, 25.0]]
    assert json.loads(attrs["name"]) == ["Taux"]
    assert attrs["horizontal"] == "true" and attrs["unit-tooltip"] == "%"
    assert attrs["selected-palette"] == "neutral" and attrs["highlight-index"] == "[0]"
    plain = WebChart(labels=["2025"], series=[[1.0], [2.0]], names=["Prévu", "Réalisé"]).attributes()
    assert "horizontal" not in plain and "highlight-index" not in plain  # "false" would still turn it on
    assert plain["selected-palette"] == "categorical"


def test_web_chart_labels_never_carry_markup():
    """The component's tooltip writes labels with innerHTML: no "<" may reach it."""
    attrs = WebChart(
        labels=['<img src=x onerror="alert(1)">'], series=[[1.0]], names=["<b>Série</b>"]
    ).attributes()
    assert "<" not in attrs["x"] + attrs["name"] and ">" not in attrs["x"] + attrs["name"]
    assert json.loads(attrs["x"]) == [['\u2039img src=x onerror="alert(1)"\u203a']]


def test_web_chart_rejects_a_highlight_outside_the_bars():
    with pytest.raises(ValueError):
        WebChart(labels=["a", "b"], series=[[1.0, 2.0]], names=["s"], highlight=2).attributes()


def test_dsfr_chart_assets_are_static_files():
    """Served from node_modules (npm ci) by the staticfiles finders, so collectstatic copies them."""
    for path in ("dsfr-chart/BarChart/BarChart.js", "dsfr-chart/BarChart/BarChart.css", "ctg/dsfr_chart.js"):
        assert finders.find(path), path


def test_portrait_page_holds_the_web_charts(client, portrait_data):  # noqa: F811
    html = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN])).content.decode()
    page = Elements(html)
    assert len(page.charts) == 3
    age, families, youth = page.charts
    assert series(age) == (
        [["0-14 ans", "15-29 ans", "30-59 ans", "60-74 ans", "75 ans et plus"]],
        [[15.26, 21.75, 36.4, 14.5, 12.08], [15.26, 21.75, 36.4, 14.5, 12.08]],
        ["CA de Test", "Tarn"],
    )
    assert age["unit-tooltip"] == "%" and "horizontal" not in age
    x, y, names = series(families)
    assert x == [["CA de Test", "Tarn", "Occitanie", "France"]] and y == [[27.65, 27.65, 27.65, 26.36]]
    assert names == ["Part des familles monoparentales parmi les familles avec enfant(s)"]
    assert families["horizontal"] == "true" and families["highlight-index"] == "[0]"
    assert series(youth)[2] == ["Part des 15-29 ans"]
    # Each drawing is named; the module script is the page's; the tables and a no-script SVG stay.
    named = {"role": "img", "aria-label": "Structure par âge de la population : CA de Test"}.items()
    assert any(named <= image.items() for image in page.images)
    # Across the content's width: a ratio that keeps a few bars a glance, not a page.
    assert (age["aspect-ratio"], families["aspect-ratio"], youth["aspect-ratio"]) == ("2.4", "3", "3")
    assert {"type": "module", "src": SCRIPT} in page.scripts
    assert html.count("<caption>Données du graphique : ") == 3
    assert html.count("<noscript><svg") == 3
    assert "https://" not in "".join(s.get("src", "") for s in page.scripts)  # no CDN


def test_portrait_pdf_keeps_the_svg(portrait_data):  # noqa: F811
    html = render_portrait_html(build_portrait(resolve_territory(EPCI_SIREN)))
    assert html.count('class="ctg-chart"') == 3
    assert "<bar-chart" not in html and "dsfr_chart.js" not in html


def test_dashboard_budget_web_charts(client, follow_plan):  # noqa: F811
    client.force_login(follow_plan.world.users["lecture"])
    html = client.get(reverse("plans:dashboard", args=[follow_plan.world.ctg.pk])).content.decode()
    page = Elements(html)
    assert len(page.charts) == 4
    by_status, by_field, by_funder, by_year = page.charts
    fiches = FicheAction.objects.filter(ctg=follow_plan.world.ctg)
    statuses = [(label, fiches.filter(status=value).count()) for value, label in FicheAction.Status.choices]
    assert series(by_status) == (
        [[label for label, _count in statuses]],
        [[float(count) for _label, count in statuses]],
        ["Fiches action"],
    )
    assert by_status["horizontal"] == "true" and by_status["unit-tooltip"] == "fiche(s)"
    assert sum(json.loads(by_field["y"])[0]) >= 1
    assert series(by_funder) == (
        [["CAF", "Département", "EPCI"]],
        [[3000.0, 500.0, 300.5], [1300.0, 0.0, 300.0]],
        ["Prévu", "Réalisé"],
    )
    assert series(by_year) == (
        [["2025", "2026", "2027"]],
        [[1500.0, 2000.0, 300.5], [800.0, 500.0, 300.0]],
        ["Prévu", "Réalisé"],
    )
    assert by_funder["unit-tooltip"] == "€"
    labels = [image.get("aria-label") for image in page.images]
    assert "Budget prévu et réalisé par financeur" in labels and "Budget prévu et réalisé par année" in labels
    assert {"type": "module", "src": SCRIPT} in page.scripts


def test_no_chart_script_on_a_page_without_chart(client, world):
    client.force_login(world.users["lecture"])
    html = client.get(reverse("plans:dashboard", args=[world.ctg.pk])).content.decode()
    assert "Aucune ligne de budget saisie." in html
    assert "<bar-chart" not in html and "dsfr_chart.js" not in html

"""Two leftovers of issue 11: the portrait says « 1 habitant » / « 2 habitants » (page and PDF), and the
`ctg portrait` command names a département, an EPCI or a commune with its article (« du Tarn », « de la
Haute-Vienne », « du Vigen »)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ctg.diagnostics.pdf import render_portrait_html
from ctg.diagnostics.portrait import build_portrait, of_territory, resolve_territory
from tests.factories import CommuneFactory, DepartementFactory, EpciFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(stats_dir):
    tarn = DepartementFactory(code="81", name="Tarn", type_liaison=2)
    vienne = DepartementFactory(code="87", name="Haute-Vienne", type_liaison=3)
    epci = EpciFactory(siren="200034023", name="CC Tarn-Agout")
    CommuneFactory(code="81001", name="Hameau", departement=tarn, population=1, epci=epci)
    CommuneFactory(code="81002", name="Lavaur", departement=tarn, population=2)
    CommuneFactory(code="87187", name="Le Vigen", departement=vienne, type_liaison=2, population=2000)
    return tarn, vienne


def header(html: str) -> str:
    return " ".join(html.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.mark.parametrize(("code", "expected"), [("81001", "1 habitant"), ("81002", "2 habitants")])
def test_population_agrees_with_its_number(places, client, code, expected):
    pdf = header(render_portrait_html(build_portrait(resolve_territory(code))))
    assert f"{expected} · 1 commune</dd>" in pdf
    page = header(client.get(reverse("diagnostics:territory", args=[code])).content.decode())
    assert f"{expected} (population municipale du référentiel)" in page


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        ("81", "du Tarn"),
        ("87", "de la Haute-Vienne"),
        ("87187", "du Vigen"),
        ("200034023", "de la CC Tarn-Agout"),
    ],
)
def test_names_with_their_article(places, code, phrase):
    assert of_territory(resolve_territory(code)) == phrase


def test_the_command_names_the_departement_with_its_article(places, tmp_path):
    target = tmp_path / "portrait.pdf"
    err = io.StringIO()
    call_command("portrait", "87", "--pdf", str(target), stderr=err)
    assert f"Portrait de la Haute-Vienne écrit dans {target}." in err.getvalue()
    assert target.read_bytes().startswith(b"%PDF")


def test_a_chart_of_a_partial_figure_says_so():
    from types import SimpleNamespace

    from ctg.diagnostics.catalogue import BY_ID
    from ctg.diagnostics.charts import comparison_chart
    from ctg.diagnostics.engine import Value

    reference = SimpleNamespace(name="Tarn", value=12.0)
    caveat = "partiel : 1 commune sur 21, 36 % de la population"
    partial = SimpleNamespace(
        indicator=BY_ID["part_allocataires_monoparents"],
        value=Value(17.5, "partiel", 0.36, 2021, note=caveat),
        references={"departement": reference},
    )
    assert comparison_chart(partial, "CC Tarn-Agout").note == f"CC Tarn-Agout : {caveat}"
    complete = SimpleNamespace(
        indicator=partial.indicator, value=Value(17.5, "ok", 1.0, 2021), references=partial.references
    )
    assert comparison_chart(complete, "Lavaur").note == ""

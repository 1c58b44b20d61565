"""The convention's annex never prints a partial figure as whole (issue 11, item 3): CC Tarn-Agout's « Foyers
allocataires 2 280 » is Lavaur alone (36 % of the population) and says so in the DOCX and the PDF; a figure
without value is left out with its reason; a complete figure has no caveat. Real files of ../shared/data."""

import io

import pytest
from pypdf import PdfReader

from ctg.documents import content, render
from ctg.organisations.models import Organisation
from ctg.territories.models import Commune, Departement, Epci
from tests.diagnostics.conftest import stats_dir  # noqa: F401 (fixture)
from tests.diagnostics.test_honest_statuses import (  # noqa: F401 (fixtures)
    LAVAUR,
    TARN_AGOUT,
    caf,
    france,
    plain,
    tarn_agout_caveat,
)
from tests.factories import CtgFactory, OrganisationFactory
from tests.security.test_xss_surfaces import docx_texts

pytestmark = [pytest.mark.shared_data, pytest.mark.django_db]


def one_line(text: str) -> str:
    return " ".join(plain(text).split())


def dossier(**kwargs):
    tarn = Departement.objects.get(code="81")
    caf_org = OrganisationFactory(kind=Organisation.Kind.CAF, name="CAF du Tarn", departement=tarn)
    return CtgFactory(caf=caf_org, **kwargs)


def figure(annex, label):
    return next((f for f in annex["figures"] if f["label"] == label), None)


def test_tarn_agout_annex_carries_the_coverage(caf):  # noqa: F811
    ctg = dossier(epci=Epci.objects.get(siren=TARN_AGOUT))
    data = content.build(ctg)
    households = figure(data["portrait"], "Foyers allocataires")
    assert plain(households["value"]) == "2 280 foyers"
    assert plain(households["status"]) == plain(tarn_agout_caveat())
    expected = one_line(tarn_agout_caveat())
    assert expected in one_line(docx_texts(render.render_docx(data)))
    pdf = render.render_pdf(data)
    assert expected in one_line("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def test_complete_figure_has_no_caveat_and_a_missing_one_is_left_out_with_its_reason(caf):  # noqa: F811
    lavaur = dossier(epci=None, communes=[Commune.objects.get(code=LAVAUR)], territory_key="communes:81140")
    households = figure(content.portrait_annex(lavaur), "Foyers allocataires")
    assert plain(households["value"]) == "2 280 foyers" and households["status"] == ""
    text = one_line(docx_texts(render.render_docx(content.build(lavaur))))
    assert "partiel :" not in text and "absent du fichier" not in text

    azas = dossier(epci=None, communes=[Commune.objects.get(code="31038")], territory_key="communes:31038")
    annex = content.portrait_annex(azas)
    assert figure(annex, "Foyers allocataires") is None
    assert {
        "label": "Foyers allocataires",
        "reason": "absent du fichier : commune non découpée en IRIS",
    } in annex["left_out"]
    text = one_line(docx_texts(render.render_docx(content.build(azas))))
    assert "Foyers allocataires : non repris — absent du fichier : commune non découpée en IRIS." in text

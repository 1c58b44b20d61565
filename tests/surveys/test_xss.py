"""The questionnaires' pages in the XSS sweep, on their own (the sweep of tests/security/test_xss_surfaces.py
covers them too, with every other page): every GET page of the app and the public answering pages escape
the payloads typed in the labels and the answers; a form shown again after an error escapes what was
typed; the right-of-access export keeps the payloads as text (no formula in the CSV)."""

import csv
import io
import json

from django.urls import reverse
from django.utils.html import escape

from ctg.surveys.answering import STAMP
from tests.security.test_xss_surfaces import (  # noqa: F401
    FILES,
    PAYLOADS,
    P,
    _patterns,
    check_html,
    dossier,
    url_kwargs,
)
from tests.surveys.helpers import valid_data
from tests.test_permission_matrix import MATRIX


def test_every_survey_page_escapes_every_payload(dossier):  # noqa: F811
    params = dict(_patterns())
    pages = 0
    for name, method in MATRIX:
        if method != "GET" or name in FILES or not name.startswith(("surveys:", "answer:")):
            continue
        url = reverse(name, kwargs=url_kwargs(name, params[name], dossier))
        response = dossier.client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        check_html(response.content.decode(), name)
        pages += 1
    assert pages >= 16


def test_forms_shown_again_escape_what_was_typed(dossier):  # noqa: F811
    sample = dossier.survey
    data = valid_data(sample, dossier.ctg)
    data[f"q{sample.q['job'].pk}"] = P[:300]
    data[f"q{sample.q['count'].pk}"] = P[:30]
    data["respondent_key"] = "alice@exemple.fr"
    public = dossier.client.post(reverse("answer:form", args=[sample.link.token]), data)
    assert public.status_code == 400
    check_html(public.content.decode(), "answer:form (erreur)", [p for p in PAYLOADS if p in P[:300]])
    paper = dossier.client.post(
        reverse("surveys:paper", args=[dossier.ctg.pk, sample.questionnaire.pk]), data
    )
    assert paper.status_code == 400
    check_html(paper.content.decode(), "surveys:paper (erreur)")
    data[STAMP] = "x"
    html = dossier.client.post(reverse("answer:form", args=[sample.link.token]), data).content.decode()
    assert escape(P[:300]) in html


def test_the_right_of_access_export_holds_the_payloads_as_text(dossier):  # noqa: F811
    url = reverse("surveys:access", args=[dossier.ctg.pk, dossier.survey.questionnaire.pk])
    response = dossier.client.post(url, {"respondent_key": "alice@exemple.fr", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    text = "\n".join(";".join(row) for row in rows)
    for payload in PAYLOADS:
        assert payload in text
    assert "&lt;" not in text
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    response = dossier.client.post(url, {"respondent_key": "alice@exemple.fr", "format": "json"})
    content = json.loads(response.content)
    assert any(P in row["answer"] for row in content["reponses"])

"""The diagnostic partagé document in the XSS audit: built from the dossier of
tests/security/test_xss_surfaces.py (every typed text holds every payload: the dossier's title, the
introduction and conclusions, the enjeux, the findings, the ateliers, the questionnaires), its page
escapes them and its PDF and DOCX hold them as literal text (never markup, never escaped for HTML)."""

from django.urls import reverse

from tests.security.test_xss_surfaces import (  # noqa: F401 (fixture)
    PAYLOADS,
    _body,
    check_docx,
    check_html,
    check_pdf,
    dossier,
)


def test_diagnostic_page_pdf_and_docx_hold_the_payloads(dossier):  # noqa: F811
    d = dossier
    page = d.client.get(reverse("documents:diagnostic", kwargs={"pk": d.ctg.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    check_html(html, "page « Document du diagnostic »")
    pdf = _body(d, "documents:diagnostic_version_pdf", number=d.diagnostic_version.number)
    check_pdf(pdf, "diagnostic PDF", "Diagnostic partagé — ")
    docx = _body(d, "documents:diagnostic_version_docx", number=d.diagnostic_version.number)
    check_docx(docx, "diagnostic DOCX")


def test_enjeu_and_finding_titles_reach_the_document_as_text(dossier):  # noqa: F811
    from ctg.documents import diagnostic

    data = diagnostic.build(dossier.ctg)
    payload = " ".join(PAYLOADS)
    assert any(e["title"] == payload for e in data["enjeux"])
    findings = [f["title"] for part in data["fields"] for f in part["findings"] or ()]
    findings += [f["title"] for f in data["cross_cutting"]["findings"] or ()]
    assert any(payload in title for title in findings), findings
    assert [b["text"] for b in data["introduction"]] == [payload]
    # The questions that bear on a field, with their labels holding the payloads (one answer: masked).
    results = [
        q
        for part in [*data["fields"], *data["cross_cutting"]["questionnaire_results"]]
        for entry in part.get("questionnaire_results", part.get("questionnaires", []))
        for q in entry["questions"]
    ]
    assert len(results) == 2 and all(q["masked"] and payload in q["label"] for q in results), results

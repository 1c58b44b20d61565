"""The diagnostic partagé document in the XSS sweep (tests/security/test_xss_surfaces.py): its introduction
and conclusions hold the payloads, then a version is generated from the whole dossier (enjeux, findings,
ateliers, questionnaires with the payloads), whose PDF and DOCX are checked by
`test_diagnostic_report_xss.py`."""

from ctg.documents import services


def diagnostic_surfaces(d, payload: str):
    services.diagnostic_texts_set(ctg=d.ctg, actor=d.pilot, introduction=payload, conclusions=payload)
    return services.diagnostic_generate(ctg=d.ctg, actor=d.pilot)

"""The ateliers' part of the XSS sweep (tests/security/test_xss_surfaces.py): an atelier whose every typed
text holds the payloads (title, address, facilitator, agenda, report, a registration with consent, a person
present, a contribution, a document, a vote on the dossier's finding and a finding created from it), and the
URL values of its pages."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from ctg.ateliers import services


def atelier_surfaces(d, text):
    atelier = services.atelier_create(
        ctg=d.ctg,
        actor=d.pilot,
        title=text,
        themes=["petite_enfance"],
        date=datetime.date(2024, 5, 23),
        format="hybride",
        address=text,
        link="https://visio.exemple.fr/atelier",
        facilitator_name=text,
        description=text,
        status="tenu",
    )
    services.report_set(atelier=atelier, actor=d.pilot, report=text)
    registration = services.registration_add(
        atelier=atelier, actor=d.pilot, person_name=text, role=text, status="inscrit", consent_listed=True
    )
    services.attendance_set(atelier=atelier, actor=d.pilot, registrations=[registration.pk])
    services.attendance_add(
        atelier=atelier, actor=d.pilot, person_name=f"{text} présent", consent_listed=True
    )
    services.contribution_add(atelier=atelier, actor=d.pilot, text=text, author_name=text)
    services.attachment_add(
        atelier=atelier,
        actor=d.pilot,
        file=SimpleUploadedFile("support.pdf", b"%PDF-1.4\n%%EOF\n"),
        title=text,
    )
    if getattr(d, "finding", None) is not None:
        services.dot_vote_set(atelier=atelier, actor=d.pilot, finding=d.finding, dots=4)
    services.finding_from_atelier(atelier=atelier, actor=d.pilot, values={"kind": "besoin", "title": text})
    return atelier


def atelier_url_values(d, name: str) -> dict:
    atelier = getattr(d, "atelier", None)
    if atelier is None or not name.startswith("ateliers:"):
        return {}
    values = {"atelier_pk": atelier.pk}
    if name.startswith("ateliers:attachment"):
        values["attachment_pk"] = atelier.attachments.get().pk
    return values

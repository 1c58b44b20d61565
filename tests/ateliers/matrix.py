"""Permission-matrix entries of `ctg.ateliers`, merged by tests/test_permission_matrix.py: every member reads
the ateliers, their page, documents and report; the managers of the diagnostic (pilote CAF, coordination)
organise them; the members who may contribute (also communal referents and partners) add contributions and
delete their own. The data make every allowed POST succeed."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ctg.ateliers.models import Attachment
from tests.matrix_helpers import EDITORS, MEMBER_ROLES, REDIRECT, dossier

from .factories import AtelierFactory, ContributionFactory, FindingFactory, RegistrationFactory

CONTRIBUTORS = ["pilote_caf", "coordination", "referent_communal", "partenaire"]


def _atelier(w):
    return {"pk": w.ctg.pk, "atelier_pk": AtelierFactory(ctg=w.ctg).pk}


def _registration(w):
    registration = RegistrationFactory(atelier=AtelierFactory(ctg=w.ctg))
    return {"pk": w.ctg.pk, "atelier_pk": registration.atelier_id, "registration_pk": registration.pk}


def _contribution(w):
    contribution = ContributionFactory(atelier=AtelierFactory(ctg=w.ctg))
    return {"pk": w.ctg.pk, "atelier_pk": contribution.atelier_id, "contribution_pk": contribution.pk}


def _attachment(w):
    atelier = AtelierFactory(ctg=w.ctg)
    document = Attachment.objects.create(
        atelier=atelier, title="Support", file=SimpleUploadedFile("support.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    return {"pk": w.ctg.pk, "atelier_pk": atelier.pk, "attachment_pk": document.pk}


def _registered(w):
    """An atelier with one registered person."""
    return {"pk": w.ctg.pk, "atelier_pk": RegistrationFactory(atelier=AtelierFactory(ctg=w.ctg)).atelier_id}


def _present(w):
    return {"registrations": [w.ctg.ateliers.order_by("pk").last().registrations.get().pk]}


def _atelier_data(w):
    return {
        "title": "Petite enfance",
        "themes": ["petite_enfance"],
        "date": "2026-05-12",
        "format": "presentiel",
        "address": "Salle des fêtes",
        "status": "prevu",
    }


def _vote_data(w):
    return {"vote-finding": FindingFactory(ctg=w.ctg).pk, "vote-dots": "4"}


def _manage(kwargs, data=lambda w: {}):
    return dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=kwargs, data=data)


MATRIX: dict = {
    ("ateliers:index", "GET"): dossier(MEMBER_ROLES),
    ("ateliers:create", "GET"): dossier(EDITORS),
    ("ateliers:create", "POST"): _manage(lambda w: {"pk": w.ctg.pk}, _atelier_data),
    ("ateliers:detail", "GET"): dossier(MEMBER_ROLES, kwargs=_atelier),
    ("ateliers:edit", "GET"): dossier(EDITORS, kwargs=_atelier),
    ("ateliers:edit", "POST"): _manage(_atelier, _atelier_data),
    ("ateliers:delete", "POST"): _manage(_atelier),
    ("ateliers:registration_add", "POST"): _manage(
        _atelier, lambda w: {"inscription-person_name": "Alex Martin", "inscription-status": "inscrit"}
    ),
    ("ateliers:registration_edit", "POST"): _manage(_registration, lambda w: {"status": "excuse"}),
    ("ateliers:registration_delete", "POST"): _manage(_registration),
    ("ateliers:attendance", "POST"): _manage(_registered, _present),
    ("ateliers:attendee_add", "POST"): _manage(_atelier, lambda w: {"present-person_name": "Sam Durand"}),
    ("ateliers:contribution_add", "POST"): dossier(
        CONTRIBUTORS,
        ok=REDIRECT,
        method="POST",
        kwargs=_atelier,
        data=lambda w: {"contribution-text": "Manque de places en crèche"},
    ),
    # Another's contribution: the managers delete it, a contributor only their own (403).
    ("ateliers:contribution_delete", "POST"): _manage(_contribution),
    ("ateliers:report", "POST"): _manage(_atelier, lambda w: {"report": "Compte rendu"}),
    ("ateliers:report_pdf", "GET"): dossier(MEMBER_ROLES, kwargs=_atelier),
    ("ateliers:report_prepare", "POST"): dossier(MEMBER_ROLES, ok=REDIRECT, method="POST", kwargs=_atelier),
    ("ateliers:attachment_add", "POST"): _manage(
        _atelier, lambda w: {"piece-file": SimpleUploadedFile("support.pdf", b"%PDF-1.4\n%%EOF\n")}
    ),
    ("ateliers:attachment_download", "GET"): dossier(MEMBER_ROLES, kwargs=_attachment),
    ("ateliers:attachment_delete", "POST"): _manage(_attachment),
    ("ateliers:vote", "POST"): _manage(_atelier, _vote_data),
    ("ateliers:finding_create", "GET"): dossier(EDITORS, kwargs=_atelier),
    ("ateliers:finding_create", "POST"): _manage(
        _atelier, lambda w: {"kind": "besoin", "title": "Manque de places", "weight": "2"}
    ),
}

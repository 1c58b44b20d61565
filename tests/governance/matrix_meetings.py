"""Entries of the permission matrix (tests/test_permission_matrix.py) for the governance URLs: bodies,
members, meetings, attendance, minutes, decisions, .ics and PDF. The data make every allowed POST succeed."""

from ctg.governance.models import Body, Decision, Meeting, Participant
from ctg.plans.models import FicheAction
from tests.matrix_helpers import EDITORS, MEMBER_ROLES, REDIRECT, dossier
from tests.plans.factories import FicheFactory

from .factories import BodyFactory, BodyMemberFactory, DecisionFactory, MeetingFactory, ParticipantFactory


def _body(w):
    return {"pk": w.ctg.pk, "body_pk": BodyFactory(ctg=w.ctg).pk}


def _member(w):
    member = BodyMemberFactory(body=BodyFactory(ctg=w.ctg))
    return {"pk": w.ctg.pk, "body_pk": member.body_id, "member_pk": member.pk}


def _with_body(w):
    BodyFactory(ctg=w.ctg)
    return {"pk": w.ctg.pk}


def _meeting(w, **kw):
    meeting = MeetingFactory(body=BodyFactory(ctg=w.ctg), **kw)
    ParticipantFactory(meeting=meeting)
    return {"pk": w.ctg.pk, "meeting_pk": meeting.pk}


def _held(w):
    return _meeting(w, status=Meeting.Status.HELD)


def _decision(w, **kw):
    decision = DecisionFactory(meeting=MeetingFactory(body=BodyFactory(ctg=w.ctg), **kw))
    return {"pk": w.ctg.pk, "meeting_pk": decision.meeting_id, "decision_pk": decision.pk}


def _decision_to_apply(w):
    fiche = FicheFactory(ctg=w.ctg)
    decision = DecisionFactory(
        meeting=MeetingFactory(body=BodyFactory(ctg=w.ctg), status=Meeting.Status.HELD),
        kind=Decision.Kind.FICHE_STATUS,
        fiche=fiche,
        payload={"status": FicheAction.Status.EN_COURS},
    )
    return {"pk": w.ctg.pk, "meeting_pk": decision.meeting_id, "decision_pk": decision.pk}


def _meeting_data(w):
    return {
        "body": Body.objects.filter(ctg=w.ctg).first().pk,
        "title": "Lancement",
        "starts_at": "2026-05-12T14:00",
        "ends_at": "2026-05-12T16:00",
        "place": "Mairie",
    }


def _attendance_data(w):
    return {f"p{p.pk}": "present" for p in Participant.objects.filter(meeting__ctg=w.ctg)}


def _editors_post(kwargs, data=lambda w: {}):
    return dossier(EDITORS, ok=REDIRECT, method="POST", kwargs=kwargs, data=data)


MATRIX: dict = {
    ("governance:index", "GET"): dossier(MEMBER_ROLES),
    ("governance:body_add", "GET"): dossier(EDITORS),
    ("governance:body_add", "POST"): _editors_post(
        lambda w: {"pk": w.ctg.pk}, lambda w: {"kind": "copil", "name": "COPIL de la CTG"}
    ),
    ("governance:body_edit", "GET"): dossier(EDITORS, kwargs=_body),
    ("governance:body_edit", "POST"): _editors_post(_body, lambda w: {"kind": "cotech", "name": "COTECH"}),
    ("governance:body_delete", "POST"): _editors_post(_body),
    ("governance:member_add", "GET"): dossier(EDITORS, kwargs=_body),
    ("governance:member_add", "POST"): _editors_post(
        _body, lambda w: {"organisation": w.ctg.caf_id, "person_name": "Alix Martin", "email": "a@caf.fr"}
    ),
    ("governance:member_edit", "GET"): dossier(EDITORS, kwargs=_member),
    ("governance:member_edit", "POST"): _editors_post(
        _member, lambda w: {"organisation": w.ctg.caf_id, "person_name": "Alix Martin", "capacity": "Élue"}
    ),
    ("governance:member_remove", "POST"): _editors_post(_member),
    ("governance:meeting_add", "GET"): dossier(EDITORS, kwargs=_with_body),
    ("governance:meeting_add", "POST"): _editors_post(_with_body, _meeting_data),
    ("governance:meeting", "GET"): dossier(MEMBER_ROLES, kwargs=_meeting),
    ("governance:meeting_edit", "GET"): dossier(EDITORS, kwargs=_meeting),
    ("governance:meeting_edit", "POST"): _editors_post(_meeting, _meeting_data),
    ("governance:meeting_cancel", "POST"): _editors_post(_meeting),
    ("governance:meeting_held", "POST"): _editors_post(_meeting),
    ("governance:meeting_invite", "POST"): _editors_post(_meeting),
    ("governance:meeting_ics", "GET"): dossier(MEMBER_ROLES, kwargs=_meeting),
    ("governance:meeting_minutes_pdf", "GET"): dossier(MEMBER_ROLES, kwargs=_held),
    ("governance:meeting_minutes_prepare", "POST"): dossier(
        MEMBER_ROLES, ok=REDIRECT, method="POST", kwargs=_held
    ),
    ("governance:attendance", "POST"): _editors_post(_held, _attendance_data),
    ("governance:guest_add", "POST"): _editors_post(_meeting, lambda w: {"person_name": "Invitée Test"}),
    ("governance:minutes", "POST"): _editors_post(_held, lambda w: {"minutes": "Le comité a validé."}),
    ("governance:decision_add", "POST"): _editors_post(
        _held, lambda w: {"text": "Le comité valide le plan.", "kind": "note"}
    ),
    ("governance:decision_apply", "POST"): _editors_post(_decision_to_apply),
    ("governance:decision_delete", "POST"): _editors_post(_decision),
}

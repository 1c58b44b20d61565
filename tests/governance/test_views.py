"""The governance pages: bodies, members, meetings, attendance, minutes, decisions and their application."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ctg.governance.models import Body, BodyMember, Decision, Meeting, Participant
from ctg.plans.models import FicheAction
from tests.plans.factories import FicheFactory

from .factories import BodyFactory, BodyMemberFactory, DecisionFactory, MeetingFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(f"governance:{name}", kwargs={"pk": world.ctg.pk, **kwargs})


@pytest.fixture
def coordination(client, world):
    client.force_login(world.users["coordination"])
    return client


@pytest.fixture
def held(world):
    body = BodyFactory(ctg=world.ctg, name="COPIL")
    meeting = MeetingFactory(
        body=body,
        starts_at=timezone.now() - datetime.timedelta(days=2),
        status=Meeting.Status.HELD,
        agenda="Validation du plan",
    )
    ParticipantFactory(meeting=meeting, person_name="Alix Martin", organisation_name="CAF du Tarn")
    return meeting


def test_index_lists_bodies_members_and_meetings(coordination, world, held):
    BodyMemberFactory(body=held.body, person_name="Alix Martin", capacity="Directrice")
    upcoming = MeetingFactory(
        body=held.body, title="Bilan", starts_at=timezone.now() + datetime.timedelta(days=9)
    )
    response = coordination.get(url("index", world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "COPIL" in html and "Alix Martin" in html and "Directrice" in html
    cancelled = MeetingFactory(
        body=held.body,
        starts_at=timezone.now() + datetime.timedelta(days=20),
        status=Meeting.Status.CANCELLED,
    )
    response = coordination.get(url("index", world))
    assert list(response.context["upcoming"]) == [upcoming, cancelled]
    assert list(response.context["past"]) == [held]
    assert "Ajouter une instance" in html


def test_readers_see_no_management_buttons(client, world, held):
    client.force_login(world.users["lecture"])
    html = client.get(url("index", world)).content.decode()
    assert "Ajouter une instance" not in html and "Ajouter un membre" not in html
    page = client.get(url("meeting", world, meeting_pk=held.pk)).content.decode()
    assert "Enregistrer les présences" not in page and "Ajouter la décision" not in page
    assert "Validation du plan" in page and "Alix Martin" in page


def test_body_add_and_bad_input(coordination, world):
    response = coordination.post(url("body_add", world), {"kind": "copil", "name": "COPIL", "role": "Valide"})
    body = Body.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#instance-{body.pk}")
    response = coordination.post(url("body_add", world), {"kind": "cotech", "name": "copil"})
    assert response.status_code == 400
    assert "Une instance s&#x27;appelle déjà « copil » dans ce dossier." in response.content.decode()
    response = coordination.post(url("body_add", world), {"kind": "", "name": ""})
    assert response.status_code == 400
    assert Body.objects.count() == 1


def test_body_delete_refused_when_it_has_meetings(coordination, world, held):
    response = coordination.post(url("body_delete", world, body_pk=held.body_id), follow=True)
    assert "elle ne peut pas être supprimée" in response.content.decode()
    assert Body.objects.filter(pk=held.body_id).exists()


def test_member_add_edit_remove(coordination, world):
    body = BodyFactory(ctg=world.ctg)
    data = {"organisation": world.ctg.caf_id, "person_name": "Alix Martin", "email": "alix@caf.fr"}
    assert coordination.post(url("member_add", world, body_pk=body.pk), data).status_code == 302
    member = BodyMember.objects.get()
    response = coordination.post(url("member_add", world, body_pk=body.pk), {**data, "email": "faux"})
    assert response.status_code == 400 and BodyMember.objects.count() == 1
    response = coordination.post(
        url("member_edit", world, body_pk=body.pk, member_pk=member.pk), {**data, "capacity": "Directrice"}
    )
    member.refresh_from_db()
    assert response.status_code == 302 and member.capacity == "Directrice"
    coordination.post(url("member_remove", world, body_pk=body.pk, member_pk=member.pk))
    assert not BodyMember.objects.exists()


def test_member_of_another_body_or_dossier_is_404(coordination, world):
    other = BodyMemberFactory(body=BodyFactory(ctg=world.other_ctg))
    body = BodyFactory(ctg=world.ctg)
    response = coordination.post(url("member_remove", world, body_pk=body.pk, member_pk=other.pk))
    assert response.status_code == 404
    assert BodyMember.objects.filter(pk=other.pk).exists()


def test_meeting_add_from_the_form(coordination, world):
    body = BodyFactory(ctg=world.ctg, name="COPIL")
    BodyMemberFactory(body=body, person_name="Alix Martin")
    assert coordination.get(url("meeting_add", world) + f"?instance={body.pk}").status_code == 200
    data = {
        "body": body.pk,
        "starts_at": "2026-05-12T14:00",
        "ends_at": "2026-05-12T16:00",
        "place": "Mairie",
    }
    response = coordination.post(url("meeting_add", world), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == url("meeting", world, meeting_pk=meeting.pk)
    assert timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y %H:%M") == "12/05/2026 14:00"
    assert [p.person_name for p in meeting.participants.all()] == ["Alix Martin"]


def test_meeting_add_bad_input(coordination, world):
    body = BodyFactory(ctg=world.ctg)
    response = coordination.post(
        url("meeting_add", world), {"body": body.pk, "starts_at": "2026-05-12T14:00"}
    )
    assert response.status_code == 400
    assert "Indiquez un lieu ou un lien de visioconférence." in response.content.decode()
    other = BodyFactory(ctg=world.other_ctg)
    response = coordination.post(
        url("meeting_add", world), {"body": other.pk, "starts_at": "2026-05-12T14:00", "place": "Mairie"}
    )
    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_meeting_of_another_dossier_is_404(coordination, world):
    other = MeetingFactory(body=BodyFactory(ctg=world.other_ctg))
    for name in ("meeting", "meeting_ics", "meeting_minutes_pdf", "meeting_edit"):
        assert coordination.get(url(name, world, meeting_pk=other.pk)).status_code == 404
    assert coordination.post(url("meeting_cancel", world, meeting_pk=other.pk)).status_code == 404
    other.refresh_from_db()
    assert other.status == Meeting.Status.PLANNED


def test_meeting_edit_cancel_and_held(coordination, world):
    meeting = MeetingFactory(
        body=BodyFactory(ctg=world.ctg), starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    data = {"body": meeting.body_id, "starts_at": "2026-05-12T14:00", "place": "Salle des fêtes"}
    assert coordination.post(url("meeting_edit", world, meeting_pk=meeting.pk), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Salle des fêtes" and meeting.sequence == 1
    coordination.post(url("meeting_held", world, meeting_pk=meeting.pk))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    response = coordination.post(url("meeting_cancel", world, meeting_pk=meeting.pk), follow=True)
    assert "Seule une réunion prévue peut être annulée." in response.content.decode()


def test_cancelled_meeting_cannot_be_edited(coordination, world):
    meeting = MeetingFactory(body=BodyFactory(ctg=world.ctg), status=Meeting.Status.CANCELLED)
    response = coordination.get(url("meeting_edit", world, meeting_pk=meeting.pk), follow=True)
    assert "Cette réunion est annulée" in response.content.decode()
    response = coordination.post(url("minutes", world, meeting_pk=meeting.pk), {"minutes": "x"}, follow=True)
    assert "Cette réunion est annulée" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_attendance_minutes_and_guest(coordination, world, held):
    alix = held.participants.get()
    response = coordination.post(url("attendance", world, meeting_pk=held.pk), {f"p{alix.pk}": "excuse"})
    assert response.status_code == 302
    alix.refresh_from_db()
    assert alix.attendance == Participant.Attendance.EXCUSED
    response = coordination.post(url("attendance", world, meeting_pk=held.pk), {f"p{alix.pk}": "peut-etre"})
    assert response.status_code == 400
    alix.refresh_from_db()
    assert alix.attendance == Participant.Attendance.EXCUSED
    coordination.post(url("minutes", world, meeting_pk=held.pk), {"minutes": "Compte rendu."})
    held.refresh_from_db()
    assert held.minutes == "Compte rendu."
    response = coordination.post(url("guest_add", world, meeting_pk=held.pk), {"person_name": ""})
    assert response.status_code == 400 and held.participants.count() == 1
    coordination.post(url("guest_add", world, meeting_pk=held.pk), {"person_name": "Invitée", "email": ""})
    assert held.participants.count() == 2


def test_invitation_is_sent(coordination, world):
    meeting = MeetingFactory(
        body=BodyFactory(ctg=world.ctg), starts_at=timezone.now() + datetime.timedelta(days=3)
    )
    ParticipantFactory(meeting=meeting, email="alix@caf.fr")
    response = coordination.post(url("meeting_invite", world, meeting_pk=meeting.pk), follow=True)
    assert "invitation est envoyée à 1 personne." in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][0] == "invitation.ics"
    assert f"/gouvernance/ctg/{world.ctg.pk}/reunions/{meeting.pk}/" in mail.outbox[0].body


def test_decision_add_bad_input_and_apply(coordination, client, world, held):
    fiche = FicheFactory(ctg=world.ctg, title="Relais petite enfance")
    add = url("decision_add", world, meeting_pk=held.pk)
    response = coordination.post(add, {"text": "Lancer", "kind": "fiche_status", "status": "en_cours"})
    assert response.status_code == 400
    assert "Choisissez une fiche action de ce dossier." in response.content.decode()
    assert not Decision.objects.exists()
    data = {"text": "Lancer le relais", "kind": "fiche_status", "fiche": fiche.pk, "status": "en_cours"}
    assert coordination.post(add, data).status_code == 302
    decision = Decision.objects.get()
    page = coordination.get(url("meeting", world, meeting_pk=held.pk)).content.decode()
    assert "Statut de la fiche « Relais petite enfance » : En cours" in page
    assert "Appliquer au plan<span" in page
    assert reverse("plans:fiche_detail", args=[world.ctg.pk, fiche.pk]) in page

    response = coordination.post(url("decision_apply", world, meeting_pk=held.pk, decision_pk=decision.pk))
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert fiche.status == FicheAction.Status.EN_COURS
    response = coordination.post(
        url("decision_apply", world, meeting_pk=held.pk, decision_pk=decision.pk), follow=True
    )
    assert "Cette décision est déjà appliquée" in response.content.decode()
    page = coordination.get(url("meeting", world, meeting_pk=held.pk)).content.decode()
    assert "Appliquée le" in page and "Appliquer au plan<span" not in page

    fiche_page = coordination.get(
        reverse("plans:fiche_detail", args=[world.ctg.pk, fiche.pk])
    ).content.decode()
    day = timezone.localtime(held.starts_at).strftime("%d/%m/%Y")
    line = f"Décision du COPIL du {day} : Lancer le relais"
    assert line in fiche_page
    assert url("meeting", world, meeting_pk=held.pk) in fiche_page
    history = coordination.get(reverse("conventions:history", args=[world.ctg.pk])).content.decode()
    assert line in history


def test_applying_a_decision_that_changes_nothing_says_so(coordination, world, held):
    fiche = FicheFactory(ctg=world.ctg, title="Relais petite enfance", status=FicheAction.Status.EN_COURS)
    decision = DecisionFactory(meeting=held, kind="fiche_status", fiche=fiche, payload={"status": "en_cours"})
    response = coordination.post(
        url("decision_apply", world, meeting_pk=held.pk, decision_pk=decision.pk), follow=True
    )
    page = response.content.decode()
    assert "La décision est marquée appliquée, sans effet : la fiche était déjà « En cours »." in page
    assert "Sans effet : la fiche était déjà « En cours »." in page  # on the meeting page, for good


def test_decision_delete(coordination, world, held):
    decision = DecisionFactory(meeting=held)
    coordination.post(url("decision_delete", world, meeting_pk=held.pk, decision_pk=decision.pk))
    assert not Decision.objects.exists()


def test_decision_of_another_meeting_is_404(coordination, world, held):
    other = DecisionFactory(meeting=MeetingFactory(body=held.body))
    response = coordination.post(url("decision_delete", world, meeting_pk=held.pk, decision_pk=other.pk))
    assert response.status_code == 404
    assert Decision.objects.filter(pk=other.pk).exists()


def test_applying_needs_the_edit_plan_operation(client, world, held, monkeypatch):
    """MANAGE_GOVERNANCE without EDIT_PLAN (a role configuration that may come): 403."""
    from ctg.organisations import permissions

    role_ops = dict(permissions.ROLE_OPERATIONS)
    role_ops["coordination"] = role_ops["coordination"] - {permissions.Op.EDIT_PLAN}
    monkeypatch.setattr(permissions, "ROLE_OPERATIONS", role_ops)
    fiche = FicheFactory(ctg=world.ctg)
    decision = DecisionFactory(meeting=held, kind="fiche_status", fiche=fiche, payload={"status": "en_cours"})
    client.force_login(world.users["coordination"])
    page = client.get(url("meeting", world, meeting_pk=held.pk)).content.decode()
    assert "Appliquer au plan<span" not in page
    response = client.post(url("decision_apply", world, meeting_pk=held.pk, decision_pk=decision.pk))
    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.applied_at is None

"""Services of the governance: bodies, members, meetings, attendance, minutes, invitations and decisions.
Each rule, and bad input: a French message and nothing saved."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from ctg.core.models import HistoryEntry
from ctg.governance import services
from ctg.governance.models import Body, BodyMember, Decision, Meeting, Participant
from ctg.governance.services import decisions
from ctg.plans.models import FicheAction
from tests.factories import OrganisationFactory
from tests.plans.factories import FicheFactory, OperationalObjectiveFactory

from .factories import BodyFactory, BodyMemberFactory, DecisionFactory, MeetingFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

PAST = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def _history(ctg):
    return list(ctg.history.order_by("id"))


# --- bodies ---------------------------------------------------------------------------------------------


def test_body_create_update_delete_record_history(world):
    actor = world.users["coordination"]
    body = services.body_create(ctg=world.ctg, actor=actor, kind="copil", name=" COPIL ", role="Valide.")
    assert body.name == "COPIL" and body.created_by == actor
    services.body_update(body=body, actor=actor, name="COPIL de la CTG")
    body.refresh_from_db()
    assert body.name == "COPIL de la CTG"
    services.body_delete(body=body, actor=actor)
    assert not Body.objects.exists()
    summaries = [e.summary for e in _history(world.ctg)]
    assert summaries[-3:] == [
        "Instance créée : COPIL",
        "Instance modifiée : COPIL de la CTG",
        "Instance supprimée : COPIL de la CTG",
    ]
    entry = world.ctg.history.get(summary="Instance modifiée : COPIL de la CTG")
    assert entry.item_type == "body" and entry.labelled_changes == {"nom": ["COPIL", "COPIL de la CTG"]}
    assert entry.actor == actor


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kind": "copil", "name": "  "}, "Le nom est obligatoire."),
        ({"kind": "inconnu", "name": "COPIL"}, "Choisissez le type d'instance."),
        ({"kind": "copil", "name": "x" * 201}, "Le nom ne doit pas dépasser 200 caractères."),
        ({"kind": "copil", "name": "copil existant"}, "Une instance s'appelle déjà « copil existant »"),
    ],
)
def test_body_create_refuses_bad_input(world, values, message):
    BodyFactory(ctg=world.ctg, name="COPIL existant")
    before = HistoryEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.body_create(ctg=world.ctg, actor=world.users["coordination"], **values)
    assert message in _messages(error.value)
    assert Body.objects.count() == 1 and HistoryEntry.objects.count() == before


def test_body_with_meetings_cannot_be_deleted(world):
    meeting = MeetingFactory(body=BodyFactory(ctg=world.ctg, name="COTECH"))
    with pytest.raises(ValidationError) as error:
        services.body_delete(body=meeting.body, actor=world.users["coordination"])
    assert "L'instance « COTECH » a 1 réunion : elle ne peut pas être supprimée." in _messages(error.value)
    assert Body.objects.filter(pk=meeting.body_id).exists()


# --- members --------------------------------------------------------------------------------------------


def test_member_add_update_remove(world):
    actor = world.users["pilote_caf"]
    body = BodyFactory(ctg=world.ctg, name="COPIL")
    member = services.member_add(
        body=body,
        actor=actor,
        organisation=world.ctg.caf,
        person_name="Alix Martin",
        capacity="Directrice",
        email="alix@caf.fr",
        user=actor,
    )
    assert member.user == actor and str(member) == "Alix Martin, Directrice (CAF du Tarn)"
    services.member_update(member=member, actor=actor, capacity="Directrice adjointe")
    member.refresh_from_db()
    assert member.capacity == "Directrice adjointe"
    services.member_remove(member=member, actor=actor)
    assert not BodyMember.objects.exists()
    summaries = [e.summary for e in _history(world.ctg)][-3:]
    assert summaries[0].startswith("COPIL : membre ajouté·e, Alix Martin")
    assert summaries[1].startswith("COPIL : membre modifié·e")
    assert summaries[2].startswith("COPIL : membre retiré·e")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"person_name": ""}, "Le nom de la personne est obligatoire."),
        ({"organisation": None}, "Choisissez l'organisation représentée."),
        ({"email": "pas-un-courriel"}, "L'adresse « pas-un-courriel » n'est pas un courriel valide."),
    ],
)
def test_member_add_refuses_bad_input(world, values, message):
    body = BodyFactory(ctg=world.ctg)
    arguments = {"organisation": world.ctg.caf, "person_name": "Alix", **values}
    with pytest.raises(ValidationError) as error:
        services.member_add(body=body, actor=world.users["coordination"], **arguments)
    assert message in _messages(error.value)
    assert not BodyMember.objects.exists()


# --- meetings -------------------------------------------------------------------------------------------


def _create_meeting(world, **values):
    body = values.pop("body", None) or BodyFactory(ctg=world.ctg, name="COPIL")
    arguments = {"starts_at": PAST, "place": "Mairie", **values}
    return services.meeting_create(ctg=world.ctg, actor=world.users["coordination"], body=body, **arguments)


def test_meeting_create_invites_the_body_members(world):
    body = BodyFactory(ctg=world.ctg, name="COPIL")
    caf = BodyMemberFactory(body=body, organisation=world.ctg.caf, person_name="Alix", email="alix@caf.fr")
    BodyMemberFactory(body=body, person_name="Bo", email="")
    meeting = _create_meeting(world, body=body, agenda="1. Bilan")
    participants = {p.person_name: p for p in meeting.participants.all()}
    assert set(participants) == {"Alix", "Bo"}
    assert participants["Alix"].member == caf and participants["Alix"].organisation_name == "CAF du Tarn"
    assert participants["Alix"].email == "alix@caf.fr"
    assert meeting.status == Meeting.Status.PLANNED and meeting.sequence == 0
    entry = world.ctg.history.latest("id")
    assert entry.summary == "Réunion planifiée : COPIL du 10/03/2026" and entry.item_type == "meeting"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"place": "", "link": ""}, "Indiquez un lieu ou un lien de visioconférence."),
        ({"starts_at": None}, "La date et l'heure de début sont obligatoires."),
        ({"ends_at": PAST - datetime.timedelta(hours=1)}, "La fin doit être postérieure au début."),
        ({"ends_at": PAST}, "La fin doit être postérieure au début."),
        ({"place": "", "link": "pas une adresse"}, "Le lien de visioconférence doit être une adresse web."),
    ],
)
def test_meeting_create_refuses_bad_input(world, values, message):
    with pytest.raises(ValidationError) as error:
        _create_meeting(world, **values)
    assert message in _messages(error.value)
    assert not Meeting.objects.exists() and not Participant.objects.exists()


def test_meeting_of_a_body_of_another_dossier_is_refused(world):
    other_body = BodyFactory(ctg=world.other_ctg)
    with pytest.raises(ValidationError) as error:
        _create_meeting(world, body=other_body)
    assert "Choisissez une instance de ce dossier." in _messages(error.value)
    assert not Meeting.objects.exists()


def test_meeting_update_bumps_sequence_only_when_date_or_place_change(world):
    meeting = _create_meeting(world)
    actor = world.users["coordination"]
    services.meeting_update(meeting=meeting, actor=actor, agenda="Nouvel ordre du jour")
    meeting.refresh_from_db()
    assert meeting.sequence == 0 and meeting.agenda == "Nouvel ordre du jour"
    services.meeting_update(meeting=meeting, actor=actor, place="Salle des fêtes")
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    services.meeting_update(meeting=meeting, actor=actor, starts_at=PAST + datetime.timedelta(days=1))
    meeting.refresh_from_db()
    assert meeting.sequence == 2
    entry = world.ctg.history.latest("id")
    assert entry.labelled_changes == {"début": ["10/03/2026 15:00", "11/03/2026 15:00"]}


def test_changing_the_body_of_a_meeting_rebuilds_its_invitations(world):
    copil = BodyFactory(ctg=world.ctg, name="COPIL")
    cotech = BodyFactory(ctg=world.ctg, kind="cotech", name="COTECH")
    BodyMemberFactory(body=copil, person_name="Alix", email="alix@caf.fr")
    BodyMemberFactory(body=copil, person_name="Bo", email="bo@epci.fr")
    BodyMemberFactory(body=copil, person_name="Cy", email="cy@epci.fr")
    BodyMemberFactory(body=cotech, person_name="Bo (COTECH)", email="BO@epci.fr")
    BodyMemberFactory(body=cotech, person_name="Dee", email="dee@commune.fr")
    meeting = _create_meeting(world, body=copil)
    actor = world.users["coordination"]
    services.participant_add(meeting=meeting, actor=actor, person_name="Invitée", email="invitee@asso.fr")
    meeting.participants.filter(person_name="Cy").update(attendance=Participant.Attendance.EXCUSED)

    services.meeting_update(meeting=meeting, actor=actor, body=cotech)
    names = set(meeting.participants.values_list("person_name", flat=True))
    # Alix and Bo (COPIL, nothing recorded) leave; Cy's recorded attendance and the guest stay; the COTECH's
    # members join.
    assert names == {"Cy", "Invitée", "Bo (COTECH)", "Dee"}
    entry = world.ctg.history.latest("id")
    assert entry.labelled_changes["instance"] == ["COPIL", "COTECH"]
    assert (
        "Alix" in entry.labelled_changes["participants retirés"][0]
        and "Bo" in entry.labelled_changes["participants retirés"][0]
    )
    assert "Dee" in entry.labelled_changes["participants ajoutés"][1]

    services.meeting_update(meeting=meeting, actor=actor, agenda="Sans changement d'instance")
    assert meeting.participants.count() == 4


def test_meeting_update_refuses_bad_input_and_keeps_the_meeting(world):
    meeting = _create_meeting(world)
    with pytest.raises(ValidationError):
        services.meeting_update(meeting=meeting, actor=world.users["coordination"], place="", link="")
    meeting.refresh_from_db()
    assert meeting.place == "Mairie" and meeting.sequence == 0


def test_cancel_and_held_rules(world):
    actor = world.users["coordination"]
    future = _create_meeting(world, starts_at=timezone.now() + datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as error:
        services.meeting_mark_held(meeting=future, actor=actor)
    assert "n'a pas encore commencé" in _messages(error.value)
    services.meeting_cancel(meeting=future, actor=actor)
    future.refresh_from_db()
    assert future.status == Meeting.Status.CANCELLED and future.sequence == 1
    for action in (
        lambda: services.meeting_cancel(meeting=future, actor=actor),
        lambda: services.meeting_mark_held(meeting=future, actor=actor),
        lambda: services.meeting_update(meeting=future, actor=actor, place="Ailleurs"),
        lambda: services.minutes_set(meeting=future, actor=actor, minutes="Texte"),
        lambda: services.decision_add(meeting=future, actor=actor, text="Décision"),
    ):
        with pytest.raises(ValidationError):
            action()
    future.refresh_from_db()
    assert future.place == "Mairie" and future.minutes == "" and not future.decisions.exists()

    past = _create_meeting(world, body=BodyFactory(ctg=world.ctg, name="COTECH"))
    services.meeting_mark_held(meeting=past, actor=actor)
    past.refresh_from_db()
    assert past.status == Meeting.Status.HELD
    entry = world.ctg.history.latest("id")
    assert entry.summary == "Réunion tenue : COTECH du 10/03/2026"
    assert entry.labelled_changes == {"statut": ["Prévue", "Tenue"]}
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=past, actor=actor)


def test_attendance_guests_and_minutes(world):
    actor = world.users["coordination"]
    meeting = MeetingFactory(body=BodyFactory(ctg=world.ctg, name="COPIL"), starts_at=PAST)
    alix = ParticipantFactory(meeting=meeting, person_name="Alix")
    guest = services.participant_add(
        meeting=meeting, actor=actor, person_name="Invitée", organisation_name="Mission locale"
    )
    assert guest.member is None and guest.attendance == Participant.Attendance.INVITED
    changes = services.attendance_set(
        meeting=meeting, actor=actor, attendance={alix.pk: "present", guest.pk: "excuse"}
    )
    assert changes == {"Alix": ["Invité·e", "Présent·e"], "Invitée": ["Invité·e", "Excusé·e"]}
    alix.refresh_from_db()
    assert alix.attendance == "present"
    services.minutes_set(meeting=meeting, actor=actor, minutes="  Le comité a validé.  ")
    meeting.refresh_from_db()
    assert meeting.minutes == "Le comité a validé."
    summaries = [e.summary for e in _history(world.ctg)][-3:]
    assert summaries == [
        "COPIL du 10/03/2026 : invité·e ajouté·e, Invitée (Mission locale)",
        "Présences : COPIL du 10/03/2026",
        "Compte rendu : COPIL du 10/03/2026",
    ]


def test_attendance_refuses_unknown_values_and_people(world):
    meeting = MeetingFactory(body=BodyFactory(ctg=world.ctg))
    alix = ParticipantFactory(meeting=meeting)
    stranger = ParticipantFactory()
    actor = world.users["coordination"]
    with pytest.raises(ValidationError) as error:
        services.attendance_set(
            meeting=meeting, actor=actor, attendance={alix.pk: "present", stranger.pk: "absent"}
        )
    assert "Cette personne n'est pas invitée à la réunion." in _messages(error.value)
    with pytest.raises(ValidationError) as error:
        services.attendance_set(meeting=meeting, actor=actor, attendance={alix.pk: "peut-être"})
    assert "Présence inconnue : « peut-être »." in _messages(error.value)
    alix.refresh_from_db()
    assert alix.attendance == Participant.Attendance.INVITED


def test_guest_needs_a_name_and_a_valid_email(world):
    meeting = MeetingFactory(body=BodyFactory(ctg=world.ctg))
    actor = world.users["coordination"]
    with pytest.raises(ValidationError) as error:
        services.participant_add(meeting=meeting, actor=actor, person_name=" ")
    assert "Le nom est obligatoire." in _messages(error.value)
    with pytest.raises(ValidationError):
        services.participant_add(meeting=meeting, actor=actor, person_name="Bo", email="bo@")
    assert not meeting.participants.exists()


def test_invitation_emails_the_participants_with_the_ics(world):
    meeting = MeetingFactory(
        body=BodyFactory(ctg=world.ctg, name="COPIL"), starts_at=timezone.now() + datetime.timedelta(days=2)
    )
    ParticipantFactory(meeting=meeting, email="alix@caf.fr")
    ParticipantFactory(meeting=meeting, email="")
    sent = services.meeting_invite(
        meeting=meeting, actor=world.users["coordination"], url="https://ctg.test/r/1"
    )
    assert sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alix@caf.fr"] and message.subject.startswith("Invitation : COPIL du ")
    name, content, mimetype = message.attachments[0]
    assert name == "invitation.ics" and mimetype.startswith("text/calendar")
    assert "METHOD:REQUEST" in content and "ATTENDEE;CN=" in content
    entry = world.ctg.history.latest("id")
    assert entry.summary.startswith("Invitation envoyée à 1 personne : COPIL du ")
    assert entry.labelled_changes == {"destinataires": ["", "alix@caf.fr"]}


def test_invitation_without_emails_or_of_a_cancelled_meeting_is_refused(world):
    meeting = MeetingFactory(body=BodyFactory(ctg=world.ctg))
    ParticipantFactory(meeting=meeting, email="")
    with pytest.raises(ValidationError) as error:
        services.meeting_invite(meeting=meeting, actor=world.users["coordination"])
    assert "Aucun·e participant·e n'a de courriel" in _messages(error.value)
    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    with pytest.raises(ValidationError):
        services.meeting_invite(meeting=meeting, actor=world.users["coordination"])
    assert mail.outbox == []


# --- decisions ------------------------------------------------------------------------------------------


@pytest.fixture
def held(world):
    return MeetingFactory(
        body=BodyFactory(ctg=world.ctg, name="COPIL"), starts_at=PAST, status=Meeting.Status.HELD
    )


@pytest.fixture
def fiche(world):
    return FicheFactory(ctg=world.ctg, title="Relais petite enfance")


def test_decision_add_and_remove(world, held, fiche):
    actor = world.users["coordination"]
    decision = services.decision_add(
        meeting=held,
        actor=actor,
        text="Lancer la fiche.",
        kind="fiche_status",
        fiche=fiche,
        payload={"status": "en_cours", "ignored": 1},
    )
    assert decision.payload == {"status": "en_cours"} and decision.fiche == fiche
    assert (
        world.ctg.history.latest("id").summary == "Décision ajoutée (COPIL du 10/03/2026) : Lancer la fiche."
    )
    note = services.decision_add(meeting=held, actor=actor, text="Prochain COPIL en juin.", fiche=fiche)
    assert note.kind == "note" and note.fiche is None and note.payload == {}
    services.decision_remove(decision=note, actor=actor)
    assert list(held.decisions.all()) == [decision]
    assert world.ctg.history.latest("id").summary.startswith("Décision supprimée")


@pytest.mark.parametrize(
    ("kind", "use_fiche", "payload", "message"),
    [
        ("fiche_status", False, {"status": "en_cours"}, "Choisissez une fiche action de ce dossier."),
        ("fiche_status", True, {"status": "fini"}, "Choisissez le nouveau statut de la fiche."),
        ("budget", True, {"year": 2031, "funder": "caf", "planned": 1}, "hors de la période de la CTG"),
        ("budget", True, {"year": 2026, "funder": "banque", "planned": 1}, "Choisissez le financeur."),
        ("budget", True, {"year": 2026, "funder": "caf", "planned": -5}, "ne peut pas être négatif"),
        ("budget", True, {"year": 2026, "funder": "caf", "planned": "abc"}, "n'est pas un montant"),
        ("fiche_create", False, {"title": "", "objective": 1}, "L'intitulé de la fiche est obligatoire."),
        ("fiche_create", False, {"title": "Nouvelle"}, "Choisissez l'objectif opérationnel de la fiche."),
        ("inconnu", False, {}, "Choisissez l'effet de la décision."),
    ],
)
def test_decision_add_refuses_bad_payloads(world, held, fiche, kind, use_fiche, payload, message):
    with pytest.raises(ValidationError) as error:
        services.decision_add(
            meeting=held,
            actor=world.users["coordination"],
            text="Décision",
            kind=kind,
            fiche=fiche if use_fiche else None,
            payload=payload,
        )
    assert message in _messages(error.value)
    assert not Decision.objects.exists()


def test_decision_on_a_fiche_or_objective_of_another_dossier_is_refused(world, held):
    other_fiche = FicheFactory(ctg=world.other_ctg)
    other_objective = OperationalObjectiveFactory(strategic__enjeu__ctg=world.other_ctg)
    actor = world.users["coordination"]
    with pytest.raises(ValidationError) as error:
        services.decision_add(
            meeting=held,
            actor=actor,
            text="D",
            kind="fiche_status",
            fiche=other_fiche,
            payload={"status": "en_cours"},
        )
    assert "Choisissez une fiche action de ce dossier." in _messages(error.value)
    with pytest.raises(ValidationError) as error:
        services.decision_add(
            meeting=held,
            actor=actor,
            text="D",
            kind="fiche_create",
            payload={"title": "Nouvelle", "objective": other_objective.pk},
        )
    assert "L'objectif opérationnel doit appartenir à ce dossier." in _messages(error.value)
    with pytest.raises(ValidationError) as error:
        services.decision_add(meeting=held, actor=actor, text="  ")
    assert "Le texte de la décision est obligatoire." in _messages(error.value)
    assert not Decision.objects.exists()


def _apply(decision, world):
    return services.decision_apply(decision=decision, actor=world.users["coordination"])


def test_apply_fiche_status_goes_through_the_plan_and_points_to_the_decision(world, held, fiche):
    decision = DecisionFactory(
        meeting=held,
        kind="fiche_status",
        fiche=fiche,
        payload={"status": "en_cours"},
        text="Lancer la fiche.",
    )
    version = fiche.version
    applied = _apply(decision, world)
    fiche.refresh_from_db()
    assert fiche.status == FicheAction.Status.EN_COURS and fiche.version == version + 1
    assert applied.applied_at is not None and applied.applied_by == world.users["coordination"]
    fiche_entry = world.ctg.history.get(item_type="ficheaction", item_id=fiche.pk)
    assert fiche_entry.cause == decision
    assert fiche_entry.labelled_changes["statut"] == ["À venir", "En cours"]
    decision_entry = world.ctg.history.get(item_type="decision", summary__startswith="Décision appliquée")
    assert decision_entry.cause == decision
    assert decision_entry.summary.endswith("Statut de la fiche « Relais petite enfance » : En cours")


def test_apply_budget_sets_the_line_through_the_plan(world, held, fiche):
    decision = DecisionFactory(
        meeting=held,
        kind="budget",
        fiche=fiche,
        payload={"year": 2026, "funder": "caf", "planned": "12000.50", "spent": "0"},
    )
    _apply(decision, world)
    line = fiche.budget.get()
    assert (line.year, line.funder, str(line.planned), str(line.spent)) == (2026, "caf", "12000.50", "0.00")
    entry = world.ctg.history.get(action="budget")
    assert entry.cause == decision and entry.item_id == fiche.pk


def test_apply_fiche_create_stores_the_new_fiche(world, held):
    objective = OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    decision = DecisionFactory(
        meeting=held, kind="fiche_create", payload={"title": "Maison des jeunes", "objective": objective.pk}
    )
    applied = _apply(decision, world)
    fiche = FicheAction.objects.get(title="Maison des jeunes")
    assert applied.fiche == fiche and list(fiche.objectives.all()) == [objective]
    decision.refresh_from_db()
    assert decision.fiche == fiche
    assert world.ctg.history.get(item_type="ficheaction", item_id=fiche.pk).cause == decision


def test_a_decision_that_changes_nothing_is_applied_and_says_so(world, held, fiche):
    fiche.status = FicheAction.Status.EN_COURS
    fiche.save()
    version = fiche.version
    decision = DecisionFactory(meeting=held, kind="fiche_status", fiche=fiche, payload={"status": "en_cours"})
    applied = _apply(decision, world)
    fiche.refresh_from_db()
    assert fiche.version == version  # the fiche was not rewritten
    assert applied.applied_at is not None
    assert applied.applied_without_effect == "la fiche était déjà « En cours »"
    assert not world.ctg.history.filter(item_type="ficheaction", item_id=fiche.pk).exists()
    entry = world.ctg.history.get(item_type="decision", summary__startswith="Décision appliquée")
    assert entry.summary.endswith("— sans effet : la fiche était déjà « En cours »")

    fiche.budget.create(year=2026, funder="caf", planned="100.00", spent="0.00")
    same = DecisionFactory(
        meeting=held,
        kind="budget",
        fiche=fiche,
        payload={"year": 2026, "funder": "caf", "planned": "100", "spent": "0"},
    )
    assert _apply(same, world).applied_without_effect == "la ligne de budget avait déjà ces montants"
    other = DecisionFactory(
        meeting=held,
        kind="budget",
        fiche=fiche,
        payload={"year": 2026, "funder": "caf", "planned": "150", "spent": "0"},
    )
    assert _apply(other, world).applied_without_effect == ""
    assert str(fiche.budget.get().planned) == "150.00"


def test_a_decision_is_applied_once(world, held, fiche):
    decision = DecisionFactory(meeting=held, kind="fiche_status", fiche=fiche, payload={"status": "en_pause"})
    _apply(decision, world)
    count = HistoryEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        _apply(decision, world)
    assert "Cette décision est déjà appliquée" in _messages(error.value)
    assert HistoryEntry.objects.count() == count
    with pytest.raises(ValidationError) as error:
        services.decision_remove(decision=decision, actor=world.users["coordination"])
    assert "elle ne peut plus être supprimée" in _messages(error.value)
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_decisions_of_a_meeting_not_held_are_not_applied(world, fiche):
    meeting = MeetingFactory(body=BodyFactory(ctg=world.ctg), status=Meeting.Status.PLANNED)
    decision = DecisionFactory(
        meeting=meeting, kind="fiche_status", fiche=fiche, payload={"status": "en_cours"}
    )
    with pytest.raises(ValidationError) as error:
        _apply(decision, world)
    assert "La réunion doit être marquée comme tenue" in _messages(error.value)
    fiche.refresh_from_db()
    decision.refresh_from_db()
    assert fiche.status == FicheAction.Status.A_VENIR and decision.applied_at is None


def test_apply_refuses_notes_deleted_fiches_and_invalid_payloads(world, held, fiche):
    note = DecisionFactory(meeting=held)
    with pytest.raises(ValidationError) as error:
        _apply(note, world)
    assert "Cette décision n'a pas d'effet sur le plan." in _messages(error.value)
    orphan = DecisionFactory(meeting=held, kind="fiche_status", fiche=None, payload={"status": "en_cours"})
    with pytest.raises(ValidationError) as error:
        _apply(orphan, world)
    assert "La fiche action de cette décision n'existe plus." in _messages(error.value)
    bad = DecisionFactory(meeting=held, kind="budget", fiche=fiche, payload={"year": 2040, "funder": "caf"})
    with pytest.raises(ValidationError) as error:
        _apply(bad, world)
    assert "hors de la période" in _messages(error.value)
    assert not fiche.budget.exists()
    assert not Decision.objects.filter(applied_at__isnull=False).exists()


def test_a_failing_plan_service_leaves_the_decision_unapplied(world, held, fiche, monkeypatch):
    decision = DecisionFactory(meeting=held, kind="fiche_status", fiche=fiche, payload={"status": "en_cours"})

    def conflict(**kwargs):
        raise ValidationError("La fiche a été modifiée entre-temps.")

    monkeypatch.setattr(decisions.plan_services, "fiche_update", conflict)
    with pytest.raises(ValidationError):
        _apply(decision, world)
    decision.refresh_from_db()
    assert decision.applied_at is None
    assert not world.ctg.history.caused_by(decision).exists()


def test_the_organisation_of_a_member_can_be_changed(world):
    member = BodyMemberFactory(body=BodyFactory(ctg=world.ctg))
    other = OrganisationFactory(name="Mission locale")
    services.member_update(member=member, actor=world.users["coordination"], organisation=other)
    member.refresh_from_db()
    assert member.organisation == other
    assert world.ctg.history.latest("id").labelled_changes["organisation"][1] == "Mission locale"

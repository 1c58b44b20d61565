"""The ateliers' services: every write is recorded in the dossier's history, and every refusal (French
message) leaves the data unchanged."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ctg.ateliers import services
from ctg.ateliers.models import Atelier, Attachment, Attendance, Contribution, DotVote, Registration
from ctg.conventions.models import DatePrecision
from ctg.core.models import Action, HistoryEntry
from ctg.findings.models import Finding
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from tests.factories import OrganisationFactory

from .factories import AtelierFactory, ContributionFactory, FindingFactory, RegistrationFactory


@pytest.fixture
def pilot(world):
    return world.users[Role.PILOTE_CAF]


def _values(world, **extra):
    values = {
        "title": "Petite enfance",
        "themes": ["petite_enfance", "parentalite"],
        "date": datetime.date(2024, 5, 23),
        "format": Atelier.Format.PRESENTIEL,
        "commune": world.ctg.communes.order_by("code").first(),
        "address": "Salle des fêtes",
    }
    values.update(extra)
    return values


def _history(world):
    return list(HistoryEntry.objects.filter(ctg=world.ctg, action=Action.ATELIER).order_by("pk"))


def _snapshot(world):
    return {
        "ateliers": list(Atelier.objects.filter(ctg=world.ctg).values()),
        "registrations": list(Registration.objects.values()),
        "attendances": list(Attendance.objects.values()),
        "contributions": list(Contribution.objects.values()),
        "attachments": list(Attachment.objects.values()),
        "votes": list(DotVote.objects.values()),
        "findings": Finding.objects.count(),
        "history": HistoryEntry.objects.count(),
    }


def test_create_update_delete_write_the_history(world, pilot):
    atelier = services.atelier_create(ctg=world.ctg, actor=pilot, **_values(world))
    assert atelier.source_label == "Atelier « Petite enfance » du 23 mai 2024"
    assert atelier.themes == ["petite_enfance", "parentalite"]
    created = _history(world)[-1]
    assert created.summary == "Atelier créé : Atelier « Petite enfance » du 23 mai 2024"
    assert created.actor == pilot and created.item_id == atelier.pk
    assert created.changes["themes"] == ["", "Petite enfance (0-3 ans), Parentalité"]

    services.atelier_update(atelier=atelier, actor=pilot, capacity=12, status=Atelier.Status.HELD)
    atelier.refresh_from_db()
    assert atelier.capacity == 12 and atelier.status == Atelier.Status.HELD
    changed = _history(world)[-1]
    assert changed.changes == {"capacity": ["", "12"], "status": ["prevu", "tenu"]}
    assert changed.labelled_changes["nombre de places"] == ["", "12"]

    count = len(_history(world))
    services.atelier_update(atelier=atelier, actor=pilot, themes=["parentalite", "petite_enfance"])
    assert len(_history(world)) == count  # the same themes in another order: no change

    services.atelier_delete(atelier=atelier, actor=pilot)
    assert not Atelier.objects.filter(pk=atelier.pk).exists()
    assert _history(world)[-1].summary == "Atelier supprimé : Atelier « Petite enfance » du 23 mai 2024"


def test_a_month_only_date_is_stored_as_the_first_of_the_month(world, pilot):
    atelier = services.atelier_create(
        ctg=world.ctg,
        actor=pilot,
        **_values(world, date=datetime.date(2024, 4, 17), date_precision=DatePrecision.MONTH),
    )
    assert atelier.date == datetime.date(2024, 4, 1)
    assert atelier.date_label == "avril 2024"
    assert atelier.source_label == "Atelier « Petite enfance » d'avril 2024"
    assert atelier.when_label == "avril 2024 (jour non connu)"
    with pytest.raises(ValidationError) as error:
        services.atelier_update(atelier=atelier, actor=pilot, start_time=datetime.time(14))
    assert "n'a pas d'heure" in str(error.value)


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"themes": ["cuisine"]}, "themes", "Thématique inconnue : « cuisine »."),
        ({"themes": []}, "themes", "Choisissez au moins une thématique."),
        ({"title": "  "}, "title", "L'intitulé est obligatoire."),
        ({"commune": None, "address": ""}, "address", "Indiquez le lieu de l'atelier"),
        ({"format": Atelier.Format.VISIO, "commune": None, "address": ""}, "link", "Indiquez le lien"),
        ({"link": "javascript:alert(1)"}, "link", "adresse web"),
        ({"capacity": 0}, "capacity", "entier positif"),
        ({"start_time": datetime.time(16), "end_time": datetime.time(14)}, "end_time", "doit suivre"),
        ({"status": Atelier.Status.HELD, "date": datetime.date(2099, 1, 1)}, "status", "à venir"),
        ({"is_fictitious": True}, None, "démonstration"),
    ],
)
def test_create_refusals_write_nothing(world, pilot, extra, field, message):
    before = _snapshot(world)
    with pytest.raises(ValidationError) as error:
        services.atelier_create(ctg=world.ctg, actor=pilot, **_values(world, **extra))
    if field:
        assert message in " ".join(error.value.message_dict[field])
    else:
        assert message in " ".join(error.value.messages)
    assert _snapshot(world) == before


def test_a_commune_outside_the_territory_is_refused(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    before = _snapshot(world)
    outside = world.other_ctg.communes.first()
    with pytest.raises(ValidationError) as error:
        services.atelier_update(atelier=atelier, actor=pilot, commune=outside)
    assert error.value.message_dict["commune"] == ["Choisissez une commune du territoire de la CTG."]
    with pytest.raises(ValidationError):
        services.registration_add(atelier=atelier, actor=pilot, person_name="Alex", commune=outside)
    assert _snapshot(world) == before


def test_a_facilitator_organisation_out_of_scope_is_refused(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    elsewhere = OrganisationFactory(name="Association d'ailleurs", commune=world.other_ctg.communes.first())
    before = _snapshot(world)
    with pytest.raises(ValidationError) as error:
        services.atelier_update(atelier=atelier, actor=pilot, facilitator_organisation=elsewhere)
    assert "facilitator_organisation" in error.value.message_dict
    assert _snapshot(world) == before
    local = OrganisationFactory(
        name="Centre social du Test", kind=Organisation.Kind.ASSOCIATION, commune=world.ctg.communes.first()
    )
    services.atelier_update(atelier=atelier, actor=pilot, facilitator_organisation=local)
    atelier.refresh_from_db()
    assert atelier.facilitator_organisation == local


def test_registrations_refuse_beyond_capacity(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg, capacity=2)
    services.registration_add(atelier=atelier, actor=pilot, person_name="Alex", status="inscrit")
    services.registration_add(atelier=atelier, actor=pilot, person_name="Sam", status="inscrit")
    invited = services.registration_add(atelier=atelier, actor=pilot, person_name="Lou", status="invite")
    before = _snapshot(world)
    with pytest.raises(ValidationError) as error:
        services.registration_add(atelier=atelier, actor=pilot, person_name="Noa", status="inscrit")
    assert "L'atelier est complet (2 places)" in error.value.message_dict["status"][0]
    with pytest.raises(ValidationError):
        services.registration_update(registration=invited, actor=pilot, status="inscrit")
    with pytest.raises(ValidationError) as error:
        services.atelier_update(atelier=atelier, actor=pilot, capacity=1)
    assert "2 personnes sont déjà inscrites" in error.value.message_dict["capacity"][0]
    assert _snapshot(world) == before
    services.registration_update(registration=invited, actor=pilot, status="excuse")
    invited.refresh_from_db()
    assert invited.status == "excuse"


def test_consents_are_dated_and_history_kept(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    registration = services.registration_add(
        atelier=atelier, actor=pilot, person_name="Alex Martin", email="alex@exemple.fr", consent_listed=True
    )
    assert registration.consent_listed and registration.consent_listed_at is not None
    assert not registration.consent_contact and registration.consent_contact_at is None
    assert "Alex Martin" in _history(world)[-1].summary
    services.registration_update(registration=registration, actor=pilot, consent_contact=True)
    registration.refresh_from_db()
    assert registration.consent_contact_at is not None
    services.registration_update(registration=registration, actor=pilot, consent_listed=False)
    registration.refresh_from_db()
    assert not registration.consent_listed and registration.consent_listed_at is None
    with pytest.raises(ValidationError):
        services.registration_add(atelier=atelier, actor=pilot, person_name="X", email="pas-un-courriel")


def test_attendance_proposes_the_communal_referents_and_records_changes(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    referent = world.users[Role.REFERENT_COMMUNAL]
    assert services.referents(atelier) == [referent]
    registration = RegistrationFactory(atelier=atelier, consent_listed=True)
    changes = services.attendance_set(
        atelier=atelier, actor=pilot, registrations=[registration.pk], members=[referent.pk]
    )
    assert changes["attendance"][0] == ""
    present = {a.person_name: a for a in atelier.attendances.all()}
    assert set(present) == {registration.person_name, referent.get_full_name()}
    assert present[registration.person_name].consent_listed
    assert not present[referent.get_full_name()].consent_listed
    walk_in = services.attendance_add(atelier=atelier, actor=pilot, person_name="Dominique")
    services.attendance_set(
        atelier=atelier, actor=pilot, registrations=[registration.pk], others=[walk_in.pk]
    )
    assert set(atelier.attendances.values_list("person_name", flat=True)) == {
        registration.person_name,
        "Dominique",
    }
    other = RegistrationFactory(atelier=AtelierFactory(ctg=world.other_ctg))
    before = _snapshot(world)
    with pytest.raises(ValidationError):
        services.attendance_set(atelier=atelier, actor=pilot, registrations=[other.pk])
    with pytest.raises(ValidationError):
        services.attendance_set(atelier=atelier, actor=pilot, members=[world.users["other_member"].pk])
    assert _snapshot(world) == before


def test_contributions(world):
    partner = world.users[Role.PARTENAIRE]
    atelier = AtelierFactory(ctg=world.ctg)
    contribution = services.contribution_add(
        atelier=atelier, actor=partner, text="Trop peu de places\x07 en crèche", theme="petite_enfance"
    )
    assert contribution.text == "Trop peu de places en crèche" and contribution.created_by == partner
    assert _history(world)[-1].summary.startswith("Contribution à l'atelier « ")
    assert services.may_delete_contribution(contribution, partner, manages=False)
    assert not services.may_delete_contribution(
        contribution, world.users[Role.REFERENT_COMMUNAL], manages=False
    )
    before = _snapshot(world)
    with pytest.raises(ValidationError):
        services.contribution_add(atelier=atelier, actor=partner, text="x", theme="cuisine")
    with pytest.raises(ValidationError):
        services.contribution_add(atelier=atelier, actor=partner, text="   ")
    assert _snapshot(world) == before
    services.contribution_delete(contribution=contribution, actor=partner)
    assert not atelier.contributions.exists()


def test_a_cancelled_atelier_takes_no_more_registrations(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg, status=Atelier.Status.CANCELLED)
    with pytest.raises(ValidationError):
        services.registration_add(atelier=atelier, actor=pilot, person_name="Alex")


def test_attachments_are_checked_by_their_content(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    before = _snapshot(world)
    fake = SimpleUploadedFile("support.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError) as error:
        services.attachment_add(atelier=atelier, actor=pilot, file=fake)
    assert "n'est pas un PDF valide" in error.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        services.attachment_add(atelier=atelier, actor=pilot, file=SimpleUploadedFile("x.html", b"<p>x</p>"))
    assert _snapshot(world) == before
    document = services.attachment_add(
        atelier=atelier, actor=pilot, file=SimpleUploadedFile("support.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    assert document.title == "support.pdf"
    assert _history(world)[-1].changes == {"attachment": ["", "support.pdf"]}
    services.attachment_delete(attachment=document, actor=pilot)
    assert not atelier.attachments.exists()


def test_dot_vote_counts_and_ranks(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    first, second, third = (FindingFactory(ctg=world.ctg, title=t) for t in ("A", "B", "C"))
    services.dot_vote_set(atelier=atelier, actor=pilot, finding=first, dots=3)
    services.dot_vote_set(atelier=atelier, actor=pilot, finding=second, dots="7")
    services.dot_vote_set(atelier=atelier, actor=pilot, finding=third, dots=3)
    assert _history(world)[-1].changes == {"dots": ["0", "3"]}
    ranked = services.ranked_votes(atelier)
    assert [(r["rank"], r["finding"].title, r["dots"], r["share"]) for r in ranked] == [
        (1, "B", 7, 54),
        (2, "A", 3, 23),
        (2, "C", 3, 23),
    ]
    services.dot_vote_set(atelier=atelier, actor=pilot, finding=third, dots=0)
    assert atelier.votes.count() == 2


@pytest.mark.parametrize("dots", [-1, "-2", "1.5", True, None, "trois"])
def test_a_bad_dot_count_is_refused(world, pilot, dots):
    atelier = AtelierFactory(ctg=world.ctg)
    finding = FindingFactory(ctg=world.ctg)
    services.dot_vote_set(atelier=atelier, actor=pilot, finding=finding, dots=2)
    before = _snapshot(world)
    with pytest.raises(ValidationError) as error:
        services.dot_vote_set(atelier=atelier, actor=pilot, finding=finding, dots=dots)
    assert error.value.message_dict["dots"] == [services.DOTS_ERROR]
    assert _snapshot(world) == before


def test_another_dossiers_finding_is_refused_in_a_vote(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    foreign = FindingFactory(ctg=world.other_ctg)
    before = _snapshot(world)
    with pytest.raises(ValidationError) as error:
        services.dot_vote_set(atelier=atelier, actor=pilot, finding=foreign, dots=3)
    assert error.value.message_dict["finding"] == ["Choisissez un constat de ce dossier."]
    assert _snapshot(world) == before


def test_a_finding_created_from_a_contribution(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg, title="Petite enfance", date=datetime.date(2024, 5, 23))
    contribution = ContributionFactory(atelier=atelier, text="Pas de crèche", theme="petite_enfance")
    finding = services.finding_from_atelier(
        atelier=atelier,
        actor=pilot,
        values={"kind": "besoin", "title": "Manque de places en crèche"},
        contribution=contribution,
    )
    assert finding.source_kind == "atelier" and finding.source_type == "ateliers.atelier"
    assert finding.source_id == atelier.pk
    assert finding.source_label == "Atelier « Petite enfance » du 23 mai 2024"
    assert finding.fields == ["petite_enfance"]
    assert list(services.atelier_findings(atelier)) == [finding]
    assert _history(world)[-1].changes == {"finding": ["", "Manque de places en crèche"]}
    from ctg.findings.selectors import source_url

    assert source_url(finding) == (finding.source_label, atelier.get_absolute_url())
    other = ContributionFactory(atelier=AtelierFactory(ctg=world.ctg))
    before = _snapshot(world)
    with pytest.raises(ValidationError):
        services.finding_from_atelier(atelier=atelier, actor=pilot, values={"title": "x"}, contribution=other)
    with pytest.raises(ValidationError):
        services.finding_from_atelier(atelier=atelier, actor=pilot, values={"title": ""})
    assert _snapshot(world) == before

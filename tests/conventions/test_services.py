import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from ctg.conventions import services
from ctg.conventions.models import Ctg, Membership, Phase
from ctg.conventions.selectors import ctg_visible_to, role_in
from ctg.core.models import HistoryEntry
from ctg.organisations.models import Organisation
from tests.factories import CommuneFactory, EpciFactory, SignatoryFactory


@pytest.fixture
def caf(world):
    return world.ctg.caf


def _create(world, **overrides):
    values = {
        "actor": world.users["pilote_caf"],
        "title": "CTG nouvelle",
        "caf": world.ctg.caf,
        "start_year": 2030,
        "fields": ["petite_enfance"],
        "epci": world.ctg.epci,
    }
    values.update(overrides)
    return services.ctg_create(**values)


def test_create_on_an_epci_takes_its_communes_defaults_to_four_years_and_records_history(world):
    ctg = _create(world)
    assert (ctg.start_year, ctg.end_year) == (2030, 2033)
    assert set(ctg.communes.all()) == set(world.ctg.epci.communes.all())
    entry = ctg.history.get()
    assert entry.actor == world.users["pilote_caf"] and entry.action == "creation"
    # The EPCI and the Conseil départemental exist as organisations, ready to sign.
    assert Organisation.objects.filter(kind="epci", epci=world.ctg.epci).exists()
    assert Organisation.objects.filter(kind="departement", departement_id="81").exists()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (2030, 2029, "ne peut pas précéder"),
        (2030, 2035, "de 1 à 5 ans"),
        (1990, 1992, "comprise entre"),
    ],
)
def test_invalid_period_is_refused(world, start, end, message):
    with pytest.raises(ValidationError) as error:
        _create(world, start_year=start, end_year=end)
    assert message in str(error.value)
    assert Ctg.objects.count() == 2


def test_duplicate_on_same_territory_and_overlapping_period_is_refused(world):
    with pytest.raises(ValidationError, match="existe déjà sur ce territoire"):
        _create(world, start_year=2027, end_year=2029)
    assert Ctg.objects.count() == 2
    # The next period is fine.
    assert _create(world, start_year=2029, end_year=2032).pk


def test_a_list_of_communes_is_a_territory_too(world):
    communes = list(world.ctg.communes.all()[:2])
    ctg = _create(world, epci=None, communes=communes)
    assert ctg.territory_code == ",".join(sorted(c.code for c in communes))
    with pytest.raises(ValidationError, match="existe déjà"):
        _create(world, epci=None, communes=list(reversed(communes)), title="Doublon")


def test_no_territory_and_no_field_are_refused(world):
    with pytest.raises(ValidationError, match="au moins une commune"):
        _create(world, epci=None, communes=[])
    with pytest.raises(ValidationError, match="au moins un champ"):
        _create(world, fields=[])
    with pytest.raises(ValidationError, match="inconnu"):
        _create(world, fields=["astrologie"])


def test_phase_moves_one_step_either_way_and_mise_en_oeuvre_needs_the_signature(world):
    ctg, actor = world.ctg, world.users["coordination"]
    with pytest.raises(ValidationError, match="impossible"):
        services.ctg_transition(ctg=ctg, actor=actor, to=Phase.PLAN_ACTION)
    services.ctg_transition(ctg=ctg, actor=actor, to=Phase.DIAGNOSTIC)
    services.ctg_transition(ctg=ctg, actor=actor, to=Phase.PREPARATION)
    services.ctg_transition(ctg=ctg, actor=actor, to=Phase.DIAGNOSTIC)
    services.ctg_transition(ctg=ctg, actor=actor, to=Phase.PLAN_ACTION)
    with pytest.raises(ValidationError) as error:
        services.ctg_transition(ctg=ctg, actor=actor, to=Phase.MISE_EN_OEUVRE)
    assert error.value.messages == ["La convention n'est pas encore signée par toutes les parties."]
    assert "La CAF doit figurer parmi les signataires." in services.signature_blockers(ctg)
    caf = SignatoryFactory(ctg=ctg, organisation=ctg.caf)
    assert services.signature_blockers(ctg) == [
        "Il faut au moins un signataire pour le territoire en plus de la CAF.",
        f"{ctg.caf} n'a pas encore signé (date de signature à saisir).",
    ]
    territory = SignatoryFactory(ctg=ctg)
    services.signature_record(signatory=caf, actor=actor, signed_on=datetime.date(2025, 1, 20))
    assert services.signature_blockers(ctg) == [
        f"{territory.organisation} n'a pas encore signé (date de signature à saisir)."
    ]
    services.signature_record(signatory=territory, actor=actor, signed_on=datetime.date(2025, 1, 27))
    assert services.signature_blockers(ctg) == [] and ctg.is_signed
    services.ctg_transition(ctg=ctg, actor=actor, to=Phase.MISE_EN_OEUVRE)
    ctg.refresh_from_db()
    assert ctg.phase == Phase.MISE_EN_OEUVRE and ctg.phase_changed_at is not None
    last = ctg.history.first()
    assert last.actor == actor and last.labelled_changes == {"phase": ["Plan d'action", "Mise en œuvre"]}


def test_an_unknown_phase_is_refused_and_nothing_changes(world):
    ctg, actor = world.ctg, world.users["coordination"]
    count = HistoryEntry.objects.count()
    for to in ("signee", "elaboration", "", "diagnostic; drop"):
        with pytest.raises(ValidationError):
            services.ctg_transition(ctg=ctg, actor=actor, to=to)
    ctg.refresh_from_db()
    assert ctg.phase == Phase.PREPARATION and HistoryEntry.objects.count() == count


def test_signed_period_changes_only_by_amendment(world):
    ctg = world.ctg
    SignatoryFactory(ctg=ctg, organisation=ctg.caf, signed_on=datetime.date(2024, 11, 21))
    with pytest.raises(ValidationError, match="avenant"):
        services.ctg_update(ctg=ctg, actor=world.users["coordination"], end_year=2029)
    # Signed in préparation: the phase does not matter, the signature does.
    assert Ctg.objects.get(pk=ctg.pk).phase == Phase.PREPARATION


def test_update_records_before_and_after(world):
    services.ctg_update(
        ctg=world.ctg, actor=world.users["coordination"], title="CTG renommée", fields=["seniors"]
    )
    entry = world.ctg.history.first()
    assert entry.labelled_changes["intitulé"] == ["CTG du Test 2025-2028", "CTG renommée"]
    assert entry.labelled_changes["champs"] == ["Petite enfance (0-3 ans), Jeunesse (11-25 ans)", "Seniors"]
    # Saving the same values records nothing.
    count = HistoryEntry.objects.count()
    services.ctg_update(ctg=world.ctg, actor=world.users["coordination"], title="CTG renommée")
    assert HistoryEntry.objects.count() == count


def test_renewal_creates_the_next_period_linked_and_only_once(world):
    ctg = world.ctg
    with pytest.raises(ValidationError, match="évaluation ou terminée"):
        services.ctg_renew(ctg=ctg, actor=world.users["pilote_caf"])
    Ctg.objects.filter(pk=ctg.pk).update(phase=Phase.EVALUATION)
    new = services.ctg_renew(ctg=ctg, actor=world.users["pilote_caf"])
    assert (new.start_year, new.end_year, new.previous) == (2029, 2032, ctg)
    assert new.title == "CTG du Test 2029-2032"
    assert set(new.memberships.values_list("user__email", "role")) == set(
        ctg.memberships.values_list("user__email", "role")
    )
    assert new.history.filter(actor=world.users["pilote_caf"]).exists()
    # Every line of the new dossier's history, and the dossier itself, name who renewed it.
    assert set(new.history.values_list("actor", flat=True)) == {world.users["pilote_caf"].pk}
    assert new.created_by == new.updated_by == world.users["pilote_caf"]
    with pytest.raises(ValidationError, match="déjà été renouvelée"):
        services.ctg_renew(ctg=ctg, actor=world.users["pilote_caf"])


def test_a_renewal_by_the_coordination_carries_the_members_over_once(world):
    Ctg.objects.filter(pk=world.ctg.pk).update(phase=Phase.EVALUATION)
    coordination = world.users["coordination"]
    new = services.ctg_renew(ctg=world.ctg, actor=coordination)
    assert new.memberships.count() == world.ctg.memberships.count()
    assert new.memberships.get(user=coordination).role == "coordination"
    assert new.created_by == coordination
    assert set(new.history.values_list("actor", flat=True)) == {coordination.pk}


def test_invitation_of_a_new_person_sends_a_password_link(world):
    membership = services.membership_invite(
        ctg=world.ctg,
        actor=world.users["coordination"],
        actor_role="coordination",
        email="Nouvelle.Personne@Exemple.fr",
        role="partenaire",
    )
    assert membership.user.email == "nouvelle.personne@exemple.fr"
    assert len(mail.outbox) == 1
    assert "/mot-de-passe/definir/" in mail.outbox[0].body and world.ctg.title in mail.outbox[0].subject
    with pytest.raises(ValidationError, match="fait déjà partie"):
        services.membership_invite(
            ctg=world.ctg,
            actor=world.users["coordination"],
            actor_role="coordination",
            email="nouvelle.personne@exemple.fr",
            role="lecture",
        )


def test_invitation_rules(world):
    invite = {
        "ctg": world.ctg,
        "actor": world.users["coordination"],
        "actor_role": "coordination",
        "email": "x@exemple.fr",
    }
    with pytest.raises(ValidationError, match="ne permet pas de donner"):
        services.membership_invite(**invite, role="pilote_caf")
    with pytest.raises(ValidationError, match="au moins une commune"):
        services.membership_invite(**invite, role="referent_communal")
    outside = CommuneFactory(epci=EpciFactory())
    with pytest.raises(ValidationError, match="ne font pas partie du territoire"):
        services.membership_invite(**invite, role="referent_communal", communes=[outside])
    assert not Membership.objects.filter(user__email="x@exemple.fr").exists()


def test_caf_adviser_sees_every_dossier_of_their_departement_only(world):
    visible = set(ctg_visible_to(world.users["pilote_caf"]))
    assert world.ctg in visible and world.other_ctg not in visible
    assert role_in(world.users["pilote_caf"], world.ctg) == "pilote_caf"
    assert role_in(world.users["other_caf"], world.ctg) is None
    assert set(ctg_visible_to(world.users["partenaire"])) == {world.ctg}
    assert set(ctg_visible_to(world.users["other_member"])) == {world.other_ctg}

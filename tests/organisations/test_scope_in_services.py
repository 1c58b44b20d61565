"""One rule for the organisations a dossier names, whoever writes (« one path for every write »): every
service that attaches an organisation to a dossier (signatory, partner, person invited, governance body
member, fiche pilot and partners, employer of the coordinator post) refuses, called directly, another CAF's
organisation (another département, not national) and a fictitious (demo) one in a real dossier, with a
French message naming it, and nothing changes (rows nor history); the territory's, the département's and
the national ones are accepted. The forms show the same message. Two CAFs and two départements: the `world`
fixture (Tarn, Aude)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from ctg.conventions import services as convention_services
from ctg.conventions.models import Membership, Partner, Signatory
from ctg.core.models import HistoryEntry
from ctg.exchange.export import export_plan
from ctg.exchange.imports import import_plan
from ctg.governance import services as governance_services
from ctg.governance.models import Body, BodyMember
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from ctg.plans import services as plan_services
from ctg.plans.forms import FicheForm
from ctg.plans.models import Enjeu, FicheAction, OperationalObjective, StrategicObjective
from ctg.post import services as post_services
from ctg.post.models import CoordinatorPost
from tests.factories import CommuneFactory, CtgFactory, OrganisationFactory, UserFactory

Kind = Organisation.Kind


@pytest.fixture
def places(world):
    """Organisations the dossier (world.ctg, Tarn) may name, and others (the Aude's, a fictitious one)."""
    ctg = world.ctg
    tarn, aude = ctg.caf.departement, world.other_ctg.caf.departement
    commune = ctg.communes.order_by("code").first()
    return {
        # allowed
        "territory": OrganisationFactory(kind=Kind.EPCI, name="CC du Test", epci=ctg.epci),
        "commune": OrganisationFactory(kind=Kind.COMMUNE, name="Commune du Test", commune=commune),
        "departement": OrganisationFactory(
            kind=Kind.DEPARTEMENT, name="Conseil départemental du Tarn", departement=tarn
        ),
        "elsewhere_in_tarn": OrganisationFactory(
            kind=Kind.ASSOCIATION, name="Ludothèque d'Albi", commune=CommuneFactory(departement=tarn)
        ),
        "national": OrganisationFactory(kind=Kind.AUTRE, name="Cnaf"),
        # refused
        "other_caf": world.other_ctg.caf,
        "aude": OrganisationFactory(kind=Kind.ASSOCIATION, name="Centre social de Limoux", departement=aude),
        "fictitious": OrganisationFactory(
            kind=Kind.ASSOCIATION, name="Association fictive", departement=tarn, is_fictitious=True
        ),
    }


ALLOWED = ("territory", "commune", "departement", "elsewhere_in_tarn", "national")
OTHER_CAF = ("other_caf", "aude")


@pytest.fixture
def dossier(world):
    """What the services below need: an operational objective, a fiche, a body with a member, a post."""
    ctg = world.ctg
    enjeu = Enjeu.objects.create(ctg=ctg, title="Accueil du jeune enfant", position=1)
    strategic = StrategicObjective.objects.create(enjeu=enjeu, title="Développer l'offre", position=1)
    objective = OperationalObjective.objects.create(strategic=strategic, title="Micro-crèche", position=1)
    fiche = FicheAction.objects.create(ctg=ctg, position=1, title="Micro-crèche de Test", version=1)
    fiche.objectives.set([objective])
    body = Body.objects.create(ctg=ctg, kind=Body.Kind.COPIL, name="COPIL", position=0)
    member = BodyMember.objects.create(body=body, organisation=ctg.caf, person_name="Claire Martin")
    return {"objective": objective, "fiche": fiche, "body": body, "member": member}


def _pilot(world):
    return world.users["pilote_caf"]


# Each service, called directly as an import, the API or the demo would: (name, call(world, dossier, org)).
SERVICES = {
    "signatory_add": lambda world, d, org: convention_services.signatory_add(
        ctg=world.ctg, actor=_pilot(world), organisation=org, signer_name="Dominique", signer_capacity="Maire"
    ),
    "partner_add": lambda world, d, org: convention_services.partner_add(
        ctg=world.ctg, actor=_pilot(world), organisation=org, role="Porte le RPE"
    ),
    "membership_invite": lambda world, d, org: convention_services.membership_invite(
        ctg=world.ctg,
        actor=_pilot(world),
        actor_role=Role.PILOTE_CAF,
        email="nouvelle@exemple.fr",
        role=Role.PARTENAIRE,
        organisation=org,
    ),
    "member_add": lambda world, d, org: governance_services.member_add(
        body=d["body"], actor=_pilot(world), organisation=org, person_name="Dominique Durand"
    ),
    "member_update": lambda world, d, org: governance_services.member_update(
        member=d["member"], actor=_pilot(world), organisation=org
    ),
    "fiche_create_pilot": lambda world, d, org: plan_services.fiche_create(
        ctg=world.ctg,
        actor=_pilot(world),
        title="Ludothèque itinérante",
        objectives=[d["objective"]],
        pilot_organisation=org,
    ),
    "fiche_create_partners": lambda world, d, org: plan_services.fiche_create(
        ctg=world.ctg,
        actor=_pilot(world),
        title="Ludothèque itinérante",
        objectives=[d["objective"]],
        partners=[world.ctg.caf, org],
    ),
    "fiche_update_pilot": lambda world, d, org: plan_services.fiche_update(
        fiche=d["fiche"], actor=_pilot(world), expected_version=1, pilot_organisation=org
    ),
    "fiche_update_partners": lambda world, d, org: plan_services.fiche_update(
        fiche=d["fiche"], actor=_pilot(world), expected_version=1, partners=[org]
    ),
    "post_set": lambda world, d, org: post_services.post_set(
        ctg=world.ctg,
        actor=_pilot(world),
        person_name="Camille Roux",
        employer=org,
        fte="1",
        start_date=datetime.date(2025, 9, 1),
    ),
}


def _state(world, d) -> dict:
    """Everything the services above may write, to assert that a refusal changes nothing."""
    fiche = FicheAction.objects.get(pk=d["fiche"].pk)
    member = BodyMember.objects.get(pk=d["member"].pk)
    return {
        "signatories": list(Signatory.objects.values_list("pk", "organisation_id")),
        "partners": list(Partner.objects.values_list("pk", "organisation_id")),
        "memberships": list(Membership.objects.values_list("pk", flat=True)),
        "users": list(world.users["pilote_caf"].__class__.objects.values_list("pk", "organisation_id")),
        "body_members": list(BodyMember.objects.values_list("pk", "organisation_id")),
        "member": (member.organisation_id, member.person_name),
        "fiches": list(FicheAction.objects.values_list("pk", "version", "pilot_organisation_id")),
        "fiche_partners": sorted(fiche.partners.values_list("pk", flat=True)),
        "posts": list(CoordinatorPost.objects.values_list("pk", "employer_id")),
        "organisations": Organisation.objects.count(),
        "history": list(HistoryEntry.objects.values_list("pk", flat=True)),
        "mails": len(mail.outbox),
    }


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("name", OTHER_CAF)
def test_another_cafs_organisation_is_refused_by_every_service_and_nothing_changes(
    world, places, dossier, service, name
):
    before = _state(world, dossier)
    organisation = places[name]
    with pytest.raises(ValidationError) as refused:
        SERVICES[service](world, dossier, organisation)
    messages = " ".join(refused.value.messages)
    assert f"« {organisation.name} »" in messages
    assert "ni du territoire du dossier, ni de son département, ni une organisation nationale" in messages
    assert _state(world, dossier) == before


@pytest.mark.parametrize("service", SERVICES)
def test_a_fictitious_organisation_is_refused_in_a_real_dossier(world, places, dossier, service):
    before = _state(world, dossier)
    with pytest.raises(ValidationError) as refused:
        SERVICES[service](world, dossier, places["fictitious"])
    assert "« Association fictive » est une organisation fictive (démonstration)" in " ".join(
        refused.value.messages
    )
    assert _state(world, dossier) == before


@pytest.mark.parametrize("service", SERVICES)
def test_a_fictitious_organisation_is_accepted_in_the_demo(world, places, dossier, service):
    world.ctg.is_fictitious = True
    world.ctg.save(update_fields=["is_fictitious"])
    if service == "post_set":  # the employer is also one of the dossier's parties
        convention_services.partner_add(ctg=world.ctg, actor=_pilot(world), organisation=places["fictitious"])
    SERVICES[service](world, dossier, places["fictitious"])


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("name", ALLOWED)
def test_the_territory_departement_and_national_organisations_are_accepted(
    world, places, dossier, service, name
):
    organisation = places[name]
    if service == "post_set" and organisation.kind not in (Kind.EPCI, Kind.COMMUNE):
        # The employer is one of the dossier's parties (`employer_choices`): made a partner first.
        convention_services.partner_add(ctg=world.ctg, actor=_pilot(world), organisation=organisation)
    history = HistoryEntry.objects.count()
    SERVICES[service](world, dossier, organisation)
    assert HistoryEntry.objects.count() > history


def test_an_organisation_the_fiche_already_names_is_kept_on_update(world, places, dossier):
    """A fiche naming an organisation from before the rule (or a party since removed) still saves."""
    fiche = dossier["fiche"]
    FicheAction.objects.filter(pk=fiche.pk).update(pilot_organisation=places["aude"])
    fiche.refresh_from_db()
    plan_services.fiche_update(fiche=fiche, actor=_pilot(world), expected_version=1, title="Micro-crèche")
    fiche.refresh_from_db()
    assert (fiche.title, fiche.pilot_organisation) == ("Micro-crèche", places["aude"])


def test_an_existing_person_invited_with_another_cafs_organisation_is_refused(world, places):
    person = UserFactory(email="existante@exemple.fr")
    with pytest.raises(ValidationError, match="Centre social de Limoux"):
        convention_services.membership_invite(
            ctg=world.ctg,
            actor=_pilot(world),
            actor_role=Role.PILOTE_CAF,
            email=person.email,
            role=Role.LECTURE,
            organisation=places["aude"],
        )
    assert not Membership.objects.filter(user=person).exists()


def test_the_form_shows_the_rules_message(client, world, places, dossier):
    """A POST naming another CAF's organisation is refused by the form with the services' message."""
    client.force_login(world.users["pilote_caf"])
    history = HistoryEntry.objects.count()
    response = client.post(
        reverse("governance:member_add", args=[world.ctg.pk, dossier["body"].pk]),
        {"organisation": places["aude"].pk, "person_name": "Dominique Durand"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "ni du territoire du dossier, ni de son département, ni une organisation nationale" in page
    assert "Centre social de Limoux" in page
    assert BodyMember.objects.filter(body=dossier["body"]).count() == 1
    assert HistoryEntry.objects.count() == history


def test_a_plan_import_never_attaches_another_cafs_organisation(world, places, dossier):
    """The plan import matches pilot and partners by name among the organisations the dossier may name only:
    a fiche naming another CAF's organisation gets a namesake of the dossier's département (kind « Autre »),
    never the other CAF's one."""
    fiche = dossier["fiche"]
    FicheAction.objects.filter(pk=fiche.pk).update(all_communes=True)
    payload = export_plan(world.ctg)
    payload["fiches"][0]["pilot_organisation"] = "Centre social de Limoux"
    payload["fiches"][0]["partners"] = ["CAF de l'Aude", "Cnaf"]
    empty = CtgFactory(
        caf=world.ctg.caf,
        epci=world.ctg.epci,
        communes=list(world.ctg.communes.all()),
        start_year=world.ctg.start_year,
        end_year=world.ctg.end_year,
        title="Autre CTG du Test",
    )
    import_plan(empty, payload, world.users["coordination"])
    imported = empty.fiches.get()
    assert imported.pilot_organisation != places["aude"]
    assert imported.pilot_organisation.name == "Centre social de Limoux"
    assert imported.pilot_organisation.departement_id == world.ctg.caf.departement_id
    partners = set(imported.partners.all())
    assert places["national"] in partners and places["other_caf"] not in partners


def test_the_fiche_form_refuses_another_cafs_partner_with_the_rules_message(world, places, dossier):
    """The multiple select (fiche partners) too; an organisation of the dossier merely not offered there (not
    a party of the CTG) keeps the usual « choix valide » message."""
    form = FicheForm({"title": "Ludothèque", "partners": [places["aude"].pk]}, ctg=world.ctg)
    assert not form.is_valid()
    assert form.errors["partners"] == [
        "« Centre social de Limoux » n'est ni du territoire du dossier, ni de son département, ni une "
        "organisation nationale : ce dossier ne peut pas la nommer."
    ]
    form = FicheForm({"title": "Ludothèque", "partners": [places["national"].pk]}, ctg=world.ctg)
    assert not form.is_valid()
    assert "Sélectionnez un choix valide" in form.errors["partners"][0]

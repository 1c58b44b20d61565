"""A fiche's communes are « toutes » or a list, never both (form, services, plan import: one rule,
`plans.rules.communes_problem`); the pilot and partners of a fiche are chosen among the CTG's parties (CAF,
signatories, partners), grouped by type."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from ctg.conventions import services as conventions
from ctg.core.models import HistoryEntry
from ctg.exchange.export import export_plan
from ctg.exchange.imports import PlanImportError, import_plan
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from ctg.plans import rules, services
from ctg.plans.forms import FicheForm
from ctg.plans.models import FicheAction
from tests.factories import CtgFactory, OrganisationFactory


@pytest.fixture
def coordination(world):
    client = Client()
    client.force_login(world.users[Role.COORDINATION])
    return client


@pytest.fixture
def plan(world):
    actor = world.users[Role.COORDINATION]
    enjeu = services.enjeu_create(ctg=world.ctg, actor=actor, title="Accès aux modes d'accueil")
    strategic = services.strategic_objective_create(enjeu=enjeu, actor=actor, title="Développer l'offre")
    operational = services.operational_objective_create(
        strategic=strategic, actor=actor, title="Ouvrir une micro-crèche"
    )
    commune = world.ctg.communes.order_by("code").first()
    fiche = services.fiche_create(
        ctg=world.ctg,
        actor=actor,
        title="Micro-crèche du bourg",
        objectives=[operational],
        all_communes=False,
        communes=[commune],
    )
    return {"operational": operational, "fiche": fiche, "commune": commune, "actor": actor}


def _data(plan, **extra):
    data = {
        "title": "Relais petite enfance",
        "objectives": [plan["operational"].pk],
        "status": "a_venir",
        "priority": "moyenne",
    }
    data.update(extra)
    return data


def _radio(html: str, value: str) -> str:
    """The <input> tag of the communes radio with this value."""
    start = html.index(f'value="{value}"')
    return html[html.rindex("<input", 0, start) : html.index(">", start)]


def test_the_rule():
    assert rules.communes_problem(True, []) is None
    assert rules.communes_problem(False, ["81004"]) is None
    assert rules.communes_problem(True, ["81004"]).code == "communes_ambiguous"
    assert rules.communes_problem(False, []).code == "communes_required"


def test_the_new_fiche_form_ticks_nothing(world, coordination, plan):
    html = coordination.get(reverse("plans:fiche_create", args=[world.ctg.pk])).content.decode()
    assert 'value="toutes"' in html and 'value="liste"' in html
    assert "checked" not in _radio(html, "toutes") and "checked" not in _radio(html, "liste")


def test_an_ambiguous_new_fiche_is_refused_in_french_and_nothing_is_saved(world, coordination, plan):
    history = HistoryEntry.objects.count()
    response = coordination.post(
        reverse("plans:fiche_create", args=[world.ctg.pk]),
        _data(plan, all_communes="toutes", communes=[plan["commune"].pk]),
    )
    assert response.status_code == 400
    assert "pas les deux" in response.content.decode()
    assert not FicheAction.objects.filter(title="Relais petite enfance").exists()
    assert HistoryEntry.objects.count() == history


@pytest.mark.parametrize(
    ("choice", "all_communes", "count"), [("toutes", True, 0), ("liste", False, 1), ("", False, 1)]
)
def test_a_clear_choice_is_saved(world, coordination, plan, choice, all_communes, count):
    communes = [] if choice == "toutes" else [plan["commune"].pk]
    response = coordination.post(
        reverse("plans:fiche_create", args=[world.ctg.pk]),
        _data(plan, all_communes=choice, communes=communes),
    )
    assert response.status_code == 302
    fiche = FicheAction.objects.get(title="Relais petite enfance")
    assert (fiche.all_communes, fiche.communes.count()) == (all_communes, count)


def test_an_ambiguous_edit_is_refused_and_the_fiche_unchanged(world, coordination, plan):
    fiche = plan["fiche"]
    url = reverse("plans:fiche_edit", args=[world.ctg.pk, fiche.pk])
    assert "checked" in _radio(coordination.get(url).content.decode(), "liste")
    response = coordination.post(
        url,
        _data(
            plan,
            title=fiche.title,
            all_communes="toutes",
            communes=[plan["commune"].pk],
            version=fiche.version,
        ),
    )
    assert response.status_code == 400
    assert "pas les deux" in response.content.decode()
    fiche.refresh_from_db()
    assert (fiche.version, fiche.all_communes, list(fiche.communes.all())) == (1, False, [plan["commune"]])


def test_a_plan_import_with_both_is_refused(world, plan):
    empty = CtgFactory(
        caf=world.ctg.caf,
        epci=world.ctg.epci,
        communes=list(world.ctg.communes.all()),
        title="Autre CTG du Test",
    )
    payload = json.loads(json.dumps(export_plan(world.ctg), default=str))
    payload["fiches"][0]["all_communes"] = True
    payload["fiches"][0]["communes"] = [plan["commune"].code]
    before = (FicheAction.objects.count(), HistoryEntry.objects.count())
    with pytest.raises(PlanImportError) as refused:
        import_plan(empty, payload, plan["actor"])
    assert any("pas les deux" in message for message in refused.value.messages)
    assert (FicheAction.objects.count(), HistoryEntry.objects.count()) == before


def test_signatories_and_partners_are_offered_as_pilot_and_partners(world, plan):
    """The EPCI signs and pilots its own micro-crèche; a partner association takes part."""
    ctg = world.ctg
    epci = Organisation.objects.create(kind=Organisation.Kind.EPCI, name="CC du Test", epci=ctg.epci)
    conventions.signatory_add(
        ctg=ctg, actor=None, organisation=epci, signer_name="Claude", signer_capacity="Président"
    )
    association = OrganisationFactory(kind=Organisation.Kind.ASSOCIATION, name="Familles rurales")
    conventions.partner_add(ctg=ctg, actor=None, organisation=association, role="Gère le relais")
    stranger = OrganisationFactory(kind=Organisation.Kind.ASSOCIATION, name="Pas partie prenante")
    form = FicheForm(ctg=ctg)
    pilot = dict(form.fields["pilot_organisation"].choices)
    assert dict(pilot["Intercommunalités"]) == {str(epci.pk): "CC du Test"}
    assert dict(pilot["CAF et MSA"]) == {str(ctg.caf_id): ctg.caf.name}
    partners = dict(form.fields["partners"].choices)
    assert str(association.pk) in dict(partners["Associations"])
    assert str(stranger.pk) not in str(pilot) + str(partners)

    fiche = plan["fiche"]
    client = Client()
    client.force_login(world.users[Role.COORDINATION])
    response = client.post(
        reverse("plans:fiche_edit", args=[ctg.pk, fiche.pk]),
        _data(
            plan,
            title=fiche.title,
            all_communes="liste",
            communes=[plan["commune"].pk],
            pilot_organisation=epci.pk,
            partners=[association.pk],
            version=fiche.version,
        ),
    )
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert fiche.pilot_organisation == epci and list(fiche.partners.all()) == [association]
    page = client.get(reverse("plans:fiche_edit", args=[ctg.pk, fiche.pk])).content.decode()
    assert "<legend" in page and "Associations" in page  # the partners' checkboxes grouped by type

    # An organisation that is not a party is refused, nothing changes.
    response = client.post(
        reverse("plans:fiche_edit", args=[ctg.pk, fiche.pk]),
        _data(
            plan,
            title=fiche.title,
            all_communes="liste",
            communes=[plan["commune"].pk],
            pilot_organisation=stranger.pk,
            version=fiche.version,
        ),
    )
    assert response.status_code == 400
    fiche.refresh_from_db()
    assert fiche.pilot_organisation == epci

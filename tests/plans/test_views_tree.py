"""The plan's tree and the fiche pages through the views: forms, French errors, permissions, locking."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ctg.diagnostics.catalogue import INDICATORS
from ctg.organisations.permissions import Role
from ctg.plans import services
from ctg.plans.models import (
    Comment,
    Enjeu,
    FicheAction,
    IndicatorValue,
    OperationalObjective,
    StrategicObjective,
)
from tests.factories import OrganisationFactory

from .factories import BudgetLineFactory, PlanIndicatorFactory


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coordination(world):
    return _client(world.users[Role.COORDINATION])


@pytest.fixture
def plan(world):
    actor = world.users[Role.COORDINATION]
    enjeu = services.enjeu_create(ctg=world.ctg, actor=actor, title="Accès aux modes d'accueil")
    strategic = services.strategic_objective_create(enjeu=enjeu, actor=actor, title="Développer l'offre")
    operational = services.operational_objective_create(
        strategic=strategic, actor=actor, title="Ouvrir une micro-crèche"
    )
    fiche = services.fiche_create(
        ctg=world.ctg, actor=actor, title="Micro-crèche du bourg", objectives=[operational]
    )
    return {"enjeu": enjeu, "strategic": strategic, "operational": operational, "fiche": fiche}


def url(name, world, **kwargs):
    return reverse(f"plans:{name}", kwargs={"pk": world.ctg.pk, **kwargs})


def _fiche_data(operational, **extra):
    data = {
        "title": "Relais petite enfance",
        "objectives": [operational.pk],
        "all_communes": "toutes",
        "status": "a_venir",
        "priority": "moyenne",
    }
    data.update(extra)
    return data


def _edit_data(fiche, **extra):
    data = {
        "title": fiche.title,
        "objectives": [o.pk for o in fiche.objectives.all()],
        "status": fiche.status,
        "priority": fiche.priority,
        "version": fiche.version,
    }
    if fiche.all_communes:
        data["all_communes"] = "toutes"
    else:
        data["communes"] = [c.pk for c in fiche.communes.all()]
    data.update(extra)
    return data


# --- tree ----------------------------------------------------------------------------------------------


def test_tree_shows_numbers_counts_statuses_and_progress(world, coordination, plan):
    indicator = PlanIndicatorFactory(fiche=plan["fiche"], baseline_value=10, baseline_year=2025)
    IndicatorValue.objects.create(indicator=indicator, year=2025, kind="target", value=20)
    IndicatorValue.objects.create(indicator=indicator, year=2025, kind="realised", value=20)
    response = coordination.get(url("tree", world))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Enjeu 1 — Accès aux modes d&#x27;accueil",
        "Objectif 1.1 — Développer l&#x27;offre",
        "1.1.1 — Ouvrir une micro-crèche",
        "Fiche 1.1.1 — Micro-crèche du bourg",
        "1 fiche action",
        "À venir",
        "Atteint",
        "Ajouter un enjeu",
    ):
        assert text in html, text


def test_tree_has_no_edit_buttons_for_a_reader(world, plan):
    response = _client(world.users[Role.LECTURE]).get(url("tree", world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fiche 1.1.1" in html
    assert "Ajouter un enjeu" not in html
    assert "Supprimer" not in html


# --- enjeux --------------------------------------------------------------------------------------------


def test_enjeu_create(world, coordination):
    indicator = INDICATORS[0].id
    response = coordination.post(
        url("enjeu_create", world),
        {
            "title": "Soutien à la parentalité",
            "description": "Des familles isolées",
            "fields": ["parentalite"],
            "attention_indicators": [indicator],
        },
    )
    assert response.status_code == 302
    enjeu = Enjeu.objects.get(ctg=world.ctg)
    assert enjeu.title == "Soutien à la parentalité"
    assert enjeu.fields == ["parentalite"]
    assert enjeu.attention_indicators == [indicator]
    assert not enjeu.findings.exists()  # cited on the enjeu's page (tests/findings/test_plan.py)
    html = coordination.get(url("tree", world)).content.decode()
    assert INDICATORS[0].label in html


def test_enjeu_create_without_title_saves_nothing(world, coordination):
    response = coordination.post(url("enjeu_create", world), {"title": "  ", "fields": ["inconnu"]})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not Enjeu.objects.exists()


def test_enjeu_edit_and_move(world, coordination, plan):
    second = services.enjeu_create(ctg=world.ctg, actor=None, title="Jeunesse")
    response = coordination.post(
        url("enjeu_edit", world, enjeu_pk=plan["enjeu"].pk), {"title": "Accueil du jeune enfant"}
    )
    assert response.status_code == 302
    plan["enjeu"].refresh_from_db()
    assert plan["enjeu"].title == "Accueil du jeune enfant"
    response = coordination.post(url("enjeu_move", world, enjeu_pk=second.pk), {"direction": "up"})
    assert response.status_code == 302
    assert list(Enjeu.objects.filter(ctg=world.ctg).order_by("position").values_list("title", flat=True)) == [
        "Jeunesse",
        "Accueil du jeune enfant",
    ]
    html = coordination.get(url("tree", world)).content.decode()
    assert "Enjeu 1 — Jeunesse" in html
    assert "Fiche 2.1.1 — Micro-crèche du bourg" in html


def test_enjeu_delete_refused_while_it_has_fiches(world, coordination, plan):
    response = coordination.post(url("enjeu_delete", world, enjeu_pk=plan["enjeu"].pk), follow=True)
    assert "Impossible de supprimer cet enjeu" in response.content.decode()
    assert Enjeu.objects.filter(pk=plan["enjeu"].pk).exists()
    services.fiche_delete(fiche=plan["fiche"], actor=None)
    coordination.post(url("enjeu_delete", world, enjeu_pk=plan["enjeu"].pk))
    assert not Enjeu.objects.filter(pk=plan["enjeu"].pk).exists()


@pytest.mark.parametrize("role", [Role.REFERENT_COMMUNAL, Role.PARTENAIRE, Role.LECTURE])
def test_only_editors_change_the_tree(world, plan, role):
    client = _client(world.users[role])
    assert client.post(url("enjeu_create", world), {"title": "Non"}).status_code == 403
    assert (
        client.post(url("strategic_create", world, enjeu_pk=plan["enjeu"].pk), {"title": "Non"}).status_code
        == 403
    )
    assert client.post(url("enjeu_delete", world, enjeu_pk=plan["enjeu"].pk)).status_code == 403
    assert client.post(url("fiche_create", world), _fiche_data(plan["operational"])).status_code == 403
    assert Enjeu.objects.count() == 1
    assert StrategicObjective.objects.count() == 1
    assert FicheAction.objects.count() == 1


def test_an_enjeu_of_another_dossier_is_not_found(world, coordination):
    other = services.enjeu_create(ctg=world.other_ctg, actor=None, title="Ailleurs")
    assert coordination.get(url("enjeu_edit", world, enjeu_pk=other.pk)).status_code == 404


# --- objectives ----------------------------------------------------------------------------------------


def test_objectives_create_edit_move_delete(world, coordination, plan):
    response = coordination.post(
        url("strategic_create", world, enjeu_pk=plan["enjeu"].pk), {"title": "Informer les familles"}
    )
    assert response.status_code == 302
    strategic = StrategicObjective.objects.get(title="Informer les familles")
    response = coordination.post(
        url("operational_create", world, objective_pk=strategic.pk),
        {"title": "Un guide", "description": "Papier"},
    )
    assert response.status_code == 302
    operational = OperationalObjective.objects.get(title="Un guide")
    assert operational.strategic == strategic and operational.description == "Papier"
    coordination.post(
        url("operational_edit", world, objective_pk=operational.pk), {"title": "Un guide en ligne"}
    )
    operational.refresh_from_db()
    assert operational.title == "Un guide en ligne"
    coordination.post(url("strategic_edit", world, objective_pk=strategic.pk), {"title": "Informer"})
    coordination.post(url("strategic_move", world, objective_pk=strategic.pk), {"direction": "up"})
    html = coordination.get(url("tree", world)).content.decode()
    assert "Objectif 1.1 — Informer" in html
    assert "1.1.1 — Un guide en ligne" in html
    assert "Fiche 1.2.1 — Micro-crèche du bourg" in html
    coordination.post(url("operational_delete", world, objective_pk=operational.pk))
    coordination.post(url("strategic_delete", world, objective_pk=strategic.pk))
    assert not StrategicObjective.objects.filter(pk=strategic.pk).exists()


def test_objective_without_title_saves_nothing(world, coordination, plan):
    response = coordination.post(url("strategic_create", world, enjeu_pk=plan["enjeu"].pk), {"title": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    response = coordination.post(
        url("operational_edit", world, objective_pk=plan["operational"].pk), {"title": "x" * 301}
    )
    assert response.status_code == 400
    assert StrategicObjective.objects.count() == 1
    plan["operational"].refresh_from_db()
    assert plan["operational"].title == "Ouvrir une micro-crèche"


def test_operational_delete_refused_while_a_fiche_depends_on_it(world, coordination, plan):
    response = coordination.post(
        url("operational_delete", world, objective_pk=plan["operational"].pk), follow=True
    )
    assert "Impossible de supprimer cet objectif opérationnel" in response.content.decode()
    assert OperationalObjective.objects.filter(pk=plan["operational"].pk).exists()


# --- fiches --------------------------------------------------------------------------------------------


def test_fiche_create(world, coordination, plan):
    response = coordination.get(url("fiche_create", world) + f"?objectif={plan['operational'].pk}")
    assert response.status_code == 200
    assert "1.1.1 — Ouvrir une micro-crèche" in response.content.decode()
    commune = world.ctg.communes.first()
    data = _fiche_data(
        plan["operational"],
        all_communes="",
        communes=[commune.pk],
        fields=["petite_enfance"],
        pilot_organisation=world.ctg.caf_id,
        pilot_person="Claire Martin",
        start_date="2025-03-01",
        end_date="2026-12-31",
        priority="haute",
    )
    response = coordination.post(url("fiche_create", world), data)
    assert response.status_code == 302
    fiche = FicheAction.objects.get(title="Relais petite enfance")
    assert response["Location"] == url("fiche_detail", world, fiche_pk=fiche.pk)
    assert list(fiche.communes.all()) == [commune]
    assert not fiche.all_communes
    assert fiche.pilot_organisation_id == world.ctg.caf_id
    assert fiche.priority == "haute"
    assert str(fiche.start_date) == "2025-03-01"


def test_fiche_create_with_service_errors_saves_nothing(world, coordination, plan):
    response = coordination.post(
        url("fiche_create", world), _fiche_data(plan["operational"], start_date="2020-01-01")
    )
    assert response.status_code == 400
    assert "La date de début doit être comprise dans la période de la CTG" in response.content.decode()
    response = coordination.post(
        url("fiche_create", world), _fiche_data(plan["operational"], all_communes="")
    )
    assert response.status_code == 400
    assert "Choisissez au moins une commune" in response.content.decode()
    response = coordination.post(url("fiche_create", world), _fiche_data(plan["operational"], objectives=[]))
    assert response.status_code == 400
    assert "Rattachez la fiche à au moins un objectif opérationnel." in response.content.decode()
    assert FicheAction.objects.count() == 1


def test_fiche_page_shows_everything(world, plan):
    fiche = plan["fiche"]
    actor = world.users[Role.COORDINATION]
    services.fiche_steps_set(fiche=fiche, actor=actor, steps=[(2025, "Étude de besoins")])
    BudgetLineFactory(fiche=fiche, year=2025, funder="caf", planned=Decimal("1000"), spent=Decimal("250"))
    BudgetLineFactory(fiche=fiche, year=2026, funder="epci", planned=Decimal("500"), spent=0)
    indicator = services.indicator_create(
        fiche=fiche, actor=actor, label="Places créées", unit="places", baseline_value=0, baseline_year=2025
    )
    services.indicator_value_set(indicator=indicator, actor=actor, year=2027, kind="target", value=10)
    services.indicator_value_set(indicator=indicator, actor=actor, year=2025, kind="realised", value=4)
    services.comment_add(fiche=fiche, actor=world.users[Role.PARTENAIRE], text="Nous pouvons aider.")
    response = _client(world.users[Role.LECTURE]).get(url("fiche_detail", world, fiche_pk=fiche.pk))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Fiche 1.1.1 — Micro-crèche du bourg",
        "Objectif opérationnel 1.1.1",
        "Étude de besoins",
        "1\xa0000,00 €",
        "1\xa0500,00 €",
        "250,00 €",
        "Places créées",
        "Saisi par",
        "Nous pouvons aider.",
        "Historique de la fiche",
        "Fiche action créée",
    ):
        assert text in html, text
    assert "Modifier la fiche" not in html
    assert "Commenter" not in html


def test_partner_comments(world, plan):
    client = _client(world.users[Role.PARTENAIRE])
    fiche_url = url("fiche_comment", world, fiche_pk=plan["fiche"].pk)
    response = client.post(fiche_url, {"text": "  "})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert client.post(fiche_url, {"text": "Avis du centre social"}).status_code == 302
    assert Comment.objects.get().text == "Avis du centre social"
    assert _client(world.users[Role.LECTURE]).post(fiche_url, {"text": "Non"}).status_code == 403
    assert Comment.objects.count() == 1


def test_fiche_edit_records_history(world, coordination, plan):
    fiche = plan["fiche"]
    response = coordination.get(url("fiche_edit", world, fiche_pk=fiche.pk))
    assert response.status_code == 200
    assert 'name="version" value="1"' in response.content.decode()
    response = coordination.post(
        url("fiche_edit", world, fiche_pk=fiche.pk), _edit_data(fiche, status="en_cours")
    )
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert fiche.status == "en_cours" and fiche.version == 2
    html = coordination.get(url("fiche_detail", world, fiche_pk=fiche.pk)).content.decode()
    assert "« À venir » → « En cours »" in html


def test_fiche_edit_bad_dates_saves_nothing(world, coordination, plan):
    fiche = plan["fiche"]
    response = coordination.post(
        url("fiche_edit", world, fiche_pk=fiche.pk),
        _edit_data(fiche, start_date="2026-06-01", end_date="2025-06-01", status="en_cours"),
    )
    assert response.status_code == 400
    assert "La date de fin ne peut pas précéder la date de début." in response.content.decode()
    fiche.refresh_from_db()
    assert fiche.status == "a_venir" and fiche.version == 1


def test_concurrent_edit_gets_409_with_the_changed_field(world, plan):
    fiche = plan["fiche"]
    first = _client(world.users[Role.COORDINATION])
    second = _client(world.users[Role.PILOTE_CAF])
    edit_url = url("fiche_edit", world, fiche_pk=fiche.pk)
    assert first.get(edit_url).status_code == 200
    assert second.get(edit_url).status_code == 200
    assert first.post(edit_url, _edit_data(fiche, title="Micro-crèche intercommunale")).status_code == 302
    response = second.post(edit_url, _edit_data(fiche, target_public="Familles monoparentales"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "fr-alert--error" in html
    assert "Cette fiche a été modifiée par" in html
    assert "intitulé" in html and "Micro-crèche intercommunale" in html
    assert "Familles monoparentales" in html  # the input is kept
    fiche.refresh_from_db()
    assert fiche.title == "Micro-crèche intercommunale"
    assert fiche.target_public == ""
    assert fiche.version == 2


def test_referent_edits_only_the_fiches_of_his_communes(world, plan):
    referent = _client(world.users[Role.REFERENT_COMMUNAL])
    own, other = list(world.ctg.communes.order_by("pk"))[:2]
    actor = world.users[Role.COORDINATION]
    mine = services.fiche_create(
        ctg=world.ctg,
        actor=actor,
        title="Ludothèque",
        objectives=[plan["operational"]],
        all_communes=False,
        communes=[own],
    )
    theirs = services.fiche_create(
        ctg=world.ctg,
        actor=actor,
        title="Halte-garderie",
        objectives=[plan["operational"]],
        all_communes=False,
        communes=[other],
    )
    assert world.users[Role.REFERENT_COMMUNAL].memberships.get(ctg=world.ctg).communes.get() == own
    mine_url = url("fiche_edit", world, fiche_pk=mine.pk)
    assert referent.get(mine_url).status_code == 200
    assert referent.post(mine_url, _edit_data(mine, status="en_cours")).status_code == 302
    mine.refresh_from_db()
    assert mine.status == "en_cours"
    theirs_url = url("fiche_edit", world, fiche_pk=theirs.pk)
    assert referent.get(theirs_url).status_code == 403
    assert referent.post(theirs_url, _edit_data(theirs, status="en_cours")).status_code == 403
    assert referent.get(url("fiche_edit", world, fiche_pk=plan["fiche"].pk)).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "a_venir"


def test_fiche_move_and_delete(world, coordination, plan):
    second = services.fiche_create(
        ctg=world.ctg, actor=None, title="Deuxième", objectives=[plan["operational"]]
    )
    coordination.post(url("fiche_move", world, fiche_pk=second.pk), {"direction": "up"})
    html = coordination.get(url("tree", world)).content.decode()
    assert "Fiche 1.1.1 — Deuxième" in html
    coordination.post(url("fiche_delete", world, fiche_pk=second.pk))
    assert not FicheAction.objects.filter(pk=second.pk).exists()


# --- budget and indicator values -----------------------------------------------------------------------


def test_budget_line_added_then_updated(world, coordination, plan):
    fiche = plan["fiche"]
    budget_url = url("fiche_budget", world, fiche_pk=fiche.pk)
    data = {"budget-year": 2026, "budget-funder": "caf", "budget-planned": "1 500,50", "budget-spent": ""}
    assert coordination.post(budget_url, data).status_code == 302
    line = fiche.budget.get()
    assert (line.year, line.funder, line.planned, line.spent) == (2026, "caf", Decimal("1500.50"), 0)
    coordination.post(budget_url, {**data, "budget-spent": "200"})
    line.refresh_from_db()
    assert line.spent == Decimal("200") and fiche.budget.count() == 1
    html = coordination.get(url("fiche_detail", world, fiche_pk=fiche.pk)).content.decode()
    assert "budget 2026 CAF réalisé" in html


def test_budget_line_with_bad_input_saves_nothing(world, coordination, plan):
    fiche = plan["fiche"]
    budget_url = url("fiche_budget", world, fiche_pk=fiche.pk)
    data = {"budget-year": 2026, "budget-funder": "caf", "budget-planned": "-5", "budget-spent": ""}
    response = coordination.post(budget_url, data)
    assert response.status_code == 400
    assert "Le montant prévu ne peut pas être négatif." in response.content.decode()
    response = coordination.post(budget_url, {**data, "budget-planned": "10", "budget-year": 2031})
    assert response.status_code == 400
    assert "hors de la période de la CTG" in response.content.decode()
    assert not fiche.budget.exists()
    assert (
        _client(world.users[Role.PARTENAIRE]).post(budget_url, {**data, "budget-planned": "10"}).status_code
        == 403
    )
    assert not fiche.budget.exists()


def test_indicator_value_typed_and_refused(world, coordination, plan):
    fiche = plan["fiche"]
    indicator = PlanIndicatorFactory(fiche=fiche, label="Places")
    value_url = url("fiche_indicator_value", world, fiche_pk=fiche.pk)
    data = {
        "valeur-indicator": indicator.pk,
        "valeur-year": 2027,
        "valeur-kind": "target",
        "valeur-value": "12,5",
    }
    assert coordination.post(value_url, data).status_code == 302
    assert indicator.values.get().value == Decimal("12.5")
    response = coordination.post(value_url, {**data, "valeur-value": "beaucoup"})
    assert response.status_code == 400
    assert "n&#x27;est pas un nombre" in response.content.decode()
    assert indicator.values.get().value == Decimal("12.5")
    assert coordination.post(value_url, {**data, "valeur-value": ""}).status_code == 302
    assert not indicator.values.exists()
    assert _client(world.users[Role.LECTURE]).post(value_url, data).status_code == 403
    assert not indicator.values.exists()


def test_indicator_create(world, coordination, plan):
    fiche = plan["fiche"]
    create_url = url("fiche_indicator_create", world, fiche_pk=fiche.pk)
    data = {
        "indicateur-label": "Places d'accueil créées",
        "indicateur-unit": "places",
        "indicateur-direction": "up",
        "indicateur-nature": "result",
        "indicateur-baseline_value": "3,5",
        "indicateur-baseline_year": 2024,
    }
    response = coordination.post(create_url, {**data, "indicateur-baseline_value": "trois"})
    assert response.status_code == 400
    assert "La valeur de référence : « trois » n&#x27;est pas un nombre." in response.content.decode()
    assert not fiche.indicators.exists()
    assert _client(world.users[Role.PARTENAIRE]).post(create_url, data).status_code == 403
    assert coordination.post(create_url, data).status_code == 302
    indicator = fiche.indicators.get()
    assert (indicator.label, indicator.baseline_value, indicator.baseline_year) == (
        "Places d'accueil créées",
        Decimal("3.5"),
        2024,
    )
    html = coordination.get(url("fiche_detail", world, fiche_pk=fiche.pk)).content.decode()
    assert "Places d&#x27;accueil créées (places)" in html


def test_fiche_edit_keeps_organisations_outside_the_dossier_partners(world, coordination, plan):
    outside = OrganisationFactory(name="Centre social du bourg")
    partner = OrganisationFactory(name="Mission locale")
    world.ctg.partners.add(partner)
    fiche = plan["fiche"]
    services.fiche_update(
        fiche=fiche, actor=None, expected_version=1, pilot_organisation=outside, partners=[outside]
    )
    fiche.refresh_from_db()
    html = coordination.get(url("fiche_edit", world, fiche_pk=fiche.pk)).content.decode()
    assert "Centre social du bourg" in html and "Mission locale" in html
    data = _edit_data(
        fiche, pilot_organisation=outside.pk, partners=[outside.pk, partner.pk], status="en_cours"
    )
    assert coordination.post(url("fiche_edit", world, fiche_pk=fiche.pk), data).status_code == 302
    fiche.refresh_from_db()
    assert fiche.pilot_organisation == outside
    assert set(fiche.partners.all()) == {outside, partner}


def test_attachments_upload_download_and_bad_files(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ctg.plans.models import Attachment, FicheAction
    from tests.plans.factories import FicheFactory

    fiche = FicheFactory(ctg=world.ctg)
    client.force_login(world.users["coordination"])
    url = f"/plan/ctg/{world.ctg.pk}/fiches/{fiche.pk}/pieces-jointes/"
    bad = client.post(url, {"piece-file": SimpleUploadedFile("virus.exe", b"MZ"), "piece-title": ""})
    assert bad.status_code == 400 and "Type de fichier refusé « .exe »" in bad.content.decode()
    assert not Attachment.objects.exists()
    ok = client.post(
        url, {"piece-file": SimpleUploadedFile("cr.pdf", b"%PDF-1.4 cr"), "piece-title": "Compte rendu"}
    )
    assert ok.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.title, attachment.created_by) == ("Compte rendu", world.users["coordination"])
    download = client.get(f"{url}{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 cr"
    history = FicheAction.objects.get(pk=fiche.pk)
    assert world.ctg.history.filter(
        item_type="ficheaction", item_id=history.pk, action="piece_jointe"
    ).exists()
    client.force_login(world.users["lecture"])
    assert client.post(url, {"piece-file": SimpleUploadedFile("a.pdf", b"x")}).status_code == 403


def test_yearly_steps_are_typed_one_per_line(client, world):
    from tests.plans.factories import FicheFactory

    fiche = FicheFactory(ctg=world.ctg)
    client.force_login(world.users["coordination"])
    url = f"/plan/ctg/{world.ctg.pk}/fiches/{fiche.pk}/etapes/"
    bad = client.post(url, {"etapes-steps": "2026 : ateliers\nen 2027 on évalue"})
    assert (
        bad.status_code == 400 and "Ligne 2 : écrivez l&#x27;année puis l&#x27;étape" in bad.content.decode()
    )
    outside = client.post(url, {"etapes-steps": "2040 : trop tard"})
    assert outside.status_code == 400 and not fiche.steps.exists()
    ok = client.post(url, {"etapes-steps": "2026 : ateliers\n\n2025 – étude"})
    assert ok.status_code == 302
    assert list(fiche.steps.values_list("year", "description")) == [(2025, "étude"), (2026, "ateliers")]
    entry = world.ctg.history.filter(item_type="ficheaction", item_id=fiche.pk, action="calendrier").get()
    assert entry.actor == world.users["coordination"]


def test_the_history_of_one_enjeu_is_reachable_from_the_tree(client, world):
    from ctg.plans import services

    enjeu = services.enjeu_create(ctg=world.ctg, actor=world.users["coordination"], title="Petite enfance")
    services.enjeu_update(enjeu=enjeu, actor=world.users["coordination"], title="Accueil du jeune enfant")
    services.enjeu_create(ctg=world.ctg, actor=world.users["coordination"], title="Jeunesse")
    client.force_login(world.users["partenaire"])
    tree = client.get(f"/plan/ctg/{world.ctg.pk}/").content.decode()
    link = f"/ctg/{world.ctg.pk}/historique/?element=enjeu-{enjeu.pk}"
    assert link.replace("&", "&amp;") in tree or link in tree
    page = client.get(link).content.decode()
    assert "Accueil du jeune enfant" in page and "Jeunesse" not in page
    assert client.get(f"/ctg/{world.ctg.pk}/historique/?element=n%27importe-quoi").status_code == 200

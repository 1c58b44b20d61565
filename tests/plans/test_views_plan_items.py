"""Deleting a budget line, editing and deleting an indicator of a fiche action through the views: the
confirmation steps, the French errors, the history, the 404s across fiches and dossiers, who may do it."""

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from ctg.core.models import HistoryEntry
from ctg.organisations.permissions import Role
from ctg.plans import selectors, services
from ctg.plans.models import BudgetLine, IndicatorValue, PlanIndicator

from .factories import BudgetLineFactory, FicheFactory, PlanIndicatorFactory
from .test_views_tree import _client

UP, DOWN = PlanIndicator.Direction.UP.label, PlanIndicator.Direction.DOWN.label


@pytest.fixture
def actor(world):
    return world.users[Role.COORDINATION]


@pytest.fixture
def coordination(actor):
    return _client(actor)


@pytest.fixture
def fiche(world, actor):
    enjeu = services.enjeu_create(ctg=world.ctg, actor=actor, title="Accès aux modes d'accueil")
    strategic = services.strategic_objective_create(enjeu=enjeu, actor=actor, title="Développer l'offre")
    operational = services.operational_objective_create(
        strategic=strategic, actor=actor, title="Ouvrir une micro-crèche"
    )
    return services.fiche_create(
        ctg=world.ctg, actor=actor, title="Micro-crèche du bourg", objectives=[operational]
    )


@pytest.fixture
def line(fiche, actor):
    return services.budget_set(fiche=fiche, actor=actor, year=2026, funder="caf", planned="1200", spent="300")


@pytest.fixture
def indicator(fiche, actor):
    indicator = services.indicator_create(
        fiche=fiche,
        actor=actor,
        label="Places créées",
        unit="places",
        direction="up",
        nature="result",
        baseline_value="3,5",
        baseline_year=2024,
    )
    services.indicator_value_set(indicator=indicator, actor=actor, year=2026, kind="target", value="10")
    services.indicator_value_set(indicator=indicator, actor=actor, year=2026, kind="realised", value="8")
    return indicator


def url(name, world, fiche, **kwargs):
    return reverse(f"plans:{name}", kwargs={"pk": world.ctg.pk, "fiche_pk": fiche.pk, **kwargs})


def _fiche_page(client, world, fiche) -> str:
    response = client.get(url("fiche_detail", world, fiche))
    assert response.status_code == 200
    return response.content.decode()


def _edit_data(**extra):
    data = {
        "indicateur-label": "Places d'accueil créées",
        "indicateur-unit": "berceaux",
        "indicateur-direction": "down",
        "indicateur-nature": "means",
        "indicateur-baseline_value": "4,25",
        "indicateur-baseline_year": "2023",
        "indicateur-portrait_indicator": "",
    }
    data.update(extra)
    return data


def _referent_fiches(world, fiche, actor):
    """A fiche on the référent's own commune, and one on another commune of the dossier."""
    own, other = list(world.ctg.communes.order_by("pk"))[:2]
    objectives = list(fiche.objectives.all())
    mine = services.fiche_create(
        ctg=world.ctg,
        actor=actor,
        title="Ludothèque",
        objectives=objectives,
        all_communes=False,
        communes=[own],
    )
    theirs = services.fiche_create(
        ctg=world.ctg,
        actor=actor,
        title="Halte-garderie",
        objectives=objectives,
        all_communes=False,
        communes=[other],
    )
    return mine, theirs


# --- deleting a budget line ----------------------------------------------------------------------------


def test_budget_line_delete_asks_then_deletes_and_records_history(world, coordination, actor, fiche, line):
    html = _fiche_page(coordination, world, fiche)
    delete_url = url("fiche_budget_delete", world, fiche, line_pk=line.pk)
    assert f'href="{delete_url}"' in html
    assert 'Supprimer<span class="fr-sr-only"> la ligne CAF 2026</span>' in html

    response = coordination.get(delete_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Supprimer la ligne de budget « CAF 2026 »" in page
    assert "Prévu : 1200 €, réalisé : 300 €." in page
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    history_before = HistoryEntry.objects.count()

    response = coordination.post(delete_url)
    assert response.status_code == 302
    assert response["Location"] == url("fiche_detail", world, fiche) + "#budget"
    assert not BudgetLine.objects.filter(pk=line.pk).exists()
    assert HistoryEntry.objects.count() == history_before + 1
    entry = selectors.fiche_history(fiche).first()
    assert entry.actor == actor and entry.at is not None
    assert entry.summary == "Ligne de budget supprimée de « Micro-crèche du bourg » : budget 2026 CAF"
    assert entry.changes == {"budget 2026 CAF prévu": ["1200", ""], "budget 2026 CAF réalisé": ["300", ""]}

    page = coordination.get(url("fiche_detail", world, fiche)).content.decode()
    assert "La ligne de budget « CAF 2026 » est supprimée." in page
    assert "Aucune ligne de budget." in page
    assert "Ligne de budget supprimée de « Micro-crèche du bourg »" in page
    history = coordination.get(reverse("conventions:history", kwargs={"pk": world.ctg.pk})).content.decode()
    assert "Ligne de budget supprimée de « Micro-crèche du bourg » : budget 2026 CAF" in history

    # Deleting it again: the line is gone.
    assert coordination.post(delete_url).status_code == 404


def test_budget_line_delete_keeps_the_other_lines(world, coordination, actor, fiche, line):
    other = services.budget_set(
        fiche=fiche, actor=actor, year=2027, funder="communes", planned="50", spent=""
    )
    coordination.post(url("fiche_budget_delete", world, fiche, line_pk=line.pk))
    assert list(fiche.budget.all()) == [other]
    html = _fiche_page(coordination, world, fiche)
    assert 'Supprimer<span class="fr-sr-only"> la ligne Communes 2027</span>' in html
    assert "la ligne CAF 2026" not in html


def test_budget_line_of_another_fiche_or_dossier_is_not_found(world, coordination, fiche, line):
    other_fiche = FicheFactory(ctg=world.ctg)
    other_line = BudgetLineFactory(fiche=other_fiche)
    foreign_fiche = FicheFactory(ctg=world.other_ctg)
    foreign_line = BudgetLineFactory(fiche=foreign_fiche)
    for target in (
        url("fiche_budget_delete", world, fiche, line_pk=other_line.pk),
        url("fiche_budget_delete", world, fiche, line_pk=foreign_line.pk),
        url("fiche_budget_delete", world, other_fiche, line_pk=line.pk),
        url("fiche_budget_delete", world, foreign_fiche, line_pk=foreign_line.pk),
    ):
        assert coordination.get(target).status_code == 404, target
        assert coordination.post(target).status_code == 404, target
    assert BudgetLine.objects.count() == 3


# --- editing an indicator ------------------------------------------------------------------------------


def test_indicator_edit_form_is_filled_and_saves_with_history(world, coordination, actor, fiche, indicator):
    html = _fiche_page(coordination, world, fiche)
    edit_url = url("fiche_indicator_edit", world, fiche, indicator_pk=indicator.pk)
    assert f'href="{edit_url}"' in html
    assert 'Modifier<span class="fr-sr-only"> l\'indicateur « Places créées »</span>' in html

    response = coordination.get(edit_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Modifier l&#x27;indicateur « Places créées »" in page
    assert 'value="Places créées"' in page
    assert 'value="3,5"' in page
    assert 'value="2024"' in page

    response = coordination.post(edit_url, _edit_data())
    assert response.status_code == 302
    assert response["Location"] == url("fiche_detail", world, fiche) + f"#indicateur-{indicator.pk}"
    indicator.refresh_from_db()
    assert (
        indicator.label,
        indicator.unit,
        indicator.direction,
        indicator.nature,
        indicator.baseline_value,
        indicator.baseline_year,
    ) == ("Places d'accueil créées", "berceaux", "down", "means", Decimal("4.25"), 2023)
    assert indicator.updated_by == actor
    assert indicator.values.count() == 2
    entry = selectors.fiche_history(fiche).first()
    assert entry.actor == actor
    assert entry.summary.startswith(
        "Indicateur modifié sur « Micro-crèche du bourg » : « Places d'accueil créées »"
    )
    assert entry.changes["Places d'accueil créées — intitulé"] == ["Places créées", "Places d'accueil créées"]
    assert entry.changes["Places d'accueil créées — valeur de référence"] == ["3,5", "4,25"]
    assert entry.changes["Places d'accueil créées — sens souhaité"] == [UP, DOWN]
    assert entry.changes["Places d'accueil créées — année de référence"] == ["2024", "2023"]

    page = coordination.get(url("fiche_detail", world, fiche)).content.decode()
    assert "L'indicateur est enregistré." in unescape(page)
    assert "Places d&#x27;accueil créées (berceaux)" in page


def test_indicator_edit_unchanged_records_nothing(world, coordination, fiche, indicator):
    before = HistoryEntry.objects.count()
    edit_url = url("fiche_indicator_edit", world, fiche, indicator_pk=indicator.pk)
    data = {
        "indicateur-label": "Places créées",
        "indicateur-unit": "places",
        "indicateur-direction": "up",
        "indicateur-nature": "result",
        "indicateur-baseline_value": "3,5",
        "indicateur-baseline_year": "2024",
    }
    assert coordination.post(edit_url, data).status_code == 302
    assert HistoryEntry.objects.count() == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"indicateur-label": ""}, "Ce champ est obligatoire."),
        ({"indicateur-label": "   "}, "Ce champ est obligatoire."),
        ({"indicateur-baseline_year": "deux mille"}, "Saisissez un nombre entier."),
        (
            {"indicateur-baseline_year": "1850"},
            "L&#x27;année de référence doit être comprise entre 1900 et 2100.",
        ),
        ({"indicateur-direction": "sideways"}, "Sélectionnez un choix valide."),
        ({"indicateur-nature": "autre"}, "Sélectionnez un choix valide."),
        (
            {"indicateur-baseline_value": "trois"},
            "La valeur de référence : « trois » n&#x27;est pas un nombre.",
        ),
        ({"indicateur-portrait_indicator": "inconnu"}, "Sélectionnez un choix valide."),
        ({"indicateur-unit": "u" * 61}, "Assurez-vous que cette valeur comporte au plus 60 caractères"),
    ],
)
def test_indicator_edit_with_bad_input_saves_nothing(world, coordination, fiche, indicator, extra, message):
    before = HistoryEntry.objects.count()
    response = coordination.post(
        url("fiche_indicator_edit", world, fiche, indicator_pk=indicator.pk), _edit_data(**extra)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    indicator.refresh_from_db()
    assert (indicator.label, indicator.unit, indicator.direction, indicator.baseline_year) == (
        "Places créées",
        "places",
        "up",
        2024,
    )
    assert indicator.baseline_value == Decimal("3.5")
    assert HistoryEntry.objects.count() == before


def test_indicator_of_another_fiche_or_dossier_is_not_found(world, coordination, fiche, indicator):
    other_fiche = FicheFactory(ctg=world.ctg)
    other_indicator = PlanIndicatorFactory(fiche=other_fiche)
    foreign_fiche = FicheFactory(ctg=world.other_ctg)
    foreign_indicator = PlanIndicatorFactory(fiche=foreign_fiche)
    for name in ("fiche_indicator_edit", "fiche_indicator_delete"):
        for target in (
            url(name, world, fiche, indicator_pk=other_indicator.pk),
            url(name, world, fiche, indicator_pk=foreign_indicator.pk),
            url(name, world, other_fiche, indicator_pk=indicator.pk),
            url(name, world, foreign_fiche, indicator_pk=foreign_indicator.pk),
        ):
            assert coordination.get(target).status_code == 404, target
            assert coordination.post(target, _edit_data()).status_code == 404, target
    assert PlanIndicator.objects.count() == 3
    indicator.refresh_from_db()
    assert indicator.label == "Places créées"


# --- deleting an indicator -----------------------------------------------------------------------------


def test_indicator_delete_asks_then_deletes_it_with_its_values(world, coordination, actor, fiche, indicator):
    second = services.indicator_create(fiche=fiche, actor=actor, label="Familles accueillies")
    html = _fiche_page(coordination, world, fiche)
    delete_url = url("fiche_indicator_delete", world, fiche, indicator_pk=indicator.pk)
    assert f'href="{delete_url}"' in html
    assert 'Supprimer<span class="fr-sr-only"> l\'indicateur « Places créées »</span>' in html

    response = coordination.get(delete_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Supprimer l&#x27;indicateur « Places créées »" in page
    assert "Ses 2 valeurs (cibles et réalisées) seront supprimées aussi." in page
    assert PlanIndicator.objects.filter(pk=indicator.pk).exists()
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 2

    response = coordination.post(delete_url)
    assert response.status_code == 302
    assert response["Location"] == url("fiche_detail", world, fiche) + "#indicateurs"
    assert not PlanIndicator.objects.filter(pk=indicator.pk).exists()
    assert not IndicatorValue.objects.filter(indicator_id=indicator.pk).exists()
    assert list(fiche.indicators.values_list("pk", "position")) == [(second.pk, 0)]
    entry = selectors.fiche_history(fiche).first()
    assert entry.actor == actor and entry.at is not None
    assert entry.summary == "Indicateur supprimé de « Micro-crèche du bourg » : « Places créées »"

    page = coordination.get(url("fiche_detail", world, fiche)).content.decode()
    assert "L'indicateur « Places créées » est supprimé." in unescape(page)
    assert "Familles accueillies" in page
    history = coordination.get(reverse("conventions:history", kwargs={"pk": world.ctg.pk})).content.decode()
    assert "Indicateur supprimé de « Micro-crèche du bourg » : « Places créées »" in history


def test_indicator_delete_confirmation_without_values(world, coordination, actor, fiche):
    indicator = services.indicator_create(fiche=fiche, actor=actor, label="Familles accueillies")
    page = coordination.get(url("fiche_indicator_delete", world, fiche, indicator_pk=indicator.pk)).content
    assert "Aucune valeur n&#x27;est saisie pour cet indicateur." in page.decode()
    services.indicator_value_set(indicator=indicator, actor=actor, year=2025, kind="target", value="3")
    page = coordination.get(url("fiche_indicator_delete", world, fiche, indicator_pk=indicator.pk)).content
    assert "Sa valeur saisie (cible ou réalisée) sera supprimée aussi." in page.decode()
    assert fiche.indicators.count() == 1


# --- who may do it -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTENAIRE, Role.LECTURE, Role.REFERENT_COMMUNAL])
def test_roles_without_the_right_get_403_and_change_nothing(world, fiche, line, indicator, role):
    client = _client(world.users[role])
    before = HistoryEntry.objects.count()
    html = _fiche_page(client, world, fiche)
    targets = [
        url("fiche_budget_delete", world, fiche, line_pk=line.pk),
        url("fiche_indicator_edit", world, fiche, indicator_pk=indicator.pk),
        url("fiche_indicator_delete", world, fiche, indicator_pk=indicator.pk),
    ]
    assert 'fr-sr-only"> la ligne' not in html and "fr-sr-only\"> l'indicateur" not in html
    for target in targets:
        assert target not in html
        assert client.get(target).status_code == 403, target
        assert client.post(target, _edit_data()).status_code == 403, target
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    indicator.refresh_from_db()
    assert indicator.label == "Places créées" and indicator.values.count() == 2
    assert HistoryEntry.objects.count() == before


def test_an_outsider_gets_404(world, fiche, line, indicator):
    client = _client(world.users["other_member"])
    for target in (
        url("fiche_budget_delete", world, fiche, line_pk=line.pk),
        url("fiche_indicator_edit", world, fiche, indicator_pk=indicator.pk),
        url("fiche_indicator_delete", world, fiche, indicator_pk=indicator.pk),
    ):
        assert client.get(target).status_code == 404
        assert client.post(target, _edit_data()).status_code == 404
    assert BudgetLine.objects.filter(pk=line.pk).exists() and PlanIndicator.objects.filter(pk=indicator.pk)


def test_referent_follows_the_same_rule_as_for_the_budget(world, fiche, actor):
    """A référent communal changes the lines and indicators of the fiches of his communes only, exactly as he
    may set their budget (`selectors.can_edit_fiche`)."""
    referent_user = world.users[Role.REFERENT_COMMUNAL]
    referent = _client(referent_user)
    mine, theirs = _referent_fiches(world, fiche, actor)
    budget = {"budget-year": 2026, "budget-funder": "caf", "budget-planned": "10", "budget-spent": ""}
    assert referent.post(url("fiche_budget", world, mine), budget).status_code == 302
    assert referent.post(url("fiche_budget", world, theirs), budget).status_code == 403

    their_line = BudgetLineFactory(fiche=theirs)
    their_indicator = PlanIndicatorFactory(fiche=theirs, label="Enfants accueillis")
    for target in (
        url("fiche_budget_delete", world, theirs, line_pk=their_line.pk),
        url("fiche_indicator_edit", world, theirs, indicator_pk=their_indicator.pk),
        url("fiche_indicator_delete", world, theirs, indicator_pk=their_indicator.pk),
    ):
        assert referent.get(target).status_code == 403
        assert referent.post(target, _edit_data()).status_code == 403
    assert BudgetLine.objects.filter(pk=their_line.pk).exists()
    assert PlanIndicator.objects.get(pk=their_indicator.pk).label == "Enfants accueillis"
    their_page = _fiche_page(referent, world, theirs)
    assert url("fiche_budget_delete", world, theirs, line_pk=their_line.pk) not in their_page
    assert url("fiche_indicator_edit", world, theirs, indicator_pk=their_indicator.pk) not in their_page

    my_line = mine.budget.get()
    my_indicator = PlanIndicatorFactory(fiche=mine, label="Enfants accueillis")
    html = _fiche_page(referent, world, mine)
    assert 'Supprimer<span class="fr-sr-only"> la ligne CAF 2026</span>' in html
    edit_url = url("fiche_indicator_edit", world, mine, indicator_pk=my_indicator.pk)
    assert referent.get(edit_url).status_code == 200
    assert referent.post(edit_url, _edit_data(**{"indicateur-label": "Enfants gardés"})).status_code == 302
    assert PlanIndicator.objects.get(pk=my_indicator.pk).label == "Enfants gardés"
    delete_url = url("fiche_indicator_delete", world, mine, indicator_pk=my_indicator.pk)
    assert referent.get(delete_url).status_code == 200
    assert referent.post(delete_url).status_code == 302
    assert not mine.indicators.exists()
    line_url = url("fiche_budget_delete", world, mine, line_pk=my_line.pk)
    assert referent.get(line_url).status_code == 200
    assert referent.post(line_url).status_code == 302
    assert not mine.budget.exists()
    assert selectors.fiche_history(mine).first().actor == referent_user


def test_get_never_deletes(world, coordination, fiche, line, indicator):
    for _ in range(2):
        assert coordination.get(url("fiche_budget_delete", world, fiche, line_pk=line.pk)).status_code == 200
        assert (
            coordination.get(
                url("fiche_indicator_delete", world, fiche, indicator_pk=indicator.pk)
            ).status_code
            == 200
        )
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    assert PlanIndicator.objects.filter(pk=indicator.pk).exists() and indicator.values.count() == 2


def test_budget_line_amounts_on_the_confirmation_page(world, coordination, fiche):
    """The amounts are written as typed in French; a line without author is deleted all the same."""
    line = BudgetLineFactory(fiche=fiche, year=2025, funder="caf", planned=Decimal("1000.50"))
    page = coordination.get(url("fiche_budget_delete", world, fiche, line_pk=line.pk)).content.decode()
    assert "Prévu : 1000,5 €, réalisé : 0 €." in page
    assert coordination.post(url("fiche_budget_delete", world, fiche, line_pk=line.pk)).status_code == 302
    assert not fiche.budget.exists()

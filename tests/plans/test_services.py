import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ctg.conventions.models import Field
from ctg.core.models import HistoryEntry
from ctg.organisations.permissions import Role
from ctg.plans import selectors, services
from ctg.plans.models import (
    BudgetLine,
    Enjeu,
    FicheAction,
    IndicatorValue,
    OperationalObjective,
    StrategicObjective,
)
from tests.factories import CommuneFactory, OrganisationFactory

from .factories import (
    EnjeuFactory,
    FicheFactory,
    OperationalObjectiveFactory,
    PlanIndicatorFactory,
    StrategicObjectiveFactory,
)


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


@pytest.fixture
def plan(world):
    """Enjeu › objectif stratégique › objectif opérationnel on the world's dossier; its coordination."""
    actor = world.users[Role.COORDINATION]
    enjeu = services.enjeu_create(ctg=world.ctg, actor=actor, title="Accueil du jeune enfant")
    strategic = services.strategic_objective_create(enjeu=enjeu, actor=actor, title="Développer l'offre")
    operational = services.operational_objective_create(
        strategic=strategic, actor=actor, title="Ouvrir une micro-crèche"
    )
    return world, actor, enjeu, strategic, operational


def last_history():
    return HistoryEntry.objects.order_by("-id").first()


# --- enjeux and objectives -----------------------------------------------------------------------------


def test_enjeu_create_records_history_with_item(world):
    actor = world.users[Role.COORDINATION]
    enjeu = services.enjeu_create(
        ctg=world.ctg,
        actor=actor,
        title="  Parentalité  ",
        fields=[Field.PARENTALITE],
        attention_indicators=["population"],
    )
    assert enjeu.title == "Parentalité"
    assert enjeu.position == 0
    assert enjeu.created_by == actor
    entry = last_history()
    assert entry.actor == actor
    assert (entry.item_type, entry.item_id) == ("enjeu", enjeu.pk)
    assert entry.labelled_changes["intitulé"] == ["", "Parentalité"]


@pytest.mark.parametrize(
    "values, message",
    [
        ({"title": "  "}, "L'intitulé est obligatoire."),
        ({"title": "x", "fields": ["inconnu"]}, "Champ d'intervention inconnu : inconnu."),
        (
            {"title": "x", "attention_indicators": ["pas_un_id"]},
            "Indicateur du portrait inconnu : pas_un_id.",
        ),
    ],
)
def test_enjeu_create_refusals(world, values, message):
    with pytest.raises(ValidationError) as error:
        services.enjeu_create(ctg=world.ctg, actor=None, **values)
    assert message in messages(error.value)
    assert not Enjeu.objects.exists()


def test_enjeu_update_records_before_and_after(plan):
    world, actor, enjeu, *_ = plan
    services.enjeu_update(enjeu=enjeu, actor=actor, title="Petite enfance", fields=[Field.PETITE_ENFANCE])
    enjeu.refresh_from_db()
    assert enjeu.title == "Petite enfance"
    entry = last_history()
    assert entry.labelled_changes == {
        "intitulé": ["Accueil du jeune enfant", "Petite enfance"],
        "champs d'intervention": ["", "Petite enfance (0-3 ans)"],
    }
    assert (entry.item_type, entry.item_id, entry.actor) == ("enjeu", enjeu.pk, actor)
    count = HistoryEntry.objects.count()
    services.enjeu_update(enjeu=enjeu, actor=actor, title="Petite enfance")
    assert HistoryEntry.objects.count() == count  # nothing changed, nothing recorded


def test_enjeu_move_and_delete_keep_positions_contiguous(world):
    actor = world.users[Role.COORDINATION]
    a, b, c, d = (services.enjeu_create(ctg=world.ctg, actor=actor, title=t) for t in "ABCD")
    assert [e.position for e in (a, b, c, d)] == [0, 1, 2, 3]

    services.enjeu_move(enjeu=c, actor=actor, direction="up")
    assert list(Enjeu.objects.filter(ctg=world.ctg).values_list("title", "position")) == [
        ("A", 0),
        ("C", 1),
        ("B", 2),
        ("D", 3),
    ]
    assert last_history().labelled_changes == {"ordre": [3, 2]}

    services.enjeu_move(enjeu=a, actor=actor, direction="up")  # already first: nothing happens
    assert Enjeu.objects.get(pk=a.pk).position == 0

    services.enjeu_delete(enjeu=Enjeu.objects.get(pk=c.pk), actor=actor)
    assert list(Enjeu.objects.filter(ctg=world.ctg).values_list("title", "position")) == [
        ("A", 0),
        ("B", 1),
        ("D", 2),
    ]
    entry = last_history()
    assert (entry.item_type, entry.item_id, entry.labelled_changes) == (
        "enjeu",
        c.pk,
        {"intitulé": ["C", ""]},
    )

    with pytest.raises(ValidationError, match="Sens de déplacement inconnu"):
        services.enjeu_move(enjeu=Enjeu.objects.get(pk=b.pk), actor=actor, direction="sideways")


def test_objectives_move_and_delete_under_their_parent(plan):
    world, actor, enjeu, strategic, operational = plan
    second = services.operational_objective_create(strategic=strategic, actor=actor, title="Former")
    third = services.operational_objective_create(strategic=strategic, actor=actor, title="Informer")
    other_strategic = services.strategic_objective_create(enjeu=enjeu, actor=actor, title="Qualité")
    assert other_strategic.position == 1
    elsewhere = services.operational_objective_create(strategic=other_strategic, actor=actor, title="Autre")
    assert elsewhere.position == 0

    services.operational_objective_move(objective=third, actor=actor, direction="up")
    order = list(OperationalObjective.objects.filter(strategic=strategic).values_list("title", "position"))
    assert order == [("Ouvrir une micro-crèche", 0), ("Informer", 1), ("Former", 2)]

    services.operational_objective_delete(objective=operational, actor=actor)
    order = list(OperationalObjective.objects.filter(strategic=strategic).values_list("title", "position"))
    assert order == [("Informer", 0), ("Former", 1)]
    assert last_history().item_type == "operationalobjective"

    services.strategic_objective_move(objective=other_strategic, actor=actor, direction="up")
    assert StrategicObjective.objects.get(pk=other_strategic.pk).position == 0
    services.strategic_objective_update(objective=other_strategic, actor=actor, title="Qualité d'accueil")
    assert last_history().labelled_changes == {"intitulé": ["Qualité", "Qualité d'accueil"]}
    services.strategic_objective_delete(
        objective=StrategicObjective.objects.get(pk=strategic.pk), actor=actor
    )
    assert list(StrategicObjective.objects.filter(enjeu=enjeu).values_list("position", flat=True)) == [0]
    assert not OperationalObjective.objects.filter(pk=second.pk).exists()


def test_deleting_the_only_objective_of_a_fiche_is_refused(plan):
    world, actor, enjeu, strategic, operational = plan
    services.fiche_create(ctg=world.ctg, actor=actor, title="Micro-crèche", objectives=[operational])
    for call in (
        lambda: services.operational_objective_delete(objective=operational, actor=actor),
        lambda: services.strategic_objective_delete(objective=strategic, actor=actor),
        lambda: services.enjeu_delete(enjeu=enjeu, actor=actor),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert "« Micro-crèche » n'ont pas d'autre objectif" in messages(error.value)
    assert OperationalObjective.objects.filter(pk=operational.pk).exists()


# --- fiches --------------------------------------------------------------------------------------------


def test_fiche_create_with_all_values(plan):
    world, actor, enjeu, strategic, operational = plan
    commune = world.ctg.communes.first()
    pilot, partner = OrganisationFactory(), OrganisationFactory()
    fiche = services.fiche_create(
        ctg=world.ctg,
        actor=actor,
        title="Micro-crèche",
        objectives=[operational],
        fields=[Field.PETITE_ENFANCE],
        context="Pas de mode d'accueil collectif.",
        all_communes=False,
        communes=[commune],
        pilot_organisation=pilot,
        pilot_person="Dominique",
        partners=[partner],
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2026, 12, 31),
        status=FicheAction.Status.EN_COURS,
        priority=FicheAction.Priority.HAUTE,
    )
    assert fiche.version == 1
    assert fiche.position == 0
    assert list(fiche.communes.all()) == [commune]
    assert list(fiche.partners.all()) == [partner]
    assert fiche.created_by == actor
    entry = last_history()
    assert (entry.item_type, entry.item_id, entry.actor) == ("ficheaction", fiche.pk, actor)
    assert entry.item_version == 1  # the fiche's version, a typed column of the history
    second = services.fiche_create(ctg=world.ctg, actor=actor, title="Relais", objectives=[operational])
    assert second.position == 1


def test_all_communes_and_a_list_together_are_refused_and_nothing_changes(plan):
    """« Toutes » and a list are never resolved silently (plans.rules.communes_problem); switching to
    « toutes » without naming communes clears the list."""
    world, actor, *_, operational = plan
    with pytest.raises(ValidationError, match="pas les deux"):
        services.fiche_create(
            ctg=world.ctg,
            actor=actor,
            title="Partout",
            objectives=[operational],
            all_communes=True,
            communes=list(world.ctg.communes.all()),
        )
    assert not FicheAction.objects.filter(title="Partout").exists()
    fiche = services.fiche_create(
        ctg=world.ctg, actor=actor, title="Partout", objectives=[operational], all_communes=True
    )
    services.fiche_update(
        fiche=fiche,
        actor=actor,
        expected_version=1,
        all_communes=False,
        communes=[world.ctg.communes.first()],
    )
    assert fiche.communes.count() == 1
    with pytest.raises(ValidationError, match="pas les deux"):
        services.fiche_update(
            fiche=fiche,
            actor=actor,
            expected_version=2,
            all_communes=True,
            communes=[world.ctg.communes.first()],
        )
    fiche.refresh_from_db()
    assert (fiche.version, fiche.all_communes, fiche.communes.count()) == (2, False, 1)
    services.fiche_update(fiche=fiche, actor=actor, expected_version=2, all_communes=True)
    assert fiche.communes.count() == 0


@pytest.mark.parametrize(
    "values, message",
    [
        ({"objectives": []}, "Rattachez la fiche à au moins un objectif opérationnel."),
        ({"title": ""}, "L'intitulé est obligatoire."),
        ({"status": "fini"}, "Statut : valeur inconnue « fini »."),
        ({"priority": "urgente"}, "Priorité : valeur inconnue « urgente »."),
        ({"fields": ["cuisine"]}, "Champ d'intervention inconnu : cuisine."),
        ({"all_communes": False}, "Choisissez au moins une commune"),
        (
            {"start_date": datetime.date(2024, 12, 31)},
            "La date de début doit être comprise dans la période de la CTG (du 01/01/2025 au 31/12/2028).",
        ),
        (
            {"end_date": datetime.date(2029, 1, 1)},
            "La date de fin doit être comprise dans la période de la CTG (du 01/01/2025 au 31/12/2028).",
        ),
        (
            {"start_date": datetime.date(2026, 1, 1), "end_date": datetime.date(2025, 6, 1)},
            "La date de fin ne peut pas précéder la date de début.",
        ),
    ],
)
def test_fiche_create_refusals(plan, values, message):
    world, actor, *_, operational = plan
    arguments = {"ctg": world.ctg, "actor": actor, "title": "Fiche", "objectives": [operational], **values}
    with pytest.raises(ValidationError) as error:
        services.fiche_create(**arguments)
    assert message in messages(error.value)
    assert not FicheAction.objects.exists()


def test_fiche_objectives_and_communes_must_belong_to_the_dossier(plan):
    world, actor, *_, operational = plan
    foreign = OperationalObjectiveFactory(strategic__enjeu__ctg=world.other_ctg)
    with pytest.raises(ValidationError, match="doivent appartenir à ce dossier"):
        services.fiche_create(ctg=world.ctg, actor=actor, title="F", objectives=[operational, foreign])
    outsider = CommuneFactory(name="Ailleurs")
    with pytest.raises(ValidationError) as error:
        services.fiche_create(
            ctg=world.ctg,
            actor=actor,
            title="F",
            objectives=[operational],
            all_communes=False,
            communes=[outsider],
        )
    assert "Ces communes ne font pas partie du territoire de la CTG : Ailleurs." in messages(error.value)


def test_fiche_update_records_labels_and_version(plan):
    world, actor, *_, operational = plan
    fiche = services.fiche_create(ctg=world.ctg, actor=actor, title="Micro-crèche", objectives=[operational])
    services.fiche_update(
        fiche=fiche,
        actor=actor,
        expected_version=1,
        status=FicheAction.Status.EN_COURS,
        start_date=datetime.date(2025, 9, 1),
    )
    fiche.refresh_from_db()
    assert (fiche.status, fiche.version, fiche.updated_by) == ("en_cours", 2, actor)
    entry = last_history()
    assert entry.labelled_changes == {
        "statut": ["À venir", "En cours"],
        "début": ["", "01/09/2025"],
        "version": [1, 2],  # shown as before, although stored in item_version
    }
    assert entry.item_version == 2 and "version" not in entry.changes
    assert (entry.item_type, entry.item_id) == ("ficheaction", fiche.pk)
    with pytest.raises(ValueError, match="Champs non modifiables"):
        services.fiche_update(fiche=fiche, actor=actor, expected_version=2, version=7)
    with pytest.raises(ValidationError, match="La date de fin ne peut pas précéder"):
        services.fiche_update(
            fiche=fiche, actor=actor, expected_version=2, end_date=datetime.date(2025, 1, 1)
        )
    fiche.refresh_from_db()
    assert fiche.version == 2 and fiche.end_date is None


def test_fiche_move_and_delete_keep_positions_under_the_first_objective(plan):
    world, actor, enjeu, strategic, operational = plan
    other = services.operational_objective_create(strategic=strategic, actor=actor, title="Autre")
    a, b, c = (
        services.fiche_create(ctg=world.ctg, actor=actor, title=t, objectives=[operational]) for t in "ABC"
    )
    x = services.fiche_create(ctg=world.ctg, actor=actor, title="X", objectives=[other, operational])
    assert x.position == 3  # its first objective in the plan's order is `operational`
    y = services.fiche_create(ctg=world.ctg, actor=actor, title="Y", objectives=[other])
    assert y.position == 0

    services.fiche_move(fiche=c, actor=actor, direction="up")
    group = FicheAction.objects.filter(pk__in=[a.pk, b.pk, c.pk, x.pk]).order_by("position")
    assert [(f.title, f.position) for f in group] == [("A", 0), ("C", 1), ("B", 2), ("X", 3)]
    assert last_history().labelled_changes == {"ordre": [3, 2]}

    services.fiche_delete(fiche=FicheAction.objects.get(pk=a.pk), actor=actor)
    group = FicheAction.objects.filter(pk__in=[b.pk, c.pk, x.pk]).order_by("position")
    assert [(f.title, f.position) for f in group] == [("C", 0), ("B", 1), ("X", 2)]
    entry = last_history()
    assert (entry.item_type, entry.item_id, entry.labelled_changes) == (
        "ficheaction",
        a.pk,
        {"intitulé": ["A", ""]},
    )

    # Moving the objective `other` first makes it X's first objective: X joins Y's group, at the end.
    services.operational_objective_move(objective=other, actor=actor, direction="up")
    assert FicheAction.objects.get(pk=x.pk).position == 1
    assert [f.position for f in FicheAction.objects.filter(pk__in=[c.pk, b.pk]).order_by("position")] == [
        0,
        1,
    ]


# --- calendar and budget -------------------------------------------------------------------------------


@pytest.fixture
def fiche(plan):
    world, actor, *_, operational = plan
    return services.fiche_create(ctg=world.ctg, actor=actor, title="Micro-crèche", objectives=[operational])


def test_fiche_steps_set(fiche, world):
    actor = world.users[Role.COORDINATION]
    services.fiche_steps_set(fiche=fiche, actor=actor, steps=[(2026, "Travaux"), (2025, "Étude")])
    assert list(fiche.steps.values_list("year", "description")) == [(2025, "Étude"), (2026, "Travaux")]
    entry = last_history()
    assert entry.labelled_changes == {"étapes": ["", "2025 : Étude ; 2026 : Travaux"]}
    assert (entry.item_type, entry.item_id) == ("ficheaction", fiche.pk)
    with pytest.raises(ValidationError, match=r"L'année 2030 est hors de la période de la CTG \(2025-2028\)"):
        services.fiche_steps_set(fiche=fiche, actor=actor, steps=[(2030, "Plus tard")])
    with pytest.raises(ValidationError, match="L'étape de 2025 est obligatoire."):
        services.fiche_steps_set(fiche=fiche, actor=actor, steps=[(2025, " ")])
    assert fiche.steps.count() == 2


def test_budget_set_creates_updates_and_deletes(fiche, world):
    actor = world.users[Role.COORDINATION]
    line = services.budget_set(fiche=fiche, actor=actor, year=2025, funder="caf", planned="12000,50", spent=0)
    assert (line.planned, line.spent, line.created_by) == (Decimal("12000.50"), Decimal("0"), actor)
    assert last_history().labelled_changes == {
        "budget 2025 CAF prévu": ["", "12000,5"],
        "budget 2025 CAF réalisé": ["", "0"],
    }
    services.budget_set(fiche=fiche, actor=actor, year=2025, funder="caf", planned="12000.50", spent=3000)
    assert BudgetLine.objects.count() == 1
    line.refresh_from_db()
    assert line.spent == Decimal("3000")
    entry = last_history()
    assert entry.labelled_changes == {"budget 2025 CAF réalisé": ["0", "3000"]}
    assert (entry.item_type, entry.item_id, entry.actor) == ("ficheaction", fiche.pk, actor)

    services.budget_delete(line=line, actor=actor)
    assert not BudgetLine.objects.exists()
    assert last_history().labelled_changes["budget 2025 CAF prévu"] == ["12000,5", ""]


@pytest.mark.parametrize(
    "values, message",
    [
        ({"planned": -1}, "Le montant prévu ne peut pas être négatif."),
        ({"spent": "beaucoup"}, "Le montant réalisé : « beaucoup » n'est pas un montant."),
        ({"year": 2024}, "L'année 2024 est hors de la période de la CTG (2025-2028)."),
        ({"funder": "banque"}, "Financeur : valeur inconnue « banque »."),
    ],
)
def test_budget_refusals(fiche, values, message):
    arguments = {"fiche": fiche, "actor": None, "year": 2025, "funder": "caf", "planned": 10, "spent": 0}
    with pytest.raises(ValidationError) as error:
        services.budget_set(**{**arguments, **values})
    assert message in messages(error.value)
    assert not BudgetLine.objects.exists()


# --- indicators ----------------------------------------------------------------------------------------


def test_indicator_create_update_delete(fiche, world):
    actor = world.users[Role.COORDINATION]
    commune = world.ctg.communes.first()
    indicator = services.indicator_create(
        fiche=fiche,
        actor=actor,
        label="Places d'accueil",
        unit="places",
        baseline_value="12",
        baseline_year=2024,
        portrait_indicator="population",
        territory_code=commune.code,
    )
    assert indicator.baseline_value == Decimal("12")
    assert indicator.position == 0
    entry = last_history()
    assert (entry.item_type, entry.item_id, entry.labelled_changes) == (
        "ficheaction",
        fiche.pk,
        {"indicateur": ["", "Places d'accueil"]},
    )
    services.indicator_update(indicator=indicator, actor=actor, direction="down", baseline_value="15,5")
    indicator.refresh_from_db()
    assert indicator.baseline_value == Decimal("15.5")
    assert last_history().labelled_changes == {
        "Places d'accueil — sens souhaité": ["À la hausse", "À la baisse"],
        "Places d'accueil — valeur de référence": ["12", "15,5"],
    }
    second = services.indicator_create(fiche=fiche, actor=actor, label="Familles accueillies")
    services.indicator_delete(indicator=indicator, actor=actor)
    second.refresh_from_db()
    assert second.position == 0
    assert last_history().labelled_changes == {"indicateur": ["Places d'accueil", ""]}


@pytest.mark.parametrize(
    "values, message",
    [
        ({"label": ""}, "L'intitulé est obligatoire."),
        ({"portrait_indicator": "pas_un_id"}, "Indicateur du portrait inconnu : « pas_un_id »."),
        ({"territory_code": "99999"}, "Commune inconnue : 99999."),
        ({"direction": "sideways"}, "Sens souhaité : valeur inconnue « sideways »."),
        ({"baseline_value": "beaucoup"}, "La valeur de référence : « beaucoup » n'est pas un nombre."),
    ],
)
def test_indicator_refusals(fiche, values, message):
    with pytest.raises(ValidationError) as error:
        services.indicator_create(**{"fiche": fiche, "actor": None, "label": "Indicateur", **values})
    assert message in messages(error.value)


def test_indicator_value_set_typed_values(fiche, world):
    actor = world.users[Role.COORDINATION]
    indicator = PlanIndicatorFactory(fiche=fiche, label="Places")
    target = services.indicator_value_set(
        indicator=indicator, actor=actor, year=2027, kind="target", value="20"
    )
    assert (target.origin, target.created_by, target.updated_by) == ("typed", actor, actor)
    entry = last_history()
    assert entry.labelled_changes == {"Places — cible 2027": ["", "20"]}
    assert (entry.item_type, entry.item_id, entry.actor) == ("ficheaction", fiche.pk, actor)
    other = world.users[Role.PILOTE_CAF]
    services.indicator_value_set(indicator=indicator, actor=other, year=2027, kind="target", value=25)
    target.refresh_from_db()
    assert (target.value, target.created_by, target.updated_by) == (Decimal("25"), actor, other)
    assert last_history().labelled_changes == {"Places — cible 2027": ["20", "25"]}
    services.indicator_value_set(indicator=indicator, actor=other, year=2027, kind="target", value="")
    assert not IndicatorValue.objects.exists()
    assert last_history().labelled_changes == {"Places — cible 2027": ["25", ""]}

    with pytest.raises(ValidationError, match="hors de la période"):
        services.indicator_value_set(indicator=indicator, actor=actor, year=2031, kind="target", value=1)
    with pytest.raises(ValidationError, match="Type de valeur : valeur inconnue"):
        services.indicator_value_set(indicator=indicator, actor=actor, year=2026, kind="estimé", value=1)


def test_a_realised_value_from_open_data_cannot_be_typed_over(fiche, world):
    indicator = PlanIndicatorFactory(fiche=fiche, label="Population")
    IndicatorValue.objects.create(
        indicator=indicator,
        year=2025,
        kind="realised",
        value=100,
        origin="open_data",
        source="Insee, RP 2025",
    )
    with pytest.raises(ValidationError) as error:
        services.indicator_value_set(
            indicator=indicator, actor=world.users[Role.COORDINATION], year=2025, kind="realised", value=5
        )
    assert "La valeur réalisée 2025 vient des données ouvertes (Insee, RP 2025)" in messages(error.value)
    assert IndicatorValue.objects.get().value == 100


# --- comments ------------------------------------------------------------------------------------------


def test_comment_add(fiche, world):
    partner = world.users[Role.PARTENAIRE]
    comment = services.comment_add(fiche=fiche, actor=partner, text=" Nous pouvons prêter une salle. ")
    assert (comment.text, comment.created_by) == ("Nous pouvons prêter une salle.", partner)
    entry = last_history()
    assert (entry.item_type, entry.item_id, entry.actor, entry.action) == (
        "ficheaction",
        fiche.pk,
        partner,
        "commentaire",
    )
    with pytest.raises(ValidationError, match="Le commentaire est obligatoire."):
        services.comment_add(fiche=fiche, actor=partner, text="  ")
    assert selectors.can_comment(Role.PARTENAIRE) and not selectors.can_comment(Role.LECTURE)


# --- selectors -----------------------------------------------------------------------------------------


def test_can_edit_fiche_by_role_and_communes(world):
    # The référent's membership follows one commune of the three (conftest); the codes of the factory's
    # sequence wrap around, so the followed one is read from the membership, never from the codes' order.
    (followed_pk,) = selectors.referent_commune_ids(world.users[Role.REFERENT_COMMUNAL], world.ctg.pk)
    followed = world.ctg.communes.get(pk=followed_pk)
    others = list(world.ctg.communes.exclude(pk=followed_pk))
    assert len(others) == 2
    own = FicheFactory(ctg=world.ctg, all_communes=False, communes=[followed])
    mixed = FicheFactory(ctg=world.ctg, all_communes=False, communes=[followed, others[0]])
    everywhere = FicheFactory(ctg=world.ctg, all_communes=True)
    elsewhere = FicheFactory(ctg=world.ctg, all_communes=False, communes=[others[1]])

    referent = world.users[Role.REFERENT_COMMUNAL]
    assert selectors.can_edit_fiche(referent, Role.REFERENT_COMMUNAL, own)
    for fiche in (mixed, everywhere, elsewhere):
        assert not selectors.can_edit_fiche(referent, Role.REFERENT_COMMUNAL, fiche)
    for role in (Role.PILOTE_CAF, Role.COORDINATION):
        for fiche in (own, mixed, everywhere, elsewhere):
            assert selectors.can_edit_fiche(world.users[role], role, fiche)
    for role in (Role.PARTENAIRE, Role.LECTURE, None):
        assert not selectors.can_edit_fiche(world.users[Role.PARTENAIRE], role, own)
    # Another person given the référent role without communes edits nothing.
    assert not selectors.can_edit_fiche(world.users[Role.PARTENAIRE], Role.REFERENT_COMMUNAL, own)


def test_the_operation_table_names_the_scope_of_editing_fiches():
    from ctg.organisations.permissions import Op, Scope, op_scope

    assert op_scope(Role.REFERENT_COMMUNAL, Op.EDIT_FICHE) == Scope.MY_COMMUNES
    assert (
        op_scope(Role.PILOTE_CAF, Op.EDIT_FICHE)
        == op_scope(Role.COORDINATION, Op.EDIT_FICHE)
        == Scope.DOSSIER
    )
    assert op_scope(Role.PARTENAIRE, Op.EDIT_FICHE) is op_scope(Role.LECTURE, Op.EDIT_FICHE) is None
    # Every other operation a référent holds covers the whole dossier (reading, contributing).
    assert op_scope(Role.REFERENT_COMMUNAL, Op.VIEW) == Scope.DOSSIER


def test_plan_tree_in_order_with_few_queries(world):
    ctg = world.ctg
    second = EnjeuFactory(ctg=ctg, title="Second", position=1)
    first = EnjeuFactory(ctg=ctg, title="Premier", position=0)
    strategic = StrategicObjectiveFactory(enjeu=first)
    operational_b = OperationalObjectiveFactory(strategic=strategic, position=1, title="B")
    operational_a = OperationalObjectiveFactory(strategic=strategic, position=0, title="A")
    FicheFactory(ctg=ctg, objectives=[operational_a], position=1, title="A2")
    FicheFactory(ctg=ctg, objectives=[operational_a], position=0, title="A1")
    FicheFactory(ctg=ctg, objectives=[operational_b], title="B1")
    StrategicObjectiveFactory(enjeu=second)
    with CaptureQueriesContext(connection) as queries:
        tree = selectors.plan_tree(ctg)
        shape = [
            (
                e.title,
                [
                    [(o.title, [f.title for f in o.fiches.all()]) for o in s.operational.all()]
                    for s in e.objectives.all()
                ],
            )
            for e in tree
        ]
    assert shape == [("Premier", [[("A", ["A1", "A2"]), ("B", ["B1"])]]), ("Second", [[]])]
    assert len(queries) <= 5


def test_fiche_history_lists_the_fiche_and_its_parts(fiche, world):
    actor = world.users[Role.COORDINATION]
    services.budget_set(fiche=fiche, actor=actor, year=2025, funder="caf", planned=10, spent=0)
    services.comment_add(fiche=fiche, actor=actor, text="Bien")
    other = FicheFactory(ctg=world.ctg)
    services.comment_add(fiche=other, actor=actor, text="Ailleurs")
    actions = [e.action for e in selectors.fiche_history(fiche)]
    assert actions == ["commentaire", "budget", "fiche"]


def test_changing_the_objectives_of_a_fiche_moves_it_to_the_end_of_its_new_group(plan):
    world, actor, enjeu, strategic, operational = plan
    other = services.operational_objective_create(strategic=strategic, actor=actor, title="Autre")
    a, b = (
        services.fiche_create(ctg=world.ctg, actor=actor, title=t, objectives=[operational]) for t in "AB"
    )
    y = services.fiche_create(ctg=world.ctg, actor=actor, title="Y", objectives=[other])
    services.fiche_update(fiche=a, actor=actor, expected_version=1, objectives=[other])
    assert a.position == 1
    positions = dict(FicheAction.objects.values_list("title", "position"))
    assert positions == {"A": 1, "B": 0, "Y": 0}
    assert last_history().labelled_changes["objectifs opérationnels"] == ["Ouvrir une micro-crèche", "Autre"]
    assert y.position == 0

"""The plan's costs do not grow with its fiches: the import writes in bulk, a new fiche goes at the end of its
group without renumbering the plan, the fiche page numbers one fiche, the tree, the dashboard and the fiche
page read a fixed number of queries (see bench/plan.py for the timings)."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctg.exchange.export import export_xlsx
from ctg.exchange.imports import import_xlsx
from ctg.organisations.permissions import Role
from ctg.plans import selectors, services
from ctg.plans.models import BudgetLine, FicheAction, FicheStep, IndicatorValue, PlanIndicator
from ctg.plans.selectors import plan_numbers
from ctg.plans.services import positions
from tests.factories import CtgFactory, MembershipFactory, OrganisationFactory

from .factories import EnjeuFactory, OperationalObjectiveFactory, StrategicObjectiveFactory

# Bulk inserts are split in batches (SQLite: 999 parameters a query), so twice the fiches may cost a few
# more queries, never some per fiche.
BATCHES = 12


def _objectives(ctg, enjeux=2, strategic=2, operational=3):
    found = []
    for e in range(enjeux):
        enjeu = EnjeuFactory(ctg=ctg, position=e)
        for s in range(strategic):
            objective = StrategicObjectiveFactory(enjeu=enjeu, position=s)
            found += [
                OperationalObjectiveFactory(strategic=objective, position=o) for o in range(operational)
            ]
    return found


def _plan(ctg, size, actor):
    """`size` fiches spread over 12 operational objectives (one in four serving two), each with two steps,
    two budget lines, one indicator (territory code) and two values, a commune or two and partners."""
    objectives = _objectives(ctg)
    communes = list(ctg.communes.order_by("code"))
    partners = [OrganisationFactory(name=f"Partenaire {i}") for i in range(4)]
    for index in range(size):
        chosen = [objectives[index % len(objectives)]]
        if index % 4 == 0:
            chosen.append(objectives[(index * 5 + 1) % len(objectives)])
        fiche = FicheAction.objects.create(
            ctg=ctg,
            title=f"Fiche {index}",
            position=index,
            all_communes=index % 2 == 0,
            pilot_organisation=partners[index % 4],
        )
        fiche.objectives.set(chosen)
        if index % 2:
            fiche.communes.set(communes[: 1 + index % 2])
        fiche.partners.set(partners[index % 3 : index % 3 + 2])
        FicheStep.objects.bulk_create(
            [FicheStep(fiche=fiche, year=year, description=f"Étape {year}") for year in (2025, 2026)]
        )
        BudgetLine.objects.bulk_create(
            [BudgetLine(fiche=fiche, year=2025, funder=funder, planned=100) for funder in ("caf", "epci")]
        )
        indicator = PlanIndicator.objects.create(
            fiche=fiche, label="Familles", position=1, territory_code=communes[0].code
        )
        IndicatorValue.objects.bulk_create(
            [
                IndicatorValue(indicator=indicator, year=2025, kind=kind, value=3)
                for kind in ("target", "realised")
            ]
        )
    return objectives


def _import_queries(world, size) -> int:
    actor = world.users[Role.COORDINATION]
    source = CtgFactory(caf=world.ctg.caf, epci=world.ctg.epci, communes=list(world.ctg.communes.all()))
    _plan(source, size, actor)
    data = export_xlsx(source)
    empty = CtgFactory(caf=world.ctg.caf, epci=world.ctg.epci, communes=list(world.ctg.communes.all()))
    with CaptureQueriesContext(connection) as queries:
        result = import_xlsx(empty, data, actor)
    assert result["fiches"] == size
    assert empty.fiches.count() == size
    return len(queries)


def test_import_queries_do_not_grow_with_the_fiches(world):
    small = _import_queries(world, 60)
    large = _import_queries(world, 120)
    assert large <= small + BATCHES, (small, large)
    assert small < 60, small  # fewer queries than fiches: nothing is written fiche by fiche


def _whole_plan_refused(monkeypatch, module, *names):
    """Fails the test if one of `module`'s functions that read every fiche of the plan is called."""

    def refuse(*args, **kwargs):
        raise AssertionError("reads every fiche of the plan")

    for name in names:
        monkeypatch.setattr(module, name, refuse)


def _fiche_page_queries(world, size, monkeypatch) -> int:
    user = world.users[Role.COORDINATION]
    ctg = CtgFactory(caf=world.ctg.caf, epci=world.ctg.epci, communes=list(world.ctg.communes.all()))
    MembershipFactory(ctg=ctg, user=user, role=Role.COORDINATION)
    objectives = _plan(ctg, size, user)
    # The same kind of fiche in both plans, in the middle: three objectives, communes and partners.
    fiche = FicheAction.objects.get(ctg=ctg, title=f"Fiche {size // 2 // 4 * 4 + 1}")
    fiche.objectives.add(objectives[-1])
    client = Client()
    client.force_login(user)
    page = reverse("plans:fiche_detail", kwargs={"pk": ctg.pk, "fiche_pk": fiche.pk})
    client.get(page)
    with monkeypatch.context() as patched:
        _whole_plan_refused(patched, selectors, "plan_tree", "plan_numbers")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
    assert response.status_code == 200
    number = plan_numbers(ctg)[("fiche", fiche.pk)]
    assert f"Fiche {number}" in response.content.decode()  # the tree's number
    return len(queries)


def test_fiche_page_queries_do_not_grow_with_the_plan(world, monkeypatch):
    assert _fiche_page_queries(world, 80, monkeypatch) == _fiche_page_queries(world, 20, monkeypatch)


def test_fiche_numbers_are_the_tree_numbers(world):
    ctg = world.ctg
    _plan(ctg, 40, world.users[Role.COORDINATION])
    loose = FicheAction.objects.create(ctg=ctg, title="Sans objectif", position=0)
    numbers = plan_numbers(ctg)
    for fiche in FicheAction.objects.filter(ctg=ctg):
        with CaptureQueriesContext(connection) as queries:
            own = selectors.fiche_numbers(ctg, fiche)
        assert own.get(("fiche", fiche.pk)) == numbers.get(("fiche", fiche.pk)), fiche.title
        assert {k: v for k, v in own.items() if k[0] != "fiche"} == {
            k: v for k, v in numbers.items() if k[0] != "fiche"
        }
        assert len(queries) <= 5
    assert ("fiche", loose.pk) not in selectors.fiche_numbers(ctg, loose)


def _create_queries(world, existing, monkeypatch) -> int:
    ctg = CtgFactory(caf=world.ctg.caf, epci=world.ctg.epci, communes=list(world.ctg.communes.all()))
    actor = world.users[Role.COORDINATION]
    objectives = _objectives(ctg)
    for index in range(existing):
        services.fiche_create(
            ctg=ctg, actor=actor, title=f"Fiche {index}", objectives=[objectives[index % len(objectives)]]
        )
    with monkeypatch.context() as patched:
        _whole_plan_refused(patched, positions, "_renumber_fiches", "_fiche_groups", "primary_objectives")
        with CaptureQueriesContext(connection) as queries:
            fiche = services.fiche_create(ctg=ctg, actor=actor, title="Nouvelle", objectives=objectives[:2])
    # Last of the group of its first objective, numbered as the renumbering of the whole plan would.
    group = FicheAction.objects.filter(ctg=ctg, objectives=objectives[0]).exclude(pk=fiche.pk)
    assert fiche.position == group.count()
    return len(queries)


def test_fiche_create_queries_do_not_grow_with_the_plan(world, monkeypatch):
    assert _create_queries(world, 60, monkeypatch) == _create_queries(world, 6, monkeypatch)


# --- the pages of the plan: a query per fiche (or per item of the tree) fails these tests ------------------

# The most queries of each page for a plan of `_plan`, whatever its size (measured with 8 and 40 fiches). A
# page that reads something per fiche or per item of the tree fails here.
# Issue 11: + 1 on each page, the step bar's signature state (the signatories, read once).
# Issue 12: + 1 on the fiche, the offer scenarios it comes from (« Issue du scénario »).
# Issue 13: + 1 on the tree, the titles of the findings its enjeux cite; + 1 on the fiche, its enjeux'
# findings (« Ce qui fonde cette fiche »).
# Issue 14: + 1 on the tree, the axes of the CAF's schéma départemental its enjeux serve.
PAGE_QUERIES = {"plans:tree": 16, "plans:dashboard": 18, "plans:fiche_detail": 28}


def _page_queries(world, size, name) -> int:
    user = world.users[Role.COORDINATION]
    ctg = CtgFactory(caf=world.ctg.caf, epci=world.ctg.epci, communes=list(world.ctg.communes.all()))
    MembershipFactory(ctg=ctg, user=user, role=Role.COORDINATION)
    _plan(ctg, size, user)
    kwargs = {"pk": ctg.pk}
    if name == "plans:fiche_detail":
        kwargs["fiche_pk"] = FicheAction.objects.get(ctg=ctg, title=f"Fiche {size // 2 // 4 * 4 + 1}").pk
    client = Client()
    client.force_login(user)
    page = reverse(name, kwargs=kwargs)
    client.get(page)  # the session and the caches of the first request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page)
    assert response.status_code == 200
    if name == "plans:dashboard":
        assert response.context["fiche_count"] == size
        assert response.context["by_funder"]["total_planned"] == 200 * size
    if name == "plans:tree":
        assert response.content.decode().count("Fiche ") >= size
    return len(queries)


def test_page_queries_do_not_grow_with_the_plan(world):
    for name in PAGE_QUERIES:
        small, large = _page_queries(world, 8, name), _page_queries(world, 40, name)
        assert small == large, (name, small, large)
        assert large <= PAGE_QUERIES[name], (name, large)

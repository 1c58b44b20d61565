"""Building a dossier for the final evaluation's tests: a plan with indicators, budget, history, a held
COPIL meeting and its decision."""

import datetime
from decimal import Decimal

from ctg.conventions.models import Ctg, Phase
from ctg.core.history import history_record
from ctg.core.models import Action
from ctg.governance.models import Body, Meeting
from ctg.plans.models import FicheAction, IndicatorValue
from tests.factories import OrganisationFactory
from tests.governance.factories import BodyFactory, DecisionFactory, HeldMeetingFactory
from tests.plans.factories import (
    BudgetLineFactory,
    EnjeuFactory,
    FicheFactory,
    OperationalObjectiveFactory,
    PlanIndicatorFactory,
)


def in_evaluation(ctg) -> Ctg:
    Ctg.objects.filter(pk=ctg.pk).update(phase=Phase.EVALUATION)
    ctg.refresh_from_db()
    return ctg


def indicator(fiche, *, baseline, targets, realised, **kw):
    ind = PlanIndicatorFactory(fiche=fiche, baseline_value=baseline, baseline_year=2024, **kw)
    for year, value in targets.items():
        IndicatorValue.objects.create(indicator=ind, year=year, kind="target", value=Decimal(value))
    for year, value in realised.items():
        IndicatorValue.objects.create(indicator=ind, year=year, kind="realised", value=Decimal(value))
    return ind


def plan(ctg, *, fiches=2, title="Accueil du jeune enfant"):
    """One enjeu › objective › `fiches` fiches, each with an indicator, budget lines and a partner."""
    enjeu = EnjeuFactory(ctg=ctg, title=title)
    operational = OperationalObjectiveFactory(strategic__enjeu=enjeu)
    partner = OrganisationFactory(name=f"Association {title}")
    created = []
    for n in range(fiches):
        fiche = FicheFactory(ctg=ctg, objectives=[operational], title=f"{title} — fiche {n}")
        fiche.partners.add(partner)
        indicator(fiche, baseline=10, targets={2027: 20}, realised={2025: 12, 2026: 20 if n == 0 else 15})
        BudgetLineFactory(fiche=fiche, year=2025, funder="caf", planned=1000, spent=800)
        BudgetLineFactory(fiche=fiche, year=2026, funder="epci", planned=500, spent=500)
        created.append(fiche)
    return enjeu, created


def status_change(fiche, before, after):
    history_record(
        ctg=fiche.ctg,
        actor=None,
        action=Action.FICHE,
        summary="Statut",
        changes={"status": [FicheAction.Status(before).label, FicheAction.Status(after).label]},
        item=fiche,
    )


def copil_decision(ctg, *, held=True, kind=Body.Kind.COPIL, text="Le COPIL valide l'évaluation finale."):
    body = BodyFactory(ctg=ctg, kind=kind)
    meeting = HeldMeetingFactory(body=body, ctg=ctg)
    if not held:
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.PLANNED)
    return DecisionFactory(meeting=meeting, text=text)


def today():
    return datetime.date.today()

"""Loads the fictitious demo plan d'action (ctg/demo/plan_data.py) through the plan's services, and its first
yearly bilan through the evaluation's."""

import datetime

from ctg.conventions.models import Ctg
from ctg.demo.plan_data import BILAN_FIRST_YEAR, ENJEUX
from ctg.evaluation import services as evaluation_services
from ctg.organisations.models import Organisation
from ctg.plans import services
from ctg.territories.models import Commune


def load_demo_plan(*, ctg: Ctg, coordinator, organisations: dict[str, Organisation]) -> bool:
    """Creates the plan once (the enjeux carried over from the previous CTG aside); returns whether it was
    created now."""
    if ctg.enjeux.filter(title=ENJEUX[0][0]).exists():
        return False
    start = ctg.start_year
    territory = {c.code: c for c in Commune.objects.filter(ctgs=ctg)}
    for enjeu_title, fields, strategics in ENJEUX:
        enjeu = services.enjeu_create(ctg=ctg, actor=coordinator, title=enjeu_title, fields=fields)
        for strategic_title, operationals in strategics:
            strategic = services.strategic_objective_create(
                enjeu=enjeu, actor=coordinator, title=strategic_title
            )
            for operational_title, fiches in operationals:
                operational = services.operational_objective_create(
                    strategic=strategic, actor=coordinator, title=operational_title
                )
                for spec in fiches:
                    _fiche(ctg, coordinator, operational, spec, organisations, territory, start)
    bilan = evaluation_services.bilan_create(
        ctg=ctg, actor=coordinator, year=start, highlights=BILAN_FIRST_YEAR
    )
    evaluation_services.bilan_validate(bilan=bilan, actor=coordinator)
    return True


def _fiche(ctg, actor, objective, spec, organisations, territory, start):
    communes = [] if spec["communes"] == "all" else [territory[c] for c in spec["communes"] if c in territory]
    fiche = services.fiche_create(
        ctg=ctg,
        actor=actor,
        title=spec["title"],
        objectives=[objective],
        fields=spec["fields"],
        description=f"{spec['title']} (fiche fictive de démonstration).",
        all_communes=not communes,  # also when the référentiel lacks the listed communes
        communes=communes,
        pilot_organisation=organisations.get(spec["pilot"]),
        start_date=datetime.date(start, 1, 1),
        end_date=datetime.date(ctg.end_year, 12, 31),
        status=spec["status"],
        priority=spec["priority"],
    )
    services.fiche_steps_set(
        fiche=fiche, actor=actor, steps=[(start, "Lancement"), (ctg.end_year, "Évaluation de l'action")]
    )
    for offset, funder, planned, spent in spec["budget"]:
        services.budget_set(
            fiche=fiche, actor=actor, year=start + offset, funder=funder, planned=planned, spent=spent
        )
    for label, unit, direction, baseline, targets, realised in spec["indicators"]:
        indicator = services.indicator_create(
            fiche=fiche,
            actor=actor,
            label=label,
            unit=unit,
            direction=direction,
            baseline_value=baseline,
            baseline_year=start,
        )
        for offset, value in targets.items():
            services.indicator_value_set(
                indicator=indicator, actor=actor, year=start + offset, kind="target", value=value
            )
        for offset, value in realised.items():
            services.indicator_value_set(
                indicator=indicator, actor=actor, year=start + offset, kind="realised", value=value
            )
    return fiche

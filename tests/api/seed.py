"""A seeded plan for the API's tests, written through the services: in the world's dossier and in the
other dossier (for the other-dossier ids)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from ctg.api import services as api_services
from ctg.governance import services as governance
from ctg.plans import services
from tests.factories import MilestoneFactory


@dataclass
class Plan:
    enjeu: object
    strategic: object
    operational: object
    fiche: object
    indicator: object
    line: object
    meeting: object


def seed_plan(ctg, actor, title="Petite enfance") -> Plan:
    enjeu = services.enjeu_create(ctg=ctg, actor=actor, title=f"Enjeu {title}", fields=["petite_enfance"])
    strategic = services.strategic_objective_create(enjeu=enjeu, actor=actor, title="Objectif stratégique")
    operational = services.operational_objective_create(
        strategic=strategic, actor=actor, title="Objectif opérationnel"
    )
    fiche = services.fiche_create(ctg=ctg, actor=actor, title=f"Fiche {title}", objectives=[operational])
    year = ctg.start_year
    line = services.budget_set(fiche=fiche, actor=actor, year=year, funder="caf", planned=1000, spent=0)
    indicator = services.indicator_create(fiche=fiche, actor=actor, label="Places créées", unit="places")
    services.indicator_value_set(indicator=indicator, actor=actor, year=year, kind="target", value=12)
    MilestoneFactory(ctg=ctg)
    body = governance.body_create(ctg=ctg, actor=actor, kind="copil", name="COPIL")
    meeting = governance.meeting_create(
        ctg=ctg,
        actor=actor,
        body=body,
        starts_at=timezone.make_aware(datetime.datetime(ctg.start_year, 3, 10, 14)),
        title="COPIL de lancement",
        place="Mairie",
    )
    governance.decision_add(meeting=meeting, actor=actor, text="Le plan est adopté.")
    return Plan(enjeu, strategic, operational, fiche, indicator, line, meeting)


def token_of(user, name="Outil") -> str:
    return api_services.token_create(user=user, name=name)[1]


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}

"""A dossier with a plan, parties and internal texts, and a portrait of known figures (one complete, one
partial, one secret), for the public pages."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from ctg.diagnostics.catalogue import BY_ID, RP
from ctg.diagnostics.engine import OK, PARTIEL, SECRET, Value
from ctg.diagnostics.portrait import IndicatorResult, Portrait, Reference, Territory
from ctg.plans.models import Attachment, Comment, FicheAction, IndicatorValue
from ctg.public import services
from tests.factories import OrganisationFactory, SignatoryFactory
from tests.plans.factories import (
    BudgetLineFactory,
    EnjeuFactory,
    FicheFactory,
    OperationalObjectiveFactory,
    PlanIndicatorFactory,
    StrategicObjectiveFactory,
)


@dataclass
class Plan:
    fiche: object
    pilot: object


@pytest.fixture
def plan(world):
    ctg = world.ctg
    SignatoryFactory(
        ctg=ctg,
        organisation=ctg.caf,
        signer_name="Dominique Signataire",
        signer_capacity="Directrice",
        signed_on=datetime.date(2025, 2, 8),
    )
    SignatoryFactory(ctg=ctg, organisation=OrganisationFactory(name="Conseil départemental du Tarn"))
    enjeu = EnjeuFactory(ctg=ctg, title="Soutenir les familles")
    strategic = StrategicObjectiveFactory(enjeu=enjeu, title="Mieux accueillir les tout-petits")
    operational = OperationalObjectiveFactory(strategic=strategic, title="Créer des places d'accueil")
    pilot = OrganisationFactory(name="Centre social du Test")
    fiche = FicheFactory(
        ctg=ctg,
        title="Ouvrir une micro-crèche",
        pilot_organisation=pilot,
        pilot_person="Camille Pilote",
        notes="Note interne confidentielle",
        status=FicheAction.Status.EN_COURS,
        objectives=[operational],
    )
    Comment.objects.create(
        fiche=fiche, text="Commentaire interne de suivi", created_by=world.users["partenaire"]
    )
    Attachment.objects.create(
        fiche=fiche, title="Devis du bâtiment", file=ContentFile(b"%PDF-1.4", name="devis-batiment.pdf")
    )
    BudgetLineFactory(fiche=fiche, year=2025, funder="caf", planned=12000, spent=3000)
    BudgetLineFactory(fiche=fiche, year=2026, funder="commune", planned=8000, spent=0)
    indicator = PlanIndicatorFactory(fiche=fiche, label="Places créées", baseline_value=0, baseline_year=2024)
    IndicatorValue.objects.create(indicator=indicator, year=2025, kind="target", value=12)
    IndicatorValue.objects.create(indicator=indicator, year=2025, kind="realised", value=12)
    return Plan(fiche=fiche, pilot=pilot)


@pytest.fixture
def published(world, plan):
    return services.publish(ctg=world.ctg, actor=world.users["coordination"])


def _reference(level, name, value):
    return Reference(level=level, code=None, name=name, value=value, status=OK)


@pytest.fixture
def figures(monkeypatch, world):
    """The portrait of the public page, without a statistics store: population complete, allocataires
    partial (no département reference), families with children secret."""
    territory = Territory(
        code=world.ctg.epci_id,
        kind="epci",
        name="CC du Test",
        communes=[c.code for c in world.ctg.communes.all()],
        population=6000,
        departements=["81"],
        region=None,
    )
    results = [
        IndicatorResult(
            BY_ID["population"],
            Value(6000, OK, 1.0, 2021),
            "Insee, recensement 2021",
            references={
                "departement": _reference("departement", "Tarn", 389844),
                "france": _reference("france", "France", 68000000),
            },
        ),
        IndicatorResult(
            BY_ID["familles_avec_enfants"],
            Value(None, SECRET, None, 2021, note="secret statistique : 1 commune sur 3"),
            "Insee, recensement 2021",
        ),
        IndicatorResult(
            BY_ID["allocataires"],
            Value(1234, PARTIEL, 0.8, 2023, note="partiel : 2 communes sur 3, 80 % de la population"),
            "CAF, allocataires 2023",
            references={"france": _reference("france", "France", 13000000)},
        ),
    ]
    portrait = Portrait(territory, results, {RP: 2021})
    monkeypatch.setattr("ctg.public.content.build_portrait", lambda territory, **kwargs: portrait)
    monkeypatch.setattr("ctg.public.content.territory_of_ctg", lambda ctg: territory)
    return portrait

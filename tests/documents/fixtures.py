"""A dossier ready for its convention: signatories (with and without dates), a partner, a governance body,
a coordinator post, and a plan with fiches, budgets and indicators with targets."""

import datetime
from dataclasses import dataclass

import pytest

from ctg.governance.models import Body, BodyMember
from ctg.organisations.models import Organisation
from ctg.plans.models import IndicatorValue
from ctg.post.models import CoordinatorPost
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
class Convention:
    fiches: list
    indicator: object
    epci_org: object
    signatories: list


@pytest.fixture
def convention_data(world):
    ctg = world.ctg
    ctg.fields = ["petite_enfance", "jeunesse"]
    ctg.save()
    caf = ctg.caf
    epci_org = OrganisationFactory(
        name="Communauté de communes du Test", kind=Organisation.Kind.EPCI, epci=ctg.epci
    )
    departement = OrganisationFactory(
        name="Conseil départemental du Tarn", kind=Organisation.Kind.DEPARTEMENT, departement=caf.departement
    )
    signatories = [
        SignatoryFactory(
            ctg=ctg,
            organisation=caf,
            signer_name="Claire Martin",
            signer_capacity="Directrice",
            position=0,
            signed_on=datetime.date(2025, 3, 10),
        ),
        SignatoryFactory(
            ctg=ctg,
            organisation=epci_org,
            signer_name="Jean Dupuy",
            signer_capacity="Président",
            position=1,
            signed_on=datetime.date(2025, 3, 14),
        ),
        SignatoryFactory(
            ctg=ctg,
            organisation=departement,
            signer_name="Sophie Bernard",
            signer_capacity="Présidente",
            position=2,
        ),
    ]
    ctg.partners.add(
        OrganisationFactory(name="Mission locale Tarn Nord", kind=Organisation.Kind.MISSION_LOCALE)
    )
    body = Body.objects.create(
        ctg=ctg, kind=Body.Kind.COPIL, name="Comité de pilotage", role="Deux fois par an"
    )
    BodyMember.objects.create(body=body, organisation=caf, person_name="Claire Martin", capacity="Directrice")
    CoordinatorPost.objects.create(
        ctg=ctg,
        person_name="Léa Coordinatrice",
        employer=epci_org,
        fte="0.80",
        start_date=datetime.date(2025, 1, 1),
    )

    enjeu = EnjeuFactory(ctg=ctg, title="Soutenir les jeunes familles")
    strategic = StrategicObjectiveFactory(enjeu=enjeu, title="Développer l'accueil du jeune enfant")
    operational = OperationalObjectiveFactory(strategic=strategic, title="Créer des places en crèche")
    relais = FicheFactory(
        ctg=ctg,
        objectives=[operational],
        title="Relais petite enfance itinérant",
        pilot_organisation=epci_org,
        pilot_person="Léa Coordinatrice",
        start_date=datetime.date(2025, 2, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    creche = FicheFactory(
        ctg=ctg,
        objectives=[operational],
        title="Micro-crèche intercommunale",
        pilot_organisation=caf,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2028, 6, 30),
    )
    BudgetLineFactory(fiche=relais, year=2025, funder="caf", planned=12000)
    BudgetLineFactory(fiche=relais, year=2026, funder="caf", planned=8000)
    BudgetLineFactory(fiche=relais, year=2025, funder="epci", planned=5500)
    BudgetLineFactory(fiche=relais, year=2030, funder="epci", planned=999)  # outside the period: not counted
    BudgetLineFactory(fiche=creche, year=2027, funder="communes", planned=30000)
    indicator = PlanIndicatorFactory(
        fiche=relais, label="Familles accompagnées", unit="familles", baseline_value=40, baseline_year=2024
    )
    for year, value in ((2025, 50), (2026, 65), (2027, 80)):
        IndicatorValue.objects.create(
            indicator=indicator, year=year, kind=IndicatorValue.Kind.TARGET, value=value
        )
    return Convention(
        fiches=[relais, creche], indicator=indicator, epci_org=epci_org, signatories=signatories
    )

"""The demo's previous CTG of the Albigeois (fictitious, labelled): signed, carried out, evaluated and
closed, renewed into the next CTG with its unfinished fiche, whose indicator starts from the last realised
value; the comparison shows the final evaluation's conclusions; once only."""

from decimal import Decimal

from ctg.conventions.models import Ctg, Phase
from ctg.demo.previous_ctg import load_previous_and_renew
from ctg.evaluation.comparison import previous_conclusions
from ctg.organisations.models import Organisation
from tests.factories import CommuneFactory, EpciFactory, OrganisationFactory


def test_the_demo_previous_ctg_is_closed_and_renewed(world):
    epci = EpciFactory(name="CA de l'Albigeois (fictive)")
    for population in (1000, 2000):
        CommuneFactory(epci=epci, departement=world.ctg.caf.departement, population=population)
    caf = world.ctg.caf
    territory = OrganisationFactory(kind=Organisation.Kind.EPCI, name="CC du Test", epci=epci)
    arguments = {
        "caf": caf,
        "epci": epci,
        "territory_signatory": territory,
        "pilot": world.users["pilote_caf"],
        "coordinator": world.users["coordination"],
        "fields": ["petite_enfance"],
        "start_year": 2024,
    }
    new = load_previous_and_renew(**arguments)
    previous = new.previous
    assert previous.is_fictitious and "CTG précédente fictive" in previous.title
    assert (previous.start_year, previous.end_year, previous.phase) == (2020, 2023, Phase.CLOSE)
    assert (new.start_year, new.end_year, new.is_fictitious) == (2024, 2027, True)
    fiche = new.fiches.get()
    assert fiche.title == "Relais petite enfance itinérant (fictif)" and fiche.carried_from.ctg == previous
    indicator = fiche.indicators.get()
    assert (indicator.baseline_value, indicator.baseline_year) == (Decimal("9"), 2023)
    conclusions = previous_conclusions(new)
    assert [a["label"] for a in conclusions["answers"]] == [
        "Cohérence et pertinence",
        "Atteinte des objectifs",
        "Moyens et efficience",
        "Pérennité",
    ]
    assert load_previous_and_renew(**arguments) == new  # once only
    assert Ctg.objects.filter(previous=previous).count() == 1

import factory

from ctg.plans.models import (
    BudgetLine,
    Enjeu,
    FicheAction,
    OperationalObjective,
    PlanIndicator,
    StrategicObjective,
)
from tests.factories import CtgFactory


class EnjeuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enjeu

    ctg = factory.SubFactory(CtgFactory)
    title = factory.Sequence(lambda n: f"Enjeu {n}")
    position = factory.LazyAttribute(lambda o: Enjeu.objects.filter(ctg=o.ctg).count())


class StrategicObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicObjective

    enjeu = factory.SubFactory(EnjeuFactory)
    title = factory.Sequence(lambda n: f"Objectif stratégique {n}")
    position = factory.LazyAttribute(lambda o: StrategicObjective.objects.filter(enjeu=o.enjeu).count())


class OperationalObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperationalObjective

    strategic = factory.SubFactory(StrategicObjectiveFactory)
    title = factory.Sequence(lambda n: f"Objectif opérationnel {n}")
    position = factory.LazyAttribute(
        lambda o: OperationalObjective.objects.filter(strategic=o.strategic).count()
    )


class FicheFactory(factory.django.DjangoModelFactory):
    """A fiche under one operational objective of its dossier (pass `objectives=[…]` to choose)."""

    class Meta:
        model = FicheAction
        skip_postgeneration_save = True

    ctg = factory.SubFactory(CtgFactory)
    title = factory.Sequence(lambda n: f"Fiche action {n}")
    position = factory.LazyAttribute(lambda o: FicheAction.objects.filter(ctg=o.ctg).count())

    @factory.post_generation
    def objectives(obj, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [OperationalObjectiveFactory(strategic__enjeu__ctg=obj.ctg)]
        obj.objectives.set(extracted)

    @factory.post_generation
    def communes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.communes.set(extracted)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    fiche = factory.SubFactory(FicheFactory)
    year = 2025
    funder = "caf"
    planned = 1000
    spent = 0


class PlanIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanIndicator

    fiche = factory.SubFactory(FicheFactory)
    label = factory.Sequence(lambda n: f"Indicateur {n}")

import factory

from ctg.evaluation.models import BilanAnnuel
from tests.factories import CtgFactory


class BilanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BilanAnnuel

    ctg = factory.SubFactory(CtgFactory)
    year = 2025

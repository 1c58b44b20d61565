"""Factories of the ateliers' rows (and of a finding to vote on, kept here so as not to depend on the
findings' tests)."""

import datetime

import factory

from ctg.ateliers.models import Atelier, Attendance, Contribution, DotVote, Registration
from ctg.findings.models import Finding
from tests.factories import CtgFactory


class AtelierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Atelier

    ctg = factory.SubFactory(CtgFactory)
    title = factory.Sequence(lambda n: f"Atelier {n}")
    themes = factory.LazyFunction(lambda: ["petite_enfance"])
    date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=20))
    address = "Salle des fêtes"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    atelier = factory.SubFactory(AtelierFactory)
    person_name = factory.Sequence(lambda n: f"Personne {n}")
    status = Registration.Status.REGISTERED


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    atelier = factory.SubFactory(AtelierFactory)
    person_name = factory.Sequence(lambda n: f"Présente {n}")


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    atelier = factory.SubFactory(AtelierFactory)
    text = factory.Sequence(lambda n: f"Contribution {n}")


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    ctg = factory.SubFactory(CtgFactory)
    kind = Finding.Kind.BESOIN
    title = factory.Sequence(lambda n: f"Constat {n}")


class DotVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DotVote

    atelier = factory.SubFactory(AtelierFactory)
    finding = factory.LazyAttribute(lambda o: FindingFactory(ctg=o.atelier.ctg))
    dots = 3

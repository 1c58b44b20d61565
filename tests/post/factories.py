"""Factories of the coordinator post, its CAF funding and its activity reports."""

import datetime
from decimal import Decimal

import factory

from ctg.post.models import ActivityReport, CoordinatorPost, PostFunding
from tests.factories import CtgFactory


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoordinatorPost

    ctg = factory.SubFactory(CtgFactory)
    person_name = "Claire Martin"
    employer = factory.LazyAttribute(lambda o: o.ctg.caf)
    fte = Decimal("1.00")
    start_date = datetime.date(2025, 1, 6)
    missions = "Animer la démarche CTG."


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostFunding

    post = factory.SubFactory(PostFactory)
    year = 2025
    amount_agreed = Decimal("22500.00")
    advance_paid = Decimal("11250.00")
    balance_paid = Decimal("0.00")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityReport

    post = factory.SubFactory(PostFactory)
    year = 2025

"""The dashboard reads a fixed number of queries whatever the number of CTGs of the département (no query
per dossier, EPCI, commune, fiche or post): `build_dashboard` and the page, on 3 then 10 dossiers."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctg.dashboard.dashboard import build_dashboard
from ctg.organisations.models import Organisation
from tests.factories import (
    CommuneFactory,
    CtgFactory,
    DepartementFactory,
    EpciFactory,
    OrganisationFactory,
    SignatoryFactory,
    UserFactory,
)
from tests.plans.factories import BudgetLineFactory, FicheFactory
from tests.post.factories import FundingFactory, PostFactory


def dossiers(caf, tarn, start: int, count: int) -> None:
    for n in range(start, start + count):
        epci = EpciFactory(name=f"CC numéro {n}")
        communes = [CommuneFactory(code=f"81{n:02d}{i}", epci=epci, departement=tarn) for i in range(3)]
        ctg = CtgFactory(caf=caf, epci=epci, communes=communes, start_year=2024, end_year=2027 + n % 3)
        if n % 2:
            SignatoryFactory(ctg=ctg, organisation=caf, signed_on=datetime.date(2024, 1, 15))
        fiche = FicheFactory(ctg=ctg, fields=["petite_enfance", "jeunesse"])
        BudgetLineFactory(fiche=fiche, year=2025, funder="caf", planned=Decimal("1000"))
        BudgetLineFactory(fiche=fiche, year=2026, funder="communes", planned=Decimal("500"))
        post = PostFactory(ctg=ctg)
        FundingFactory(post=post, year=2026)
        if n:
            CtgFactory(caf=caf, epci=epci, communes=communes, start_year=2018, end_year=2021, previous=None)


@pytest.fixture
def tarn(db):
    tarn = DepartementFactory(code="81", name="Tarn")
    caf = OrganisationFactory(kind=Organisation.Kind.CAF, name="CAF du Tarn", departement=tarn)
    return tarn, caf, UserFactory(email="conseillere@caf-tarn.fr", organisation=caf)


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries.captured_queries)


def test_build_dashboard_queries_do_not_grow_with_the_ctgs(tarn):
    departement, caf, _user = tarn
    dossiers(caf, departement, 0, 3)
    three = count_queries(lambda: build_dashboard("81", year=2026))
    assert len(build_dashboard("81", year=2026)["ctg_ids"]) == 5
    dossiers(caf, departement, 3, 7)
    ten = count_queries(lambda: build_dashboard("81", year=2026))
    assert len(build_dashboard("81", year=2026)["ctg_ids"]) == 19
    assert ten == three
    assert three <= 16


def test_the_page_and_exports_queries_do_not_grow_with_the_ctgs(client, tarn):
    departement, caf, user = tarn
    client.force_login(user)
    urls = [reverse(name, args=["81"]) for name in ("dashboard:departement", "dashboard:departement_xlsx")]
    dossiers(caf, departement, 0, 3)
    for url in urls:  # the session and the contours' caches warmed up
        client.get(url)
    three = [count_queries(lambda url=url: client.get(url)) for url in urls]
    dossiers(caf, departement, 3, 7)
    ten = [count_queries(lambda url=url: client.get(url)) for url in urls]
    assert ten == three

"""The number of database queries of the portrait pages does not depend on the number of communes.

Two EPCI of the same département, one of 3 communes and one of 24, with the same datasets: each page costs
as many queries for both, and no more than the figure pinned here (a query per commune, or per indicator,
would break both).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctg.diagnostics import engine
from ctg.diagnostics.importers import import_dataset
from ctg.organisations.permissions import Role
from tests.factories import (
    CommuneFactory,
    CtgFactory,
    DepartementFactory,
    EpciFactory,
    MembershipFactory,
    UserFactory,
)

from .conftest import FILOSOFI_HEADER, write

RP_HEADER = (
    "CODGEO;P22_POP;P22_POP0014;P22_POP1529;P22_POP3044;P22_POP4559;P22_POP6074;P22_POP7589;P22_POP90P"
)
SMALL, LARGE = "248100001", "248100002"

# The queries of one page, the request's own included (session, user, dossier and role for the dossier tab).
# Before (issue 10, item 3): 19, 16, 24 and 10: the table, the map and the CSV refreshed the engine and read
# the communes' names again, each on its own.
# Issue 11: + 2 on the dossier tab, read once: the signature state of the step bar (the signatories) and
# whether the dossier leaves communes of its EPCI out.
MAX_QUERIES = {"epci": 10, "commune": 10, "dossier": 17, "csv": 8}


@pytest.fixture
def two_epci(db, stats_dir, tmp_path):
    engine.reset()
    tarn = DepartementFactory(code="81", name="Tarn")
    small = EpciFactory(siren=SMALL, name="CC de trois communes")
    large = EpciFactory(siren=LARGE, name="CA de vingt-quatre communes")
    rp, filosofi = [RP_HEADER], [FILOSOFI_HEADER]
    for index in range(27):
        code = f"81{index + 100:03d}"
        epci = small if index < 3 else large
        CommuneFactory(
            code=code, name=f"Commune {index}", departement=tarn, epci=epci, population=1000 + index
        )
        rp.append(f"{code};{1000 + index};200;150;200;200;150;80;20")
        if index % 2:
            filosofi.append(f"{code};400;900;21000;15,0;5,0")
    import_dataset(write(tmp_path, "dossier_complet.csv", rp))
    import_dataset(write(tmp_path, "cc_filosofi_2021_COM.csv", filosofi))
    yield {SMALL: small, LARGE: large}
    engine.reset()


def count_queries(client, url) -> int:
    client.get(url)  # warm: the engine's commune table is loaded once per process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_public_portrait_of_an_epci(client, two_epci):
    counts = {
        siren: count_queries(client, reverse("diagnostics:territory", args=[siren])) for siren in two_epci
    }
    assert counts[SMALL] == counts[LARGE] <= MAX_QUERIES["epci"], counts


def test_public_portrait_of_a_commune(client, two_epci):
    assert count_queries(client, reverse("diagnostics:territory", args=["81100"])) <= MAX_QUERIES["commune"]


def test_commune_csv(client, two_epci):
    counts = {
        siren: count_queries(client, reverse("diagnostics:communes_csv", args=[siren])) for siren in two_epci
    }
    assert counts[SMALL] == counts[LARGE] <= MAX_QUERIES["csv"], counts


def test_dossier_diagnostic_tab(client, two_epci):
    user = UserFactory(email="lecture@test.fr")
    client.force_login(user)
    counts = {}
    for siren, epci in two_epci.items():
        ctg = CtgFactory(epci=epci, communes=list(epci.communes.all()))
        MembershipFactory(ctg=ctg, user=user, role=Role.LECTURE)
        counts[siren] = count_queries(client, reverse("diagnostics:ctg", args=[ctg.pk]))
    assert counts[SMALL] == counts[LARGE] <= MAX_QUERIES["dossier"], counts

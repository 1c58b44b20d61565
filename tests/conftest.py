import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ctg.organisations.models import Organisation
from ctg.organisations.permissions import Role
from tests.factories import (
    CommuneFactory,
    CtgFactory,
    DepartementFactory,
    EpciFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def postgres_readable_tmp():
    """A temporary folder that the `postgres` user can traverse (pytest's own are private to root), for the
    benches that start a throwaway PostgreSQL cluster in TMPDIR; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="ctg-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def fresh_statistics_engine():
    """The portrait engine caches the commune table and results per process: each test starts afresh."""
    from ctg.diagnostics import engine

    engine.reset()
    yield
    engine.reset()


@pytest.fixture(autouse=True)
def no_portrait_cache(settings):
    """Each test computes its portraits (tests/diagnostics/test_portrait_cache.py turns the cache on)."""
    settings.CTG_PORTRAIT_CACHE = ""


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path_factory):
    """Uploaded and generated files (signed scans, conventions, attachments) go to a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    """A dossier with one person per role, plus people who must not see it."""

    ctg: object
    other_ctg: object
    users: dict = field(default_factory=dict)


@pytest.fixture
def world(db):
    tarn = DepartementFactory(code="81", name="Tarn")
    aude = DepartementFactory(code="11", name="Aude", region=tarn.region)
    caf = OrganisationFactory(kind=Organisation.Kind.CAF, name="CAF du Tarn", departement=tarn)
    caf_aude = OrganisationFactory(kind=Organisation.Kind.CAF, name="CAF de l'Aude", departement=aude)
    epci = EpciFactory(name="CC du Test")
    communes = [CommuneFactory(epci=epci, departement=tarn, population=1000 * (i + 1)) for i in range(3)]
    ctg = CtgFactory(caf=caf, epci=epci, communes=communes, title="CTG du Test 2025-2028")
    other_epci = EpciFactory(name="CC Voisine")
    other_ctg = CtgFactory(
        caf=caf_aude,
        epci=other_epci,
        communes=[CommuneFactory(epci=other_epci, departement=aude)],
        title="CTG voisine",
    )
    users = {
        "pilote_caf": UserFactory(email="pilote@caf.fr", organisation=caf),
        "coordination": UserFactory(email="coordination@epci.fr"),
        "referent_communal": UserFactory(email="referent@commune.fr"),
        "partenaire": UserFactory(email="partenaire@asso.fr"),
        "lecture": UserFactory(email="elu@epci.fr"),
        "other_member": UserFactory(email="membre@ailleurs.fr"),
        "other_caf": UserFactory(email="pilote@caf-aude.fr", organisation=caf_aude),
    }
    for role in (Role.COORDINATION, Role.REFERENT_COMMUNAL, Role.PARTENAIRE, Role.LECTURE):
        membership = MembershipFactory(ctg=ctg, user=users[role], role=role)
        if role == Role.REFERENT_COMMUNAL:
            membership.communes.set(communes[:1])
    MembershipFactory(ctg=other_ctg, user=users["other_member"], role=Role.COORDINATION)
    return World(ctg=ctg, other_ctg=other_ctg, users=users)

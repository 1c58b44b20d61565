"""The demo of the dashboard: the Département's reader and fictitious dossiers in every state, loaded once,
all labelled fictitious on the page."""

from django.urls import reverse

from ctg.conventions.models import Ctg
from ctg.dashboard.dashboard import State, build_dashboard
from ctg.demo.dashboard import DOSSIERS, READER, load_demo_dashboard
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import PlatformRole, platform_role
from ctg.territories.models import Epci
from tests.factories import (
    CommuneFactory,
    CtgFactory,
    DepartementFactory,
    EpciFactory,
    OrganisationFactory,
    UserFactory,
)


def test_demo_dashboard(client, db):
    tarn = DepartementFactory(code="81", name="Tarn")
    caf = OrganisationFactory(kind=Organisation.Kind.CAF, name="CAF du Tarn", departement=tarn)
    council = OrganisationFactory(
        kind=Organisation.Kind.DEPARTEMENT, name="Département du Tarn", departement=tarn
    )
    pilot = UserFactory(email="pilote.caf@demo.invalid", organisation=caf)
    for n, (siren, *_rest) in enumerate(DOSSIERS):
        epci = EpciFactory(siren=siren, name=f"EPCI {siren}")
        for i in range(2):
            CommuneFactory(code=f"817{n}{i}", epci=epci, departement=tarn)

    # A real dossier on the CC Carmausin-Ségala: its fictitious one is not created.
    real_epci = Epci.objects.get(siren="200040905")
    CtgFactory(
        caf=caf, epci=real_epci, communes=list(real_epci.communes.all()), start_year=2020, end_year=2035
    )
    created = load_demo_dashboard(caf=caf, departement_organisation=council, actor=pilot)
    assert len(created) == 4 and all(c.is_fictitious and "(fictive)" in c.title for c in created)
    assert load_demo_dashboard(caf=caf, departement_organisation=council, actor=pilot) == []
    assert Ctg.objects.filter(is_fictitious=True).count() == 4

    states = {r.siren: r.state for r in build_dashboard("81")["rows"]}
    assert states == {
        "200034049": State.EXPIRING,
        "248100430": State.SIGNED,
        "248100497": State.PREPARATION,  # the renewal of its ended CTG
        "200040905": State.PREPARATION,  # the real dossier (unsigned)
    }
    reader = Organisation.objects.get(pk=council.pk).people.get(email=READER[0])
    assert platform_role(reader) == PlatformRole.DEPARTEMENT_READER
    client.force_login(reader)
    html = client.get(reverse("dashboard:departement", args=["81"])).content.decode()
    assert 'data-fictitious="4"' in html and "lecture seule" in html

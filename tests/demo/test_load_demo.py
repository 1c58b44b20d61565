import pytest
from django.core.management import CommandError, call_command

from ctg.conventions.models import Ctg, Status
from ctg.organisations.models import User
from tests.factories import CommuneFactory, DepartementFactory, EpciFactory


@pytest.fixture
def albigeois(db):
    tarn = DepartementFactory(code="81", name="Tarn")
    epci = EpciFactory(siren="248100737", name="CA de l'Albigeois (C2A)", nature="CA")
    CommuneFactory(code="81004", name="Albi", epci=epci, departement=tarn, population=51290)
    CommuneFactory(code="81257", name="Saint-Juéry", epci=epci, departement=tarn, population=6564)
    return epci


def test_demo_is_advanced_fictitious_and_idempotent(albigeois, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "pilote.caf@demo.invalid" in out and "demo-ctg-2026" in out
    ctg = Ctg.objects.get()
    assert ctg.is_fictitious and ctg.status == Status.MISE_EN_OEUVRE and ctg.epci == albigeois
    assert ctg.milestones.count() >= 8 and ctg.signatories.count() == 3
    assert set(ctg.memberships.values_list("role", flat=True)) == {
        "coordination",
        "referent_communal",
        "partenaire",
        "lecture",
    }
    call_command("load_demo")
    assert "déjà présent" in capsys.readouterr().out
    assert Ctg.objects.count() == 1 and User.objects.filter(email__endswith="@demo.invalid").count() == 6


def test_demo_home_says_it_is_fictitious(albigeois, client):
    call_command("load_demo")
    client.login(username="elu@demo.invalid", password="demo-ctg-2026")
    ctg = Ctg.objects.get()
    page = client.get(f"/ctg/{ctg.pk}/").content.decode()
    assert "Dossier de démonstration" in page and "fictifs" in page


def test_demo_needs_the_referentiel(db):
    with pytest.raises(CommandError, match="ctg load_territories"):
        call_command("load_demo")

"""The demo dossier (every app filled through its services) on a small Albigeois, for the archive's tests."""

import io

import pytest
from django.core.management import call_command

from ctg.demo.loader import demo_dossier
from tests.factories import CommuneFactory, DepartementFactory, EpciFactory


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    tarn = DepartementFactory(code="81", name="Tarn")
    epci = EpciFactory(siren="248100737", name="CA de l'Albigeois (C2A)", nature="CA")
    CommuneFactory(code="81004", name="Albi", epci=epci, departement=tarn, population=51290)
    CommuneFactory(code="81257", name="Saint-Juéry", epci=epci, departement=tarn, population=6564)
    call_command("load_demo", stdout=io.StringIO())
    return demo_dossier()

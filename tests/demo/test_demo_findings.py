"""The demo's findings of the diagnostic (issue 13): fictitious, of every kind, cited by the plan's enjeux,
loaded once."""

import pytest
from django.core.management import call_command

from ctg.demo.loader import demo_dossier
from ctg.findings.models import Finding
from tests.factories import CommuneFactory, DepartementFactory, EpciFactory


@pytest.fixture
def albigeois(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    tarn = DepartementFactory(code="81", name="Tarn")
    epci = EpciFactory(siren="248100737", name="CA de l'Albigeois (C2A)", nature="CA")
    CommuneFactory(code="81004", name="Albi", epci=epci, departement=tarn, population=51290)
    CommuneFactory(code="81257", name="Saint-Juéry", epci=epci, departement=tarn, population=6564)
    return epci


def test_demo_findings(albigeois, capsys):
    call_command("load_demo")
    ctg = demo_dossier()
    findings = Finding.objects.filter(ctg=ctg)
    assert findings.count() >= 8
    assert set(findings.values_list("kind", flat=True)) == set(Finding.Kind.values)
    assert all(findings.values_list("is_fictitious", flat=True))
    assert findings.get(source_kind="offre", source_ref="petite_enfance").communes.get().code == "81257"
    # Every enjeu of the demo plan is grounded by at least one finding.
    assert all(enjeu.findings.exists() for enjeu in ctg.enjeux.all())
    call_command("load_demo")
    assert Finding.objects.filter(ctg=ctg).count() == findings.count()

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from ctg.conventions.models import Ctg, Phase
from ctg.demo.loader import demo_dossier
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.portrait import build_portrait, resolve_territory
from ctg.evaluation.models import BilanAnnuel, FinalEvaluation
from ctg.governance.models import Meeting
from ctg.organisations.models import User
from ctg.plans.models import BudgetLine, FicheAction, IndicatorValue
from tests.factories import CommuneFactory, DepartementFactory, EpciFactory


@pytest.fixture
def albigeois(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    tarn = DepartementFactory(code="81", name="Tarn")
    epci = EpciFactory(siren="248100737", name="CA de l'Albigeois (C2A)", nature="CA")
    CommuneFactory(code="81004", name="Albi", epci=epci, departement=tarn, population=51290)
    CommuneFactory(code="81257", name="Saint-Juéry", epci=epci, departement=tarn, population=6564)
    return epci


def test_demo_is_advanced_fictitious_and_idempotent(albigeois, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "pilote.caf@demo.invalid" in out and "demo-ctg-2026" in out
    ctg = demo_dossier()
    assert ctg.is_fictitious and ctg.phase == Phase.MISE_EN_OEUVRE and ctg.epci == albigeois
    assert ctg.milestones.count() >= 8 and ctg.signatories.count() == 3
    assert set(ctg.memberships.values_list("role", flat=True)) == {
        "coordination",
        "referent_communal",
        "partenaire",
        "lecture",
    }
    call_command("load_demo")
    assert "déjà présent" in capsys.readouterr().out
    # The current dossier and the previous CTG it renews, once.
    assert Ctg.objects.count() == 2 and User.objects.filter(email__endswith="@demo.invalid").count() == 7


def test_demo_home_says_it_is_fictitious(albigeois, client):
    call_command("load_demo")
    client.login(username="elu@demo.invalid", password="demo-ctg-2026")
    ctg = demo_dossier()
    page = client.get(f"/ctg/{ctg.pk}/").content.decode()
    assert "Dossier de démonstration" in page and "fictifs" in page


def test_demo_needs_the_referentiel(db):
    with pytest.raises(CommandError, match="ctg load_territories"):
        call_command("load_demo")


def test_demo_diagnostic_is_filled_with_statistics_labelled_fictitious(albigeois, capsys):
    call_command("load_demo")
    assert "Statistiques fictives chargées" in capsys.readouterr().out
    assert DatasetImport.objects.filter(is_fictitious=True).count() == 3
    portrait = build_portrait(resolve_territory("248100737"))
    assert portrait.is_fictitious and len(portrait.fictitious_datasets) == 3
    population = portrait.result("population").value
    assert population.status == "ok" and population.value == pytest.approx(51290 + 6564)
    assert portrait.result("revenu_median_uc").value.status == "non_disponible"  # never aggregated
    assert build_portrait(resolve_territory("81004")).result("revenu_median_uc").value.value > 0
    # Loaded once: a second run keeps the store as it is.
    call_command("load_demo")
    assert "Statistiques fictives" not in capsys.readouterr().out
    assert DatasetImport.objects.count() == 3


def test_a_real_import_replaces_the_fictitious_vintage(albigeois, tmp_path):
    call_command("load_demo")
    real = tmp_path / "cc_filosofi_2021_COM.csv"
    real.write_text(
        "CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;TP6021;PPSOC21\n81004;23612;45331;21650;20,0;7,4\n"
    )
    call_command("import_data", str(real))
    portrait = build_portrait(resolve_territory("81004"))
    assert "Insee, FiLoSoFi – communes 2021" not in portrait.fictitious_datasets
    assert portrait.result("revenu_median_uc").value.value == 21650


def test_every_view_of_fictitious_statistics_says_so(albigeois, client):
    call_command("load_demo")
    page = client.get("/portrait/248100737/").content.decode()
    assert "Statistiques fictives" in page
    csv_text = client.get("/portrait/248100737/communes.csv").content.decode("utf-8-sig")
    assert "FICTIVES (démonstration)" in csv_text.splitlines()[1]
    pdf = client.get("/portrait/248100737/pdf/").content
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "STATISTIQUES FICTIVES" in text
    client.login(username="elu@demo.invalid", password="demo-ctg-2026")
    ctg = demo_dossier()
    assert "Statistiques fictives" in client.get(f"/portrait/ctg/{ctg.pk}/").content.decode()


def test_demo_plan_has_its_enjeux_fiches_budgets_indicators_and_a_validated_bilan(albigeois):
    call_command("load_demo")
    ctg = demo_dossier()
    assert ctg.enjeux.count() >= 4 and FicheAction.objects.filter(ctg=ctg).count() >= 12
    assert len({f for fiche in ctg.fiches.all() for f in fiche.fields}) >= 4
    assert BudgetLine.objects.filter(fiche__ctg=ctg).values("funder").distinct().count() >= 4
    assert IndicatorValue.objects.filter(indicator__fiche__ctg=ctg, kind="target").exists()
    assert IndicatorValue.objects.filter(indicator__fiche__ctg=ctg, kind="realised").exists()
    bilan = BilanAnnuel.objects.get(ctg=ctg, year=ctg.start_year)
    assert bilan.status == "valide" and bilan.validated_by.email == "coordination@demo.invalid"
    call_command("load_demo")
    # The twelve fiches of the demo plan and the one carried over from the previous CTG.
    assert FicheAction.objects.filter(ctg=ctg).count() == 13


def test_demo_renews_a_closed_previous_ctg_evaluated_and_validated_by_its_copil(albigeois, client):
    call_command("load_demo")
    ctg = demo_dossier()
    previous = ctg.previous
    assert previous is not None and previous.is_fictitious and previous.phase == Phase.CLOSE
    assert "fictive" in previous.title and previous.end_year == ctg.start_year - 1
    evaluation = FinalEvaluation.objects.get(ctg=previous)
    assert evaluation.validated_at is not None and evaluation.decision.meeting.body.kind == "copil"
    assert evaluation.decision.meeting.status == Meeting.Status.HELD
    # Only the unfinished fiche is carried over, with its indicator: its baseline is the last realised value.
    carried = ctg.fiches.get(carried_from__isnull=False)
    assert carried.carried_from.ctg == previous and carried.carried_from.status == FicheAction.Status.EN_COURS
    indicator = carried.indicators.get()
    assert indicator.baseline_value == 9 and indicator.baseline_year == previous.start_year + 3
    # The coordinator sees the previous CTG's conclusions from the new diagnostic, and the comparison page.
    client.login(username="coordination@demo.invalid", password="demo-ctg-2026")
    page = client.get(reverse("documents:diagnostic", args=[ctg.pk])).content.decode()
    assert "Ce que l'évaluation finale de la CTG précédente a conclu" in page and "ne couvrait" in page
    comparison = client.get(reverse("evaluation:comparison", args=[ctg.pk])).content.decode()
    assert escape(previous.title) in comparison

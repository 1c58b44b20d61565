"""Issue 12, « Done when »: a CAF adviser, on a real territory (CC Tarn-Agout, Tarn), from the real France
Services list plus crèches entered by form, sees the offer, the needs and the white zones, from the UI and
the CLI, then simulates a new micro-crèche in a white zone and turns it into a fiche action. The expected
figures are computed here from the raw published file."""

import csv
import json

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ctg.conventions import services
from ctg.offer.models import Scenario, Structure, StructureEvent
from ctg.plans.models import FicheAction
from ctg.territories.importer import import_territories
from ctg.territories.models import Epci
from tests.conftest import PASSWORD
from tests.plans.factories import OperationalObjectiveFactory

from .axe import assert_accessible
from .test_tarn_agout_renewal import SHARED_DATA, TARN_AGOUT, plain, tarn_caf

FRANCE_SERVICES = SHARED_DATA / "anct-france-services" / "liste-fs.csv"

pytestmark = [pytest.mark.shared_data]


def require_shared_data() -> None:
    if not FRANCE_SERVICES.is_file() or not (SHARED_DATA / "cog-decoupage-administratif").is_dir():
        pytest.skip(f"Données partagées absentes : {SHARED_DATA} (fichiers publiés, présents en CI)")


def raw_sites() -> list[dict]:
    with FRANCE_SERVICES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def add_structure_through_the_form(page, base: str, *, kind: str, name: str, commune: str, places: int):
    page.goto(f"{base}/offre/")
    page.get_by_role("link", name="Ajouter une structure").click()
    page.get_by_label("Type", exact=True).select_option(label=kind)
    page.get_by_label("Nom", exact=True).fill(name)
    page.get_by_label("Commune", exact=True).select_option(label=commune)
    page.get_by_label("Capacité (places)").fill(str(places))
    page.get_by_label("Horaires d'ouverture").fill("Mo-Fr 07:30-18:30")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la structure").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def test_tarn_agout_offer_needs_and_white_zones(
    transactional_db, page, live_server, login, settings, tmp_path, capsys
):
    require_shared_data()
    settings.DATA_DIR = tmp_path / "data"
    # The whole COG 2026: the list covers every département.
    import_territories(SHARED_DATA / "cog-decoupage-administratif", progress=False)
    epci = Epci.objects.get(pk=TARN_AGOUT)
    codes = set(epci.communes.values_list("code", flat=True))
    expected_fs = sorted(row["lib_fs"] for row in raw_sites() if row["insee_com"] in codes)
    assert expected_fs, "la liste publiée compte des France Services à Tarn-Agout"

    # The administrator imports the real list from the command line; the Tarn keeps every row of the file.
    call_command("offer_import", str(FRANCE_SERVICES))
    tarn_rows = sum(1 for row in raw_sites() if row["insee_dep"] == "81")
    assert Structure.objects.filter(commune__departement_id="81").count() == tarn_rows

    caf, adviser = tarn_caf("conseillere@caf81.fr")
    ctg = services.ctg_create(
        actor=adviser,
        title="CTG Tarn-Agout 2023-2026",
        caf=caf,
        start_year=2023,
        end_year=2026,
        fields=["petite_enfance", "enfance", "jeunesse", "acces_droits"],
        epci=epci,
    )
    login(adviser.email, PASSWORD)
    base = f"{live_server.url}/portrait/ctg/{ctg.pk}"

    # 1. The offer: the France Services of the territory, as listed by the ANCT.
    page.goto(f"{base}/offre/?type=france_services")
    expect(page.locator(".ctg-count")).to_contain_text(f"{len(expected_fs)} structure")
    for name in expected_fs:
        expect(page.get_by_role("rowheader", name=name, exact=False).first).to_be_visible()
    assert_accessible(page, "Offre de services de Tarn-Agout")

    # 2. Two crèches entered by form (no open file lists them), each recorded in the structure's history.
    add_structure_through_the_form(
        page,
        base,
        kind="EAJE – micro-crèche",
        name="Micro-crèche Les Lutins",
        commune="Lavaur (81140)",
        places=12,
    )
    add_structure_through_the_form(
        page,
        base,
        kind="EAJE – multi-accueil",
        name="Multi-accueil du Pastel",
        commune="Saint-Sulpice-la-Pointe (81271)",
        places=30,
    )
    entered = Structure.objects.filter(source="saisie", commune__epci=epci)
    assert sorted(entered.values_list("capacity", flat=True)) == [12, 30]
    assert StructureEvent.objects.filter(structure__in=entered, actor=adviser, kind="creation").count() == 2

    # 3. Needs versus offer: the 42 places of the inventory beside the portrait's demand.
    page.goto(f"{base}/offre/besoins/")
    petite_enfance = page.locator("tr").filter(has=page.get_by_role("rowheader", name="Petite enfance"))
    assert "42 places" in plain(petite_enfance.inner_text())
    # White zones of the micro-crèches: the communes more than 10 km from Lavaur, page and CLI alike.
    cli = tmp_path / "needs.json"
    call_command("needs", TARN_AGOUT, "--json", stdout=cli.open("w", encoding="utf-8"))
    needs = json.loads(cli.read_text(encoding="utf-8"))
    zones = {zone["type"]: zone for zone in needs["white_zones"]["types"]}
    micro = zones["eaje_micro_creche"]
    assert micro["white_zones"], "des communes de Tarn-Agout sont à plus de 10 km de Lavaur"
    caption = page.locator("caption").filter(has_text="EAJE – micro-crèche")
    expect(caption).to_contain_text(f"{len(micro['white_zones'])} commune")
    for commune in micro["white_zones"]:
        row = page.get_by_role("rowheader", name=f"{commune['name']} ({commune['code']})")
        expect(row.first).to_be_visible()
    assert "vol d'oiseau" in plain(page.content())
    assert_accessible(page, "Besoins et offre de Tarn-Agout")

    # 4. The scenario: a 12-place micro-crèche, opening in 2026, in the white zone farthest from Lavaur.
    far = micro["white_zones"][0]
    page.get_by_role("link", name="Simuler une nouvelle structure").click()
    page.get_by_label("Nom du scénario").fill(f"Micro-crèche de 12 places à {far['name']}")
    page.get_by_label("Type de structure").select_option("eaje_micro_creche")
    page.get_by_label("Nombre de places").fill("12")
    page.get_by_label("Commune d'implantation").select_option(far["code"])
    page.get_by_label("Année d'ouverture").fill("2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le scénario").click()
    scenario = Scenario.objects.get(ctg=ctg)
    expect(page.get_by_role("heading", name="Structures du scénario")).to_be_visible()
    text = plain(page.content())
    assert "simulé" in text and "54" in text  # places of the territory: 42 before, 54 after
    # The commune leaves the white zones of its type: the CLI says the same without saving anything.
    cli = tmp_path / "scenario.json"
    call_command(
        "offer_scenario",
        TARN_AGOUT,
        "--type",
        "micro_creche",
        "--places",
        "12",
        "--commune",
        far["code"],
        "--year",
        "2026",
        "--json",
        stdout=cli.open("w", encoding="utf-8"),
    )
    simulated = json.loads(cli.read_text(encoding="utf-8"))
    assert far["code"] in json.dumps(simulated)
    assert Scenario.objects.count() == 1
    assert_accessible(page, "Scénario à Tarn-Agout")

    # 5. One click more: the fiche action of the plan, with its indicator's baseline and target.
    OperationalObjectiveFactory(strategic__enjeu__ctg=ctg)
    page.get_by_role("link", name="Transformer en fiche action").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Transformer en fiche action").click()
    fiche = FicheAction.objects.get(ctg=ctg)
    assert fiche.source_scenario == scenario
    expect(page.get_by_text("Issue du scénario «")).to_be_visible()
    indicator = fiche.indicators.get()
    target = indicator.values.get(kind="target")
    assert (indicator.baseline_value, target.year, target.value) == (42, 2026, 54)

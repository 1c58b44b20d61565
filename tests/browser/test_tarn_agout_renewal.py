"""The real CTG of CC Tarn-Agout (Tarn, 81: Lavaur, Saint-Sulpice-la-Pointe… and Azas in the Haute-Garonne)
renewed through the UI. The 2019-2022 CTG, signed by the CAF du Tarn and the EPCI and now in its évaluation,
is built with the project's services; the CAF du Tarn adviser then renews it from its synthèse: 2022-2025 is
refused (it overlaps 2019-2022 on the same communes), 2023-2026 is created and linked to it. She imports the
Tarn statistics as published (../shared/data/example-81-tarn) through the import page (upload, preview,
« Confirmer l'import »); the portrait of the new dossier gives the figures computed from the raw files with
honest statuses (the CAF recipients cover Lavaur only: « Partiel », never a whole figure; the census misses
Azas, outside the Tarn file), then the dossier moves to diagnostic and plan d'action. Every main page passes
axe-core."""

import csv
import datetime
import html
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ctg.conventions import services
from ctg.conventions.models import Ctg, Phase
from ctg.diagnostics.models import DatasetImport
from ctg.organisations.models import Organisation
from ctg.territories.importer import import_territories
from ctg.territories.models import Departement, Epci
from tests.conftest import PASSWORD
from tests.factories import OrganisationFactory, UserFactory

from .axe import assert_accessible
from .conftest import JOB_TIMEOUT_MS

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
COG = SHARED_DATA / "cog-decoupage-administratif"
TARN = SHARED_DATA / "example-81-tarn"
TARN_FILES = (
    "dossier_complet_light_81.csv",
    "cc_filosofi_2021_COM_81.csv",
    "inseecaf2021_81.csv",
    "BASE_TD_FILO_IRIS_2021_DEC_81.csv",
)
TARN_AGOUT, LAVAUR = "200034023", "81140"
OLD_TITLE, NEW_TITLE = "CTG Tarn-Agout 2019-2022", "CTG Tarn-Agout 2023-2026"
CENSUS_BANDS = ("P22_POP0014", "P22_POP1529", "P22_POP3044", "P22_POP4559", "P22_POP6074", "P22_POP7589")

pytestmark = [pytest.mark.shared_data]


def require_shared_data() -> None:
    if not (COG / "communes.json").is_file() or not TARN.is_dir():
        pytest.skip(f"Données partagées absentes : {SHARED_DATA} (fichiers publiés, présents en CI)")


def cog_cut(folder: Path, departements=("81", "87")) -> Path:
    """The COG of 2026 cut to the communes of `departements` and of the EPCI that reach into them (Azas,
    31038, is a commune of Tarn-Agout), with every région and département."""
    epcis = [
        epci
        for epci in json.loads((COG / "epci.json").read_text(encoding="utf-8"))
        if any(member["code"][:2] in departements for member in epci["membres"])
    ]
    members = {member["code"] for epci in epcis for member in epci["membres"]}
    communes = [
        commune
        for commune in json.loads((COG / "communes.json").read_text(encoding="utf-8"))
        if commune["departement"] in departements
        or commune["code"] in members
        or commune.get("chefLieu") in members
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "communes.json").write_text(json.dumps(communes), encoding="utf-8")
    (folder / "epci.json").write_text(json.dumps(epcis), encoding="utf-8")
    for name in ("regions.json", "departements.json"):
        (folder / name).write_bytes((COG / name).read_bytes())
    return folder


def plain(text: str) -> str:
    """The text as a reader sees it: entities decoded, no-break spaces as spaces."""
    return re.sub(r"[\u00a0\u202f ]+", " ", html.unescape(text))


def figure(value: float) -> str:
    """A count as the portrait prints it: « 2 280 »."""
    return f"{round(value):,}".replace(",", " ")


def raw_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def import_through_the_page(page, base_url: str, path: Path, *, check_accessibility: bool = False) -> None:
    """Upload → preview (nothing written) → « Confirmer l'import », as a CAF adviser does it."""
    before = DatasetImport.objects.count()
    page.goto(f"{base_url}/statistiques/import/")
    page.get_by_label("Fichier CSV officiel").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier avant d'importer").click()
    expect(page.get_by_role("heading", name=f"Vérifier l'import de {path.name}")).to_be_visible()
    assert DatasetImport.objects.count() == before  # the preview writes nothing
    if check_accessibility:
        assert_accessible(page, f"Vérifier l'import de {path.name}")
    page.get_by_role("button", name="Confirmer l'import").click()  # a job, its result shown in place
    expect(page.locator("#job-area")).to_contain_text(f"{path.name} importé", timeout=JOB_TIMEOUT_MS)
    assert DatasetImport.objects.count() > before


def portrait_row(page, indicator: str):
    """The indicator's row of the portrait's tables (folded in their theme's accordion, hence hidden)."""
    header = page.get_by_role("rowheader", name=indicator, exact=True, include_hidden=True)
    return page.locator("tr").filter(has=header).first


def tarn_caf(adviser_email: str):
    tarn = Departement.objects.get(code="81")
    caf = OrganisationFactory(kind=Organisation.Kind.CAF, name="CAF du Tarn", departement=tarn)
    return caf, UserFactory(email=adviser_email, first_name="Sophie", last_name="Cabrol", organisation=caf)


def signed_ctg_in_evaluation(*, adviser, caf, epci) -> Ctg:
    """The 2019-2022 CTG as it went, through the services: created, signed by the CAF and the EPCI on
    4 July 2019, then each phase in turn up to the évaluation."""
    ctg = services.ctg_create(
        actor=adviser,
        title=OLD_TITLE,
        caf=caf,
        start_year=2019,
        end_year=2022,
        fields=["petite_enfance", "enfance", "jeunesse", "parentalite"],
        epci=epci,
    )
    epci_org = Organisation.objects.get(kind=Organisation.Kind.EPCI, epci=epci)
    signatories = [
        services.signatory_add(
            ctg=ctg,
            actor=adviser,
            organisation=caf,
            signer_name="La directrice",
            signer_capacity="Directrice",
        ),
        services.signatory_add(
            ctg=ctg,
            actor=adviser,
            organisation=epci_org,
            signer_name="Le président",
            signer_capacity="Président",
        ),
    ]
    services.signatures_record(
        ctg=ctg, actor=adviser, signatories=signatories, signed_on=datetime.date(2019, 7, 4)
    )
    for phase in (Phase.DIAGNOSTIC, Phase.PLAN_ACTION, Phase.MISE_EN_OEUVRE, Phase.EVALUATION):
        ctg = services.ctg_transition(ctg=ctg, actor=adviser, to=phase)
    ctg.refresh_from_db()
    assert ctg.is_signed and ctg.phase == Phase.EVALUATION
    return ctg


def test_tarn_agout_renewed_then_its_portrait_on_the_tarn_files(
    transactional_db, page, live_server, login, settings, tmp_path
):
    require_shared_data()
    settings.DATA_DIR = tmp_path / "data"
    import_territories(cog_cut(tmp_path / "cog", ("81",)), progress=False)
    epci = Epci.objects.get(pk=TARN_AGOUT)
    assert epci.name == "CC Tarn-Agout"
    assert {"Lavaur", "Saint-Sulpice-la-Pointe", "Azas"} <= {c.name for c in epci.communes.all()}
    caf, adviser = tarn_caf("conseillere@caf81.fr")
    old = signed_ctg_in_evaluation(adviser=adviser, caf=caf, epci=epci)
    communes = epci.communes.count()

    login(adviser.email, PASSWORD)
    base = live_server.url

    # 1. The 2019-2022 CTG in its évaluation, in the dossier list and its synthèse.
    page.goto(f"{base}/ctg/")
    expect(page.get_by_role("link", name=OLD_TITLE)).to_be_visible()
    assert_accessible(page, "Liste des dossiers")
    page.get_by_role("link", name=OLD_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OLD_TITLE)
    expect(page.locator(".fr-stepper__title")).to_have_text("Étape 5 sur 5 : Évaluation")
    expect(page.get_by_text("Convention complète signée le 4 juillet 2019").first).to_be_visible()
    assert_accessible(page, "Synthèse de la CTG 2019-2022 en évaluation")

    # 2. The renewal: the form proposes the next four years; 2022-2025 overlaps 2019-2022 and is refused.
    page.get_by_role("link", name="Renouveler la CTG").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Renouveler la CTG")
    expect(page.get_by_label("Année de début")).to_have_value("2023")
    expect(page.get_by_label("Année de fin")).to_have_value("2026")
    assert_accessible(page, "Renouveler la CTG")
    page.get_by_label("Année de début").fill("2022")
    page.get_by_label("Année de fin").fill("2025")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le dossier de renouvellement").click()
    refusal = (
        "Une CTG existe déjà sur ce territoire pour une période qui chevauche 2022-2025 : "
        f"« {OLD_TITLE} » (2019-2022) couvre déjà {communes} communes"
    )
    assert refusal in plain(page.content())
    assert list(Ctg.objects.values_list("title", flat=True)) == [OLD_TITLE]  # nothing created
    assert_accessible(page, "Renouvellement refusé")

    page.get_by_label("Année de début").fill("2023")
    page.get_by_label("Année de fin").fill("2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le dossier de renouvellement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)
    created = f"Le dossier « {NEW_TITLE} » est créé pour la période 2023-2026."
    expect(page.get_by_text(created)).to_be_visible()
    new = Ctg.objects.get(title=NEW_TITLE)
    assert (new.previous, new.epci_id, new.start_year, new.end_year) == (old, TARN_AGOUT, 2023, 2026)
    assert new.phase == Phase.PREPARATION and not new.is_signed
    expect(page.locator(".fr-stepper__title")).to_have_text("Étape 1 sur 5 : Préparation")
    expect(page.get_by_text("Convention complète non signée").first).to_be_visible()
    assert set(new.communes.all()) == set(old.communes.all()) and new.fields == old.fields
    assert_accessible(page, "Synthèse du dossier de renouvellement")

    page.goto(f"{base}/ctg/{old.pk}/")
    expect(page.get_by_role("link", name=NEW_TITLE)).to_be_visible()  # « Renouvelée par »
    expect(page.get_by_role("link", name="Renouveler la CTG")).to_have_count(0)  # renewed once only
    page.get_by_role("link", name="Historique", exact=True).click()
    expect(page.get_by_role("table")).to_contain_text(f"Renouvelée par « {NEW_TITLE} » (2023-2026)")

    # 3. The Tarn statistics, as published, through the import page.
    for index, name in enumerate(TARN_FILES):
        import_through_the_page(page, base, TARN / name, check_accessibility=index == 0)
    assert_accessible(page, "Import de statistiques, après confirmation")
    assert {record.imported_by for record in DatasetImport.objects.all()} == {adviser}
    assert all(record.departements == ["81"] for record in DatasetImport.objects.all())

    # 4. The portrait of the new dossier: figures from the raw files, statuses that say what they cover.
    census = {row["CODGEO"]: row for row in raw_rows(TARN / "dossier_complet_light_81.csv")}
    codes = set(new.communes.values_list("code", flat=True))
    in_tarn = codes & set(census)
    assert codes - in_tarn == {"31038"}  # Azas, in the Haute-Garonne
    population = sum(float(census[code][band]) for code in in_tarn for band in (*CENSUS_BANDS, "P22_POP90P"))
    caf_rows = [row for row in raw_rows(TARN / "inseecaf2021_81.csv") if row["iris_code"][:5] in codes]
    assert {row["iris_code"][:5] for row in caf_rows} == {LAVAUR}
    assert all(row["note"] == "0" and row["a"] for row in caf_rows)
    allocataires = sum(float(row["a"]) for row in caf_rows)

    page.goto(f"{base}/ctg/{new.pk}/")
    page.get_by_role("link", name="Diagnostic", exact=True).click()
    expect(page.get_by_role("link", name="Diagnostic", exact=True)).to_have_attribute("aria-current", "page")
    foyers = portrait_row(page, "Foyers allocataires")
    expect(foyers.locator(".fr-badge")).to_have_text("Partiel")  # never shown as a whole figure
    row_text = plain(foyers.text_content())
    assert f"{figure(allocataires)} foyers" in row_text
    assert "Partiel" in row_text and f"1 commune sur {communes}" in row_text
    assert "absente du fichier" in row_text
    census_row = plain(portrait_row(page, "Population (recensement)").text_content())
    assert f"{figure(population)} hab." in census_row
    assert "Partiel" in census_row and f"{len(in_tarn)} communes sur {communes}" in census_row
    assert_accessible(page, "Diagnostic du dossier de renouvellement")

    # 5. The diagnostic phase, then the plan d'action with its first enjeu.
    page.get_by_role("link", name="Synthèse").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Passer à « Diagnostic »").click()
    expect(page.get_by_text("Le dossier passe à la phase « Diagnostic ».")).to_be_visible()
    assert_accessible(page, "Synthèse en diagnostic")
    with page.expect_navigation():
        page.get_by_role("button", name="Passer à « Plan d'action »").click()
    expect(page.get_by_text("Le dossier passe à la phase « Plan d'action ».")).to_be_visible()
    new.refresh_from_db()
    assert new.phase == Phase.PLAN_ACTION
    expect(page.locator(".fr-stepper__title")).to_have_text("Étape 3 sur 5 : Plan d'action")

    page.get_by_role("link", name="Plan d'action", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan d'action")
    page.get_by_role("link", name="Ajouter un enjeu").click()
    page.locator("#id_title").fill("Accès aux modes d'accueil du jeune enfant à Lavaur")
    page.get_by_text("Petite enfance (0-3 ans)").click()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("L'enjeu est ajouté.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Enjeu 1 — Accès aux modes d'accueil du jeune enfant à Lavaur")
    ).to_be_visible()
    assert_accessible(page, "Plan d'action")

    page.get_by_role("link", name="Historique", exact=True).click()
    table = page.get_by_role("table")
    expect(table).to_contain_text(f"Renouvellement de « {OLD_TITLE} » (2019-2022)")
    expect(table).to_contain_text("Phase : Diagnostic → Plan d'action")
    expect(table).to_contain_text(str(adviser))
    assert_accessible(page, "Historique du dossier de renouvellement")

"""Two CAF advisers side by side, each in a browser of their own: the CAF du Tarn (CC Tarn-Agout) and the CAF
de la Haute-Vienne (Limoges Métropole). ../shared/data holds no extract of the Haute-Vienne, only national
files: a data manager of the platform imports the national FiLoSoFi file of the communes first; the
Haute-Vienne adviser imports the Haute-Vienne rows of the national Insee-Cnaf file of CAF recipients (its
lines, verbatim), the Tarn adviser the four Tarn files as published (re-importing the Tarn FiLoSoFi over the
national vintage), then the Haute-Vienne adviser the Haute-Vienne rows of the national FiLoSoFi file. Each
import goes through the import page (upload, preview, « Confirmer l'import »).

Each adviser's dossier list, organisation selects, import page and import journal show only their own: the
other CAF's dossier, organisations, files and name are absent, and the other dossier's pages answer 403/404.
After every import, both portraits keep every figure the other's imports gave them (the old bug: the second
import of a vintage erased the first one's territories); Tarn-Agout shows its census figures."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from ctg.conventions import services
from ctg.diagnostics.models import DatasetImport
from ctg.organisations.models import Organisation
from ctg.organisations.permissions import DATA_MANAGERS_GROUP
from ctg.territories.importer import import_territories
from ctg.territories.models import Departement, Epci
from tests.conftest import PASSWORD
from tests.factories import OrganisationFactory, UserFactory

from .axe import assert_accessible
from .conftest import DEFAULT_TIMEOUT_MS
from .test_tarn_agout_renewal import (
    CENSUS_BANDS,
    SHARED_DATA,
    TARN,
    TARN_AGOUT,
    TARN_FILES,
    cog_cut,
    figure,
    import_through_the_page,
    plain,
    raw_rows,
    require_shared_data,
)

LIMOGES_METROPOLE = "248719312"
FILOSOFI_FRANCE = SHARED_DATA / "insee-filosofi-2021" / "cc_filosofi_2021_COM.csv"
CAF_FRANCE = SHARED_DATA / "insee-caf-iris-2021" / "inseecaf2021.csv"
TARN_TITLE, LIMOGES_TITLE = "CTG Tarn-Agout 2023-2026", "CTG Limoges Métropole 2023-2026"

pytestmark = [pytest.mark.shared_data]

# Every figure of a portrait: indicator → (value, status) from the indicator tables, and « commune » →
# its cells from the table of the communes.
FIGURES_JS = """() => Object.fromEntries(
  [...document.querySelectorAll('table')]
    .filter(t => t.caption && t.caption.textContent.startsWith('Indicateurs'))
    .flatMap(t => [...t.querySelectorAll('tbody tr')].map(r => {
      const cells = [...r.cells].slice(1).map(c => c.textContent.replace(/\\s+/g, ' ').trim());
      const name = r.querySelector('th').textContent.replace(/\\s+/g, ' ').trim();
      return t.caption.textContent.startsWith('Indicateurs clés par commune')
        ? ['commune ' + name, cells] : [name, cells.slice(0, 2)];
    })))"""


def departement_rows(source: Path, target: Path, departement: str) -> Path:
    """The rows of one département of a national file: its header, its lines as published (line ends kept)."""
    with source.open(encoding="utf-8", newline="") as handle:
        lines = handle.readlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.lstrip('"').startswith(departement)]
    target.write_text("".join(kept), encoding="utf-8", newline="")
    return target


def open_session(browser, base_url: str, email: str):
    """A browser context of its own (its cookies, its session), logged in through /connexion/."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{base_url}/connexion/")
    form = page.locator("form").filter(has=page.locator('input[name="password"]')).first
    form.locator('input[name="username"]').fill(email)
    form.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        form.get_by_role("button", name="Se connecter").click()
    assert "/connexion/" not in page.url, f"La connexion de {email} a échoué."
    return context, page


def portrait_figures(page, base_url: str, ctg) -> dict:
    page.goto(f"{base_url}/portrait/ctg/{ctg.pk}/")
    expect(page.get_by_role("link", name="Diagnostic", exact=True)).to_have_attribute("aria-current", "page")
    return {name: tuple(map(plain, cells)) for name, cells in page.evaluate(FIGURES_JS).items()}


def with_values(figures: dict) -> dict:
    """The figures that have a value: an indicator with its status; the values of a commune's row."""
    kept = {}
    for name, cells in figures.items():
        if name.startswith("commune "):
            values = tuple(cell for cell in cells if not cell.startswith("—"))
            if values:
                kept[name] = values
        elif not cells[0].startswith("—"):
            kept[name] = cells
    return kept


def median(path: Path, code: str) -> str:
    """The median income of a commune as the commune table prints it, read from the raw FiLoSoFi file."""
    row = next(row for row in raw_rows(path) if row["CODGEO"] == code)
    return f"{figure(float(row['MED21'].replace(',', '.')))} €"


def assert_sees_only_their_own(
    page, base_url: str, *, own, other, own_files, other_files, own_names, other_names
):
    """The dossier list, the organisation selects, the import page and the journal of one adviser."""
    page.goto(f"{base_url}/ctg/")
    expect(page.get_by_role("link", name=own.title)).to_be_visible()
    expect(page.get_by_role("link", name=other.title)).to_have_count(0)
    assert other.title not in plain(page.content())

    page.goto(f"{base_url}/ctg/{own.pk}/parties/")
    for select in ("#id_signataire_organisation", "#id_partenaire_organisation"):
        options = [plain(text) for text in page.locator(f"{select} option").all_inner_texts()]
        for name in own_names:
            assert [o for o in options if name in o], f"{select} n'offre pas {name} : {options}"
        for name in other_names:
            assert not [o for o in options if name in o], f"{select} offre {name} : {options}"
    assert not [name for name in other_names if name in plain(page.content())]

    for path in ("/statistiques/import/", "/statistiques/imports/"):
        page.goto(f"{base_url}{path}")
        text = plain(page.content())
        for name in own_files:
            assert name in text, f"{path} : {name} absent"
        for name in other_files:
            assert name not in text, f"{path} montre l'import d'une autre CAF : {name}"
        for name in other_names:
            assert name not in text, f"{path} nomme {name}"

    for path in (f"/ctg/{other.pk}/", f"/ctg/{other.pk}/parties/", f"/portrait/ctg/{other.pk}/"):
        response = page.goto(f"{base_url}{path}")
        assert response.status in (403, 404), f"{path} : {response.status}"
        assert other.title not in plain(page.content())


def test_two_cafs_import_side_by_side_and_see_only_their_own(
    transactional_db, browser, live_server, settings, tmp_path
):
    require_shared_data()
    if not FILOSOFI_FRANCE.is_file() or not CAF_FRANCE.is_file():
        pytest.skip(f"Fichiers nationaux absents de {SHARED_DATA}")
    settings.DATA_DIR = tmp_path / "data"
    import_territories(cog_cut(tmp_path / "cog", ("81", "87")), progress=False)
    base = live_server.url

    departements = {code: Departement.objects.get(code=code) for code in ("81", "87")}
    caf_tarn = OrganisationFactory(
        kind=Organisation.Kind.CAF, name="CAF du Tarn", departement=departements["81"]
    )
    caf_hv = OrganisationFactory(
        kind=Organisation.Kind.CAF, name="CAF de la Haute-Vienne", departement=departements["87"]
    )
    for code, name in (("81", "Conseil départemental du Tarn"), ("87", "Département de la Haute-Vienne")):
        OrganisationFactory(kind=Organisation.Kind.DEPARTEMENT, name=name, departement=departements[code])
    tarn_adviser = UserFactory(
        email="conseillere@caf81.fr", first_name="Sophie", last_name="Cabrol", organisation=caf_tarn
    )
    hv_adviser = UserFactory(
        email="conseiller@caf87.fr", first_name="Julien", last_name="Peyrat", organisation=caf_hv
    )
    manager = UserFactory(
        email="donnees@plateforme.fr", first_name="Alix", last_name="Données", is_staff=True
    )
    group, _created = Group.objects.get_or_create(name=DATA_MANAGERS_GROUP)
    group.permissions.add(Permission.objects.get(codename="manage_statistics"))
    manager.groups.add(group)
    tarn_ctg = services.ctg_create(
        actor=tarn_adviser,
        title=TARN_TITLE,
        caf=caf_tarn,
        start_year=2023,
        end_year=2026,
        fields=["petite_enfance", "parentalite"],
        epci=Epci.objects.get(pk=TARN_AGOUT),
    )
    limoges_ctg = services.ctg_create(
        actor=hv_adviser,
        title=LIMOGES_TITLE,
        caf=caf_hv,
        start_year=2023,
        end_year=2026,
        fields=["petite_enfance", "jeunesse"],
        epci=Epci.objects.get(pk=LIMOGES_METROPOLE),
    )
    caf_87 = departement_rows(CAF_FRANCE, tmp_path / "inseecaf2021_87.csv", "87")
    filosofi_87 = departement_rows(FILOSOFI_FRANCE, tmp_path / "cc_filosofi_2021_COM_87.csv", "87")

    contexts = []
    try:
        manager_context, manager_page = open_session(browser, base, manager.email)
        contexts.append(manager_context)
        tarn_context, tarn = open_session(browser, base, tarn_adviser.email)
        contexts.append(tarn_context)
        hv_context, hv = open_session(browser, base, hv_adviser.email)
        contexts.append(hv_context)

        # 1. The data manager imports the national FiLoSoFi file; the Haute-Vienne adviser its CAF rows.
        import_through_the_page(manager_page, base, FILOSOFI_FRANCE)
        national = DatasetImport.objects.get()
        assert national.coverage == DatasetImport.Coverage.FRANCE and {"81", "87"} <= set(
            national.departements
        )
        import_through_the_page(hv, base, caf_87, check_accessibility=True)
        limoges_first = portrait_figures(hv, base, limoges_ctg)
        assert_accessible(hv, "Diagnostic de Limoges Métropole")
        foyers = limoges_first["Foyers allocataires"]
        assert re.match(r"\d[\d ]* foyers", foyers[0]) and foyers[1].startswith("Partiel")
        assert limoges_first["Population (recensement)"][0].startswith("—")  # no census file of the 87
        # The national FiLoSoFi gives the communes their median income (an EPCI's is not computed).
        filosofi_limoges = median(filosofi_87, "87085")
        assert filosofi_limoges in limoges_first["commune Limoges 87085"]

        # 2. The Tarn adviser imports the Tarn as published, FiLoSoFi included (over the national vintage).
        for name in TARN_FILES:
            import_through_the_page(tarn, base, TARN / name)
        tarn_first = portrait_figures(tarn, base, tarn_ctg)
        assert_accessible(tarn, "Diagnostic de Tarn-Agout")
        census = {row["CODGEO"]: row for row in raw_rows(TARN / "dossier_complet_light_81.csv")}
        codes = set(tarn_ctg.communes.values_list("code", flat=True)) & set(census)
        bands = (*CENSUS_BANDS, "P22_POP90P")
        population = sum(float(census[code][band]) for code in codes for band in bands)
        assert tarn_first["Population (recensement)"][0] == f"{figure(population)} hab."
        families = sum(float(census[code][c]) for code in codes for c in ("C22_COUPAENF", "C22_FAMMONO"))
        assert tarn_first["Familles avec enfant(s) de moins de 25 ans"][0] == f"{figure(families)} familles"
        assert tarn_first["Foyers allocataires"][1].startswith("Partiel")
        assert median(TARN / "cc_filosofi_2021_COM_81.csv", "81140") in tarn_first["commune Lavaur 81140"]
        assert len(with_values(tarn_first)) > 20
        # The Haute-Vienne keeps every figure of its CAF file and of the national FiLoSoFi.
        limoges_again = portrait_figures(hv, base, limoges_ctg)
        assert with_values(limoges_again) == with_values(limoges_first)
        assert filosofi_limoges in limoges_again["commune Limoges 87085"]

        # 3. The Haute-Vienne adviser imports the FiLoSoFi rows of the 87: the Tarn keeps every figure.
        import_through_the_page(hv, base, filosofi_87)
        assert portrait_figures(tarn, base, tarn_ctg) == tarn_first
        assert with_values(portrait_figures(hv, base, limoges_ctg)) == with_values(limoges_first)
        assert len(with_values(limoges_first)) >= 5

        # 4. Each adviser sees only their own dossier, organisations and imports.
        tarn_files = [*TARN_FILES]
        hv_files = [caf_87.name, filosofi_87.name]
        assert_sees_only_their_own(
            tarn,
            base,
            own=tarn_ctg,
            other=limoges_ctg,
            own_files=[*tarn_files, FILOSOFI_FRANCE.name],
            other_files=hv_files,
            own_names=["CAF du Tarn", "CC Tarn-Agout", "Conseil départemental du Tarn"],
            other_names=["CAF de la Haute-Vienne", "Limoges Métropole", "Haute-Vienne", str(hv_adviser)],
        )
        assert_accessible(tarn, "Page refusée à la CAF du Tarn")
        assert_sees_only_their_own(
            hv,
            base,
            own=limoges_ctg,
            other=tarn_ctg,
            own_files=[*hv_files, FILOSOFI_FRANCE.name],
            other_files=tarn_files,
            own_names=["CAF de la Haute-Vienne", "Limoges Métropole", "Département de la Haute-Vienne"],
            other_names=["CAF du Tarn", "Tarn-Agout", "Conseil départemental du Tarn", str(tarn_adviser)],
        )
        hv.goto(f"{base}/statistiques/imports/")
        assert_accessible(hv, "Journal des imports de la CAF de la Haute-Vienne")

        # The data manager's journal has every import, of both départements.
        manager_page.goto(f"{base}/statistiques/imports/")
        journal = plain(manager_page.content())
        assert all(name in journal for name in (*tarn_files, *hv_files, FILOSOFI_FRANCE.name))
    finally:
        for context in contexts:
            context.close()

"""The pages that enter and change the offer of services render in Chromium and pass axe-core (no serious or
critical violation): the structure form (empty, with its errors, to change a structure), the template import
page (with a refused file) and its preview."""

from ctg.offer import template_import
from ctg.offer.services import structure_create
from tests.conftest import PASSWORD

from .axe import assert_accessible


def test_offer_edit_pages_are_accessible(
    transactional_db, world, page, live_server, login, settings, tmp_path
):
    ctg = world.ctg
    settings.DATA_DIR = tmp_path / "data"
    commune = ctg.communes.first()
    structure = structure_create(
        actor=None,
        values={
            "type": "centre_social",
            "name": "Centre social du Test",
            "commune": commune,
            "source": "saisie",
        },
    )
    base = f"{live_server.url}/portrait/ctg/{ctg.pk}/offre"
    login(world.users["coordination"].email, PASSWORD)

    assert page.goto(f"{base}/structures/ajouter/").status == 200
    assert_accessible(page, "Ajouter une structure")
    page.get_by_label("Horaires d'ouverture").fill("Lu-Ve 9h")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la structure").click()
    assert page.get_by_text("Horaires non reconnus").is_visible()
    assert_accessible(page, "Ajouter une structure, avec ses erreurs")

    assert page.goto(f"{base}/structures/{structure.pk}/modifier/").status == 200
    assert_accessible(page, "Modifier une structure")

    assert page.goto(f"{base}/modele/").status == 200
    assert_accessible(page, "Importer le modèle")
    bad = tmp_path / "modele.csv"
    bad.write_text("id_fs;lib_fs\n1;x\n", encoding="utf-8")
    page.get_by_label("Modèle rempli (CSV ou Excel)").set_input_files(str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier le fichier").click()
    assert page.get_by_text("Import refusé").first.is_visible()
    assert_accessible(page, "Importer le modèle, fichier refusé")

    good = tmp_path / "modele-rempli.csv"
    cells = ["CS-9", "centre_social", "Centre social des Pins", commune.code] + [""] * 8 + ["ouvert", ""]
    good.write_text(";".join(template_import.HEADERS) + "\n" + ";".join(cells) + "\n", encoding="utf-8")
    page.get_by_label("Modèle rempli (CSV ou Excel)").set_input_files(str(good))
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier le fichier").click()
    assert page.get_by_role("heading", name="Vérifier l'import de modele-rempli.csv").is_visible()
    assert_accessible(page, "Vérifier l'import du modèle")

"""A CAF adviser imports a file through the two steps of the import page: the preview page (what the import
would change, nothing written) passes axe-core, then « Confirmer l'import » writes it."""

from playwright.sync_api import expect

from ctg.diagnostics.importers import import_datasets
from ctg.diagnostics.models import DatasetImport
from tests.conftest import PASSWORD

from .axe import assert_accessible
from .conftest import JOB_TIMEOUT_MS


def test_upload_preview_then_confirm(transactional_db, world, page, live_server, login, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    communes = list(world.ctg.communes.order_by("code")[:2])
    stored = tmp_path / "stored" / "cc_filosofi_2021_COM.csv"
    stored.parent.mkdir()
    stored.write_text(f"CODGEO;NBMENFISC21;MED21\n{communes[0].code};120;21000\n", encoding="utf-8")
    import_datasets(stored)
    upload = tmp_path / "cc_filosofi_2021_COM.csv"
    upload.write_text(
        f"CODGEO;NBMENFISC21;MED21\n{communes[0].code};120;21500\n{communes[-1].code};80;19000\n",
        encoding="utf-8",
    )
    login(world.users["pilote_caf"].email, PASSWORD)

    page.goto(f"{live_server.url}/statistiques/import/")
    page.get_by_label("Fichier CSV officiel").set_input_files(str(upload))
    with page.expect_navigation():
        page.get_by_role("button", name="Vérifier avant d'importer").click()
    page.get_by_role("heading", name="Vérifier l'import de cc_filosofi_2021_COM.csv").wait_for()
    assert "Valeurs qui changent dans les territoires remplacés : 1" in page.content()
    assert DatasetImport.objects.count() == 1  # nothing written yet
    assert_accessible(page, "Vérifier un import de statistiques")

    page.get_by_role("button", name="Confirmer l'import").click()  # a job, its result shown in place
    expect(page.locator("#job-area")).to_contain_text(
        "cc_filosofi_2021_COM.csv importé", timeout=JOB_TIMEOUT_MS
    )
    assert DatasetImport.objects.count() == 2

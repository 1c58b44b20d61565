"""In Chromium, the coordination attaches files to a fiche: an HTML page renamed « .pdf » is refused with a
French message, a file over the size limit gets the French « Fichier trop volumineux » page (which passes
axe-core), and a real PDF is attached."""

from playwright.sync_api import expect

from ctg.plans import services
from ctg.plans.models import Attachment
from tests.conftest import PASSWORD
from tests.plans.factories import OperationalObjectiveFactory

from .axe import assert_accessible


def test_attachments_are_checked_by_content_and_size(
    transactional_db, world, page, live_server, login, settings, tmp_path
):
    actor = world.users["coordination"]
    objective = OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    fiche = services.fiche_create(ctg=world.ctg, actor=actor, title="Ludothèque", objectives=[objective])
    fiche_url = f"{live_server.url}/plan/ctg/{world.ctg.pk}/fiches/{fiche.pk}/"
    disguised = tmp_path / "compte-rendu.pdf"
    disguised.write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    real = tmp_path / "convention.pdf"
    real.write_bytes(b"%PDF-1.4\n%%EOF\n")
    settings.CTG_MAX_UPLOAD_BYTES = 256 * 1024
    big = tmp_path / "rapport.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (1024 * 1024))

    login(actor.email, PASSWORD)
    page.goto(fiche_url)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Joindre le fichier"))

    form.locator("input[type=file]").set_input_files(str(disguised))
    form.get_by_role("button", name="Joindre le fichier").click()
    expect(page.get_by_text("Le fichier « compte-rendu.pdf » n'est pas un PDF valide")).to_be_visible()

    form.locator("input[type=file]").set_input_files(str(big))
    form.get_by_role("button", name="Joindre le fichier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fichier trop volumineux")
    expect(page.get_by_text("leur réception a été arrêtée et rien n'a été enregistré")).to_be_visible()
    assert_accessible(page, "Fichier trop volumineux")
    assert not Attachment.objects.exists()

    page.goto(fiche_url)
    form.locator("input[type=file]").set_input_files(str(real))
    form.get_by_role("button", name="Joindre le fichier").click()
    expect(page.get_by_role("link", name="convention.pdf")).to_be_visible()
    assert Attachment.objects.get().file.read() == real.read_bytes()

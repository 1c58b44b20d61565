"""The public page of a CTG in Chromium: the settings page (with its preview and the « Copier le code »
button), the public page and its embeddable version pass axe-core (no serious or critical violation) and
trigger no Content-Security-Policy violation; the embeddable version shows inside an <iframe> of another
site, the full public page does not (frame-ancestors 'none')."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import Page

from ctg.conventions.models import Ctg
from tests.conftest import PASSWORD
from tests.public.conftest import figures, plan, published  # noqa: F401

from .axe import assert_accessible
from .test_csp_browser import CspWatch

SLUG = "cc-du-test-2025-2028"


def test_settings_public_and_embed_pages_are_accessible(
    transactional_db,
    world,
    plan,  # noqa: F811
    figures,  # noqa: F811
    page: Page,
    live_server,
    login,
):
    watch = CspWatch(page, live_server.url)
    Ctg.objects.filter(pk=world.ctg.pk).update(is_fictitious=True)
    login(world.users["coordination"].email, PASSWORD)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    watch.visit(f"/ctg/{world.ctg.pk}/publication/", "Réglages de la page publique")
    assert page.get_by_role("heading", name="Aperçu : ce que voit le public").is_visible()
    assert_accessible(page, "Réglages de la page publique (non publiée)")
    # The copy button appears with the script and says it copied.
    button = page.get_by_role("button", name="Copier le code")
    button.click()
    status = page.locator('[data-ctg-copy-status="embed-snippet"]')
    status.filter(has_text="copi").wait_for()
    assert 'title="Convention territoriale globale de la CC du Test 2025-2028"' in page.evaluate(
        "navigator.clipboard.readText()"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Publier la page publique").click()
    assert page.get_by_text("La page publique de la CTG est en ligne.").is_visible()
    assert_accessible(page, "Réglages de la page publique (publiée)")
    watch.collect("Réglages après publication")

    page.context.clear_cookies()
    for path, label in (
        (f"/ctg-publique/{SLUG}/", "Page publique"),
        (f"/ctg-publique/{SLUG}/integration/", "Intégration"),
        ("/ctg-publique/", "CTG publiées"),
    ):
        watch.visit(path, label)
        assert page.get_by_text("Données fictives").first.is_visible(), label
        assert_accessible(page, label)
    watch.assert_none()


@contextmanager
def epci_site(pages: dict[str, str]):
    """Another site (another origin on the loopback, as Chromium asks of a local page it frames): a small
    HTTP server whose paths answer the given HTML."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _framing(src: str) -> str:
    return (
        '<!doctype html><html lang="fr"><head><title>Site de la CC</title></head><body>'
        f'<iframe src="{src}" title="CTG" width="800" height="600"></iframe></body></html>'
    )


def test_only_the_embed_page_shows_in_another_sites_iframe(
    transactional_db,
    world,
    plan,  # noqa: F811
    published,  # noqa: F811
    page: Page,
    live_server,
):
    pages = {
        "/integration": _framing(f"{live_server.url}/ctg-publique/{SLUG}/integration/"),
        "/page": _framing(f"{live_server.url}/ctg-publique/{SLUG}/"),
    }
    with epci_site(pages) as site:
        page.goto(f"{site}/integration")
        frame = page.frame_locator("iframe")
        frame.get_by_role("heading", name="Convention territoriale globale de la CC du Test").wait_for()
        assert frame.get_by_text("Soutenir les familles").is_visible()

        blocked = []
        page.on("response", lambda r: blocked.append(r.url) if "/ctg-publique/" in r.url else None)
        page.goto(f"{site}/page")
        page.wait_for_load_state("networkidle")
        assert blocked, "la page publique n'a pas été demandée"
        framed = [f for f in page.frames if f != page.main_frame]
        # Refused by frame-ancestors 'none' and X-Frame-Options DENY: the frame holds an error, not the page.
        assert framed and "Soutenir les familles" not in framed[0].content()

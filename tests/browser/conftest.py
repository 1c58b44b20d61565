"""Fixtures Playwright (API synchrone) pour piloter le Chromium de Debian contre le `live_server` de
pytest-django.

- `browser` (session) : Chromium sans interface, /usr/bin/chromium ou la variable CTG_CHROMIUM ;
  si le binaire manque, les tests sont ignorés (ce qui fait échouer la série sous CI=true).
- `page` : un contexte neuf (fr-FR) par test, fermé ensuite.
- `login` : se connecter par le formulaire de /connexion/.
- les travaux en arrière-plan lancés par les boutons des pages (htmx) s'exécutent aussitôt, dans la requête
  (backend « immédiat » de django-tasks), sauf pour un test marqué `queued_jobs` : ses travaux attendent
  dans la file en base et le test les exécute avec `run_worker()`, comme le ferait `ctg db_worker`.

Tous les tests de ce dossier reçoivent automatiquement le marqueur `browser`
(`pytest -m "not browser"` pour les écarter).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

BROWSER_DIR = Path(__file__).resolve().parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Sans les options « background-networking », Chromium tente des connexions sortantes à chaque démarrage.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEFAULT_TIMEOUT_MS = 15_000
# A job's result shows at a later poll of its fragment (every 2 s), after the render or the import: with the
# two CI suites running at the same time, that took more than expect()'s own 5 s.
JOB_TIMEOUT_MS = 30_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str:
    return os.environ.get("CTG_CHROMIUM") or DEFAULT_CHROMIUM


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        pytest.skip(
            f"Chromium introuvable ({executable}) : lancez « make setup » (paquet Debian chromium) "
            "ou indiquez son chemin dans CTG_CHROMIUM."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(autouse=True)
def _jobs_backend(request, settings):
    """The jobs a page's button starts run at once (django-tasks' immediate backend), unless the test is
    marked `queued_jobs` (the database queue, run by the test with `run_worker()`)."""
    if request.node.get_closest_marker("queued_jobs") is None:
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def login(page: Page, live_server) -> Callable[..., Page]:
    """Renvoie `login(email, password, expect_success=True)` qui passe par le formulaire de /connexion/."""

    def _login(email: str, password: str, *, expect_success: bool = True) -> Page:
        page.goto(f"{live_server.url}/connexion/")
        form = page.locator("form").filter(has=page.locator('input[name="password"]')).first
        form.locator('input[name="username"]').fill(email)
        form.locator('input[name="password"]').fill(password)
        with page.expect_navigation():
            form.get_by_role("button", name="Se connecter").click()
        if expect_success:
            path = urlsplit(page.url).path
            assert not path.startswith("/connexion/"), (
                f"La connexion de {email} a échoué : la page {page.url} affiche encore le formulaire."
            )
        return page

    return _login

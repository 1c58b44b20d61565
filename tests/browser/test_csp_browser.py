"""The Content-Security-Policy in Chromium: no main page triggers a violation (no inline script, handler or
style left, in our templates or in what django-dsfr, htmx and the dsfr-chart components add), and the page's
JavaScript still works under it: the htmx suggestions of the territory search (with the CSRF header set by
ctg/static/ctg/htmx_csrf.js), the DSFR's scripts (the mobile menu), the charts drawn by dsfr-chart.

Violations are collected two ways: the `securitypolicyviolation` events (an init script listens on the
document, capture phase: those of shadow roots reach it too) and Chromium's console messages."""

from playwright.sync_api import Page

from ctg.conventions.models import Ctg
from ctg.organisations.permissions import Role
from tests.conftest import PASSWORD
from tests.diagnostics.conftest import referential, stats_dir  # noqa: F401
from tests.diagnostics.test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401
from tests.factories import CtgFactory, MembershipFactory, MilestoneFactory, SignatoryFactory, UserFactory
from tests.governance.factories import BodyFactory, MeetingFactory
from tests.plans.test_views_follow import follow_plan  # noqa: F401

from .test_charts_browser import drawn_charts

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
        + `(${event.sourceFile}:${event.lineNumber}) ${event.sample || ""}`
    );
}, true);
"""


class CspWatch:
    """Collects the violations of every page visited with `visit`, then `assert_none` reports them all."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url
        self.console: list[str] = []
        self.found: list[str] = []
        page.add_init_script(LISTEN)
        page.on(
            "console",
            lambda message: (
                self.console.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )

    def collect(self, label: str) -> None:
        # Module scripts and web components finish after « load »: let the network settle first.
        self.page.wait_for_load_state("networkidle")
        events = self.page.evaluate("window.__cspViolations || []")
        self.found += [f"{label} ({self.page.url}) : {text}" for text in events]
        self.found += [f"{label} ({self.page.url}) console : {text}" for text in self.console]
        self.console.clear()

    def visit(self, path: str, label: str) -> None:
        response = self.page.goto(f"{self.base_url}{path}")
        assert response is not None and response.status < 500, f"{label} : {response and response.status}"
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), label
        self.collect(label)

    def assert_none(self) -> None:
        assert self.found == [], "Violations de la Content-Security-Policy :\n" + "\n".join(self.found)


def test_public_pages_and_the_territory_search_under_the_policy(transactional_db, world, page, live_server):
    watch = CspWatch(page, live_server.url)
    ctg = world.ctg
    commune = ctg.communes.first()
    for path, label in [
        ("/", "Accueil public"),
        ("/connexion/", "Connexion"),
        ("/mot-de-passe/oubli/", "Mot de passe oublié"),
        ("/territoires/", "Recherche de territoires"),
        ("/territoires/?q=commune", "Résultats de recherche"),
        (f"/territoires/commune/{commune.code}/", "Page d'une commune"),
        (f"/territoires/epci/{ctg.epci_id}/", "Page d'un EPCI"),
        ("/territoires/departement/81/", "Page d'un département"),
        (f"/portrait/{ctg.epci_id}/", "Portrait d'un EPCI"),
        (f"/portrait/{commune.code}/", "Portrait d'une commune"),
        ("/admin/login/", "Connexion à l'administration"),
    ]:
        watch.visit(path, label)

    # htmx works: the suggestions appear as one types. A visitor who is not logged in gets no CSRF token in
    # the page (no anonymous page posts by htmx, and the public portrait is kept whole for every visitor):
    # the request goes without one. (A logged-in person's htmx posts carry it: test_jobs_browser.py.)
    watch.visit("/territoires/", "Recherche de territoires")
    assert page.locator('meta[name="ctg-csrf-token"]').count() == 0
    with page.expect_request("**/territoires/suggestions/**") as request:
        page.get_by_role("searchbox").first.fill("Comm")
    assert request.value.headers.get("x-csrftoken") is None
    page.locator("#territory-suggestions li").first.wait_for()
    watch.collect("Suggestions de territoires")

    # The DSFR's scripts run: the mobile menu opens (narrow window).
    page.set_viewport_size({"width": 400, "height": 800})
    page.locator("#fr-btn-menu-mobile").click()
    page.locator("#fr-menu-mobile").get_by_role("link", name="Territoires").wait_for(state="visible")
    watch.collect("Menu mobile")
    watch.assert_none()


def test_portrait_with_charts_under_the_policy(
    transactional_db,
    portrait_data,  # noqa: F811
    page,
    live_server,
    login,
):
    watch = CspWatch(page, live_server.url)
    watch.visit(f"/portrait/{EPCI_SIREN}/", "Portrait public avec graphiques")
    drawn_charts(page, 3)
    assert page.locator("svg.ctg-map").is_visible()
    watch.collect("Portrait public avec graphiques (dessinés)")

    epci = portrait_data
    ctg = CtgFactory(epci=epci, communes=list(epci.communes.all()), title="CTG du portrait")
    user = UserFactory(email="referent@portrait.fr", password=PASSWORD)
    MembershipFactory(ctg=ctg, user=user, role=Role.REFERENT_COMMUNAL)
    login(user.email, PASSWORD)
    watch.collect("Connexion")
    watch.visit(f"/portrait/ctg/{ctg.pk}/", "Onglet Diagnostic avec graphiques")
    drawn_charts(page, 3)
    watch.collect("Onglet Diagnostic avec graphiques (dessinés)")
    watch.assert_none()


def test_dossier_pages_under_the_policy(
    transactional_db,
    follow_plan,  # noqa: F811
    page,
    live_server,
    login,
):
    world = follow_plan.world
    ctg = world.ctg
    milestone = MilestoneFactory(ctg=ctg)
    SignatoryFactory(ctg=ctg, organisation=ctg.caf)
    meeting = MeetingFactory(body=BodyFactory(ctg=ctg))
    Ctg.objects.filter(pk=ctg.pk).update(phase="evaluation")
    fiche = follow_plan.fiches["jeunes"]
    watch = CspWatch(page, live_server.url)
    login(world.users["pilote_caf"].email, PASSWORD)
    watch.collect("Connexion")
    for path, label in [
        ("/", "Accueil connecté"),
        ("/ctg/", "Liste des dossiers"),
        ("/ctg/nouveau/", "Nouveau dossier"),
        (f"/ctg/{ctg.pk}/", "Synthèse du dossier"),
        (f"/ctg/{ctg.pk}/modifier/", "Modifier le dossier"),
        (f"/ctg/{ctg.pk}/parties/", "Signataires et partenaires"),
        (f"/ctg/{ctg.pk}/membres/", "Membres"),
        (f"/ctg/{ctg.pk}/calendrier/", "Calendrier"),
        (f"/ctg/{ctg.pk}/calendrier/{milestone.pk}/modifier/", "Modifier un jalon"),
        (f"/ctg/{ctg.pk}/historique/", "Historique"),
        (f"/ctg/{ctg.pk}/renouveler/", "Renouveler"),
        (f"/portrait/ctg/{ctg.pk}/", "Diagnostic"),
        (f"/plan/ctg/{ctg.pk}/", "Plan d'action (arborescence)"),
        (f"/plan/ctg/{ctg.pk}/fiches/{fiche.pk}/", "Fiche action"),
        (f"/plan/ctg/{ctg.pk}/fiches/", "Tableau des fiches"),
        (f"/plan/ctg/{ctg.pk}/calendrier/", "Calendrier du plan"),
        (f"/plan/ctg/{ctg.pk}/bilan/", "Bilan annuel"),
        (f"/convention/ctg/{ctg.pk}/", "Convention"),
        ("/convention/modele/", "Modèle de convention"),
        (f"/gouvernance/ctg/{ctg.pk}/", "Gouvernance"),
        (f"/gouvernance/ctg/{ctg.pk}/reunions/{meeting.pk}/", "Réunion"),
        (f"/gouvernance/ctg/{ctg.pk}/poste/", "Poste de coordination"),
        ("/notifications/", "Notifications"),
        ("/statistiques/import/", "Import de statistiques"),
        ("/statistiques/imports/", "Journal des imports"),
        ("/ctg/999999/", "Page introuvable"),
    ]:
        watch.visit(path, label)

    watch.visit(f"/plan/ctg/{ctg.pk}/tableau-de-bord/", "Tableau de bord")
    drawn_charts(page, 4)
    watch.collect("Tableau de bord (graphiques dessinés)")
    watch.assert_none()


def test_admin_pages_under_the_policy(transactional_db, world, page, live_server, login):
    staff = UserFactory(email="admin@exemple.fr", password=PASSWORD, is_staff=True, is_superuser=True)
    watch = CspWatch(page, live_server.url)
    login(staff.email, PASSWORD)
    for path, label in [
        ("/admin/", "Administration"),
        ("/admin/axes/accessattempt/", "Tentatives de connexion"),
        ("/admin/organisations/user/", "Personnes"),
        (f"/admin/organisations/user/{staff.pk}/change/", "Fiche d'une personne"),
    ]:
        watch.visit(path, label)
    watch.assert_none()


def test_the_watch_sees_a_violation(transactional_db, page, live_server):
    """Self-check of the harness: an inline script and an inline style, added to a page, are reported."""
    watch = CspWatch(page, live_server.url)
    watch.visit("/", "Accueil public")
    assert watch.found == []
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__ran = true;";
            document.body.append(script);
            document.body.insertAdjacentHTML("beforeend", '<p style="color: red">rouge</p>');
        }"""
    )
    watch.collect("Accueil avec ajouts")
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in line for line in watch.found), watch.found
    assert any("style-src" in line for line in watch.found), watch.found
    assert any("console" in line for line in watch.found), watch.found

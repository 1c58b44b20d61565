"""The scenarios of the offer of services render in Chromium and pass axe-core (no serious or critical
violation): the list with its comparison, a scenario's before/after page with its white zones and the fiche
form, the creation form (with its errors), the form of a structure of the scenario and that of a closure."""

import json

from ctg.offer.scenarios import scenario_create
from ctg.offer.services import structure_create
from tests.conftest import PASSWORD
from tests.plans.factories import OperationalObjectiveFactory

from .axe import assert_accessible


def _square(lon: float, lat: float, size: float = 0.05) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_scenario_pages_are_accessible(transactional_db, world, page, live_server, login, settings, tmp_path):
    ctg = world.ctg
    settings.DATA_DIR = tmp_path / "data"
    communes = list(ctg.communes.order_by("code"))
    contours = tmp_path / "contours"
    contours.mkdir()
    features = [
        {"type": "Feature", "properties": {"code": c.code}, "geometry": _square(2.0 + 0.3 * i, 43.9)}
        for i, c in enumerate(communes)
    ]
    (contours / "communes.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    settings.CTG_CONTOURS_DIR = str(contours)
    structure_create(
        actor=None,
        values={
            "type": "eaje_creche",
            "name": "Crèche du Test",
            "commune": communes[0],
            "capacity": 30,
            "latitude": 43.925,
            "longitude": 2.025,
            "source": "saisie",
        },
    )
    # Two objectives: the fiche form asks which one.
    OperationalObjectiveFactory(strategic__enjeu__ctg=ctg)
    OperationalObjectiveFactory(strategic__enjeu__ctg=ctg)
    first = scenario_create(
        ctg=ctg,
        actor=None,
        name="Micro-crèche de 12 places",
        lines=[{"type": "eaje_micro_creche", "places": 12, "commune": communes[-1], "year": 2026}],
    )
    scenario_create(
        ctg=ctg,
        actor=None,
        name="Crèche collective",
        lines=[{"type": "eaje_creche", "places": 30, "commune": communes[1], "year": 2027}],
    )
    line = first.lines.get()
    login(world.users["coordination"].email, PASSWORD)
    base = f"{live_server.url}/portrait/ctg/{ctg.pk}/offre/scenarios/"
    for path, heading in (
        ("", "Comparaison des scénarios"),
        (f"{first.pk}/", "Structures du scénario"),
        ("ajouter/", "Simuler une nouvelle structure"),
        (f"{first.pk}/structures/{line.pk}/modifier/", None),
        (f"{first.pk}/fermetures/ajouter/", None),
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        if heading:
            assert page.get_by_role("heading", name=heading).first.is_visible(), path
        assert_accessible(page, f"Scénarios {path or 'liste'}")
    # « Transformer en fiche action »: the plan's page asks which objective; sent without one, its error.
    fiche_url = f"{live_server.url}/plan/ctg/{ctg.pk}/scenarios/{first.pk}/fiche-action/"
    assert page.goto(fiche_url).status == 200
    assert_accessible(page, "Transformer le scénario en fiche action")
    page.get_by_role("button", name="Transformer en fiche action").click()
    page.wait_for_load_state()
    assert page.locator(".fr-error-text, .fr-alert--error").count() > 0
    assert_accessible(page, "Transformer le scénario en fiche action : erreur")
    # The creation form sent empty shows its errors, still accessible.
    page.goto(base + "ajouter/")
    page.get_by_role("button", name="Enregistrer le scénario").click()
    page.wait_for_load_state()
    assert page.locator(".fr-error-text, .fr-message--error").count() > 0
    assert_accessible(page, "Scénario : erreurs du formulaire")


def test_scenario_funding_pages_are_accessible(transactional_db, world, page, live_server, login):
    """The funding side (issue 14): a scenario's page with its amounts, rules and a missing amount, the
    inputs' form (and its errors), the comparison of two scenarios (and a refused one), the fiche page with
    the attachment to an existing fiche."""
    from ctg.offer.scenario_funding import line_funding_set
    from tests.plans.factories import FicheFactory

    ctg = world.ctg
    communes = list(ctg.communes.order_by("code"))
    OperationalObjectiveFactory(strategic__enjeu__ctg=ctg)
    FicheFactory(ctg=ctg, title="Développer l'accueil du jeune enfant")
    first = scenario_create(
        ctg=ctg,
        actor=None,
        name="Micro-crèche de 12 places",
        lines=[{"type": "eaje_micro_creche", "places": 12, "commune": communes[0], "year": 2025}],
    )
    line_funding_set(
        line=first.lines.get(), actor=None, values={"bonus_tranche": "1", "participation_horaire": "0,9"}
    )
    second = scenario_create(
        ctg=ctg,
        actor=None,
        name="Crèche et accueil de loisirs",
        is_fictitious=True,
        lines=[
            {"type": "eaje_creche", "places": 30, "commune": communes[1], "year": 2026},
            {"type": "alsh", "places": 40, "commune": communes[1], "year": 2026},
        ],
    )
    creche, alsh = second.lines.order_by("pk")
    line_funding_set(line=creche, actor=None, values={"bonus_tranche": "2"})
    line_funding_set(line=alsh, actor=None, values={"contracted_hours": "100000", "requested_hours": "40000"})
    login(world.users["coordination"].email, PASSWORD)
    base = f"{live_server.url}/portrait/ctg/{ctg.pk}/offre/scenarios/"
    for path, heading in (
        (f"{first.pk}/", "Financement simulé de la CAF et reste à charge"),
        (f"{second.pk}/", "Financement simulé de la CAF et reste à charge"),
        (f"{first.pk}/structures/{first.lines.get().pk}/financement/", None),
        (f"{second.pk}/structures/{alsh.pk}/financement/", None),
        ("comparer/", "Comparer des scénarios"),
        (f"comparer/?comparer={first.pk}&comparer={second.pk}", "Les scénarios côte à côte"),
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        if heading:
            assert page.get_by_role("heading", name=heading).first.is_visible(), path
        assert_accessible(page, f"Financement des scénarios {path}")
    # One scenario only: the comparison's error, still accessible.
    assert page.goto(base + f"comparer/?comparer={first.pk}").status == 400
    assert page.locator(".fr-alert--error").count() == 1
    assert_accessible(page, "Comparer des scénarios : erreur")
    # The inputs' form sent with a negative participation shows its error.
    page.goto(base + f"{first.pk}/structures/{first.lines.get().pk}/financement/")
    page.get_by_label("Participation horaire moyenne des familles").fill("-1")
    page.get_by_role("button", name="Enregistrer les paramètres").click()
    page.wait_for_load_state()
    assert page.locator(".fr-error-text, .fr-message--error, .fr-alert--error").count() > 0
    assert_accessible(page, "Paramètres du financement : erreur")
    # The fiche page offers the attachment to an existing fiche.
    fiche_url = f"{live_server.url}/plan/ctg/{ctg.pk}/scenarios/{first.pk}/fiche-action/"
    assert page.goto(fiche_url).status == 200
    assert page.get_by_role("heading", name="Ou rattacher le scénario à une fiche existante").is_visible()
    assert_accessible(page, "Transformer le scénario en fiche action : rattachement")

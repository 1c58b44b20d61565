"""Pages publiques : elles s'affichent dans Chromium et passent axe-core (aucune violation grave)."""

import pytest

from .axe import assert_accessible

PUBLIC_PAGES = [
    pytest.param("/", "Accueil public", id="accueil"),
    pytest.param("/connexion/", "Connexion", id="connexion"),
]


@pytest.mark.parametrize(("path", "label"), PUBLIC_PAGES)
def test_public_page_loads_and_is_accessible(page, live_server, path, label):
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None, f"{label} : aucune réponse pour {path}"
    assert response.ok, f"{label} : {path} répond {response.status}"
    assert page.title().strip(), f"{label} : la page {path} n'a pas de titre"
    assert_accessible(page, label)

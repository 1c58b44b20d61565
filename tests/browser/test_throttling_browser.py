"""Login throttling in Chromium: after the failure limit, the login form answers with the French lockout
message (even to the right password), the page passes axe-core, and the form and the reset link stay there."""

from django.conf import settings

from tests.conftest import PASSWORD
from tests.factories import UserFactory

from .axe import assert_accessible


def test_the_lockout_message_on_the_login_page(transactional_db, page, live_server, login):
    person = UserFactory(email="alice@exemple.fr")
    for _ in range(settings.CTG_LOGIN_FAILURE_LIMIT - 1):
        login(person.email, "mauvais-mot-de-passe", expect_success=False)
        assert page.get_by_text("Adresse électronique ou mot de passe incorrect.").first.is_visible()
        assert page.locator("#login-locked").count() == 0
    login(person.email, "mauvais-mot-de-passe", expect_success=False)

    alert = page.locator("#login-locked")
    alert.wait_for(state="visible")
    assert page.get_by_role("heading", name="Connexion temporairement bloquée").is_visible()
    assert "Trop de tentatives de connexion ont échoué" in alert.inner_text()
    assert f"{settings.CTG_LOGIN_COOLOFF_MINUTES} minutes" in alert.inner_text()
    assert page.get_by_role("link", name="Mot de passe oublié ou première connexion").is_visible()
    assert_accessible(page, "Connexion bloquée")

    # The right password is refused as long as the lock lasts.
    login(person.email, PASSWORD, expect_success=False)
    assert page.url.endswith("/connexion/")
    assert page.locator("#login-locked").is_visible()
    page.goto(f"{live_server.url}/ctg/")
    assert "/connexion/" in page.url  # not logged in: sent back to the login page

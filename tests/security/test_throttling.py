"""Login throttling (django-axes, ctg/organisations/throttling.py): per account and per address, on the site's
login form and on the admin's; the lockout answers in French and says nothing of whether the account exists;
a staff member unlocks in the admin; a new password chosen by the reset link unlocks too."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.conftest import PASSWORD
from tests.factories import UserFactory

LOGIN = "/connexion/"
ADMIN_LOGIN = "/admin/login/"
LOCK_MESSAGE = "Trop de tentatives de connexion ont échoué"
WRONG = "mauvais-mot-de-passe"


def attempt(client, email, password, *, url=LOGIN, ip="127.0.0.1"):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail(client, email, times, *, url=LOGIN, ip="127.0.0.1"):
    responses = [attempt(client, email, WRONG, url=url, ip=ip) for _ in range(times)]
    return responses[-1] if responses else None


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def person(db):
    return UserFactory(email="alice@exemple.fr")


@pytest.fixture
def limit():
    return settings.CTG_LOGIN_FAILURE_LIMIT


def test_the_settings_lock_per_account_and_per_address():
    assert settings.AXES_ENABLED is True
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "ctg.organisations.throttling.LoginThrottleBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.CTG_LOGIN_FAILURE_LIMIT >= 3
    assert settings.CTG_LOGIN_IP_FAILURE_LIMIT >= settings.CTG_LOGIN_FAILURE_LIMIT


def test_fewer_failures_than_the_limit_then_the_right_password_logs_in(client, person, limit):
    response = fail(client, person.email, limit - 1)
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()
    response = attempt(client, person.email, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)
    # The success clears the account's failures: a new series starts from zero.
    assert not AccessAttempt.objects.filter(username=person.email).exists()


def test_the_limit_reached_the_right_password_is_refused_with_the_french_message(client, person, limit):
    response = fail(client, person.email, limit)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCK_MESSAGE in page
    assert f"pendant\n          {settings.CTG_LOGIN_COOLOFF_MINUTES} minutes" in page
    assert "Too many" not in page and "Account locked" not in page
    response = attempt(client, person.email, PASSWORD)
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    assert not logged_in(client)
    # The page still holds the login form and the reset link.
    assert 'name="password"' in response.content.decode()
    assert reverse("password_reset") in response.content.decode()


def test_the_email_is_counted_whatever_its_case_and_spaces(client, person, limit):
    for i in range(limit):
        attempt(client, "  Alice@Exemple.FR " if i % 2 else person.email.upper(), WRONG)
    response = attempt(client, person.email, PASSWORD)
    assert response.status_code == 429


def test_the_account_is_locked_from_another_address_too(client, person, limit):
    fail(client, person.email, limit, ip="10.0.0.1")
    response = attempt(client, person.email, PASSWORD, ip="10.0.0.2")
    assert response.status_code == 429
    assert not logged_in(client)


def test_another_account_from_the_same_address_still_logs_in(client, person, limit):
    other = UserFactory(email="bob@exemple.fr")
    fail(client, person.email, limit)
    response = attempt(client, other.email, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_an_address_is_locked_after_its_own_limit_whatever_the_accounts(client, person):
    ip_limit = settings.CTG_LOGIN_IP_FAILURE_LIMIT
    # Each account stays below its own limit: only the address's count locks.
    per_account = settings.CTG_LOGIN_FAILURE_LIMIT - 1
    emails = [f"essai{i}@exemple.fr" for i in range(ip_limit // per_account + 1)]
    sent = 0
    for email in emails:
        for _ in range(per_account):
            if sent == ip_limit - 1:
                break
            attempt(client, email, WRONG, ip="10.9.9.9")
            sent += 1
    # One failure below the address's limit: the right password still works from it.
    assert attempt(client, person.email, PASSWORD, ip="10.9.9.9").status_code == 302
    client.logout()
    last = attempt(client, "dernier@exemple.fr", WRONG, ip="10.9.9.9")
    assert last.status_code == 429
    response = attempt(client, person.email, PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    # From another address, the account logs in.
    assert attempt(client, person.email, PASSWORD, ip="10.9.9.10").status_code == 302


def test_the_admin_login_is_throttled_too_and_shares_the_count(db, client, limit):
    staff = UserFactory(email="admin@exemple.fr", is_staff=True, is_superuser=True)
    fail(client, staff.email, limit - 1, url=ADMIN_LOGIN)
    response = attempt(client, staff.email, WRONG)  # the last failure on the site's form
    assert response.status_code == 429
    response = attempt(client, staff.email, PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    assert not logged_in(client)


def test_the_admin_login_alone_locks(db, client, limit):
    staff = UserFactory(email="admin@exemple.fr", is_staff=True, is_superuser=True)
    response = fail(client, staff.email, limit, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    assert attempt(client, staff.email, PASSWORD, url=ADMIN_LOGIN).status_code == 429


def test_a_staff_member_unlocks_the_account_in_the_admin(client, person, limit):
    fail(client, person.email, limit)
    fail(client, person.email, 1, ip="10.0.0.7")  # ignored: the account is locked already
    assert attempt(client, person.email, PASSWORD).status_code == 429

    staff = UserFactory(email="admin@exemple.fr", is_staff=True, is_superuser=True)
    admin_client = type(client)()
    admin_client.force_login(staff)
    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"), {"q": person.email})
    assert listing.status_code == 200
    assert person.email in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.filter(username=person.email).values_list("pk", flat=True)]
    assert ids
    response = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=person.email).exists()

    response = attempt(client, person.email, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_axes_reset_username_command_unlocks(client, person, limit):
    from django.core.management import call_command

    fail(client, person.email, limit)
    call_command("axes_reset_username", person.email)
    assert attempt(client, person.email, PASSWORD).status_code == 302


def _normalised(page: str) -> str:
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r'name="ctg-csrf-token" content="[^"]+"', "", page)
    return re.sub(r'value="[^"]*@exemple\.fr"', "", page)


def test_the_lockout_does_not_reveal_whether_the_account_exists(client, person, limit):
    for_known = fail(client, person.email, limit, ip="10.1.0.1")
    for_unknown = fail(client, "personne-inconnue@exemple.fr", limit, ip="10.1.0.2")
    assert for_known.status_code == for_unknown.status_code == 429
    assert _normalised(for_known.content.decode()) == _normalised(for_unknown.content.decode())
    # Before the limit too: the same error for a wrong password and an unknown email.
    before_known = attempt(client, "bob@exemple.fr", WRONG, ip="10.1.0.3")
    UserFactory(email="carole@exemple.fr")
    before_unknown = attempt(client, "carole@exemple.fr", WRONG, ip="10.1.0.4")
    assert before_known.status_code == before_unknown.status_code == 200
    assert _normalised(before_known.content.decode()) == _normalised(before_unknown.content.decode())


def test_a_new_password_chosen_by_the_reset_link_unlocks_the_account(client, person, limit):
    fail(client, person.email, limit)
    # The reset flow itself is not throttled.
    response = client.post(reverse("password_reset"), {"email": person.email})
    assert response.status_code == 302
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    response = client.get(reverse("password_reset_confirm", args=[uid, token]))
    assert response.status_code == 302  # to the URL with « set-password » in place of the token
    new = "un-nouveau-secret-42"
    response = client.post(response["Location"], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    response = attempt(client, person.email, new)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_client_address_behind_a_proxy_comes_from_the_configured_header_only(rf, settings):
    from ctg.organisations.throttling import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    settings.CTG_CLIENT_IP_HEADER = ""
    assert client_ip(request) == "10.0.0.1"
    settings.CTG_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert client_ip(request) == "5.6.7.8"  # the address the proxy appended
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="pas une adresse")
    assert client_ip(request) == "10.0.0.1"


def test_the_proxy_header_is_ignored_outside_production():
    # settings.py reads CTG_CLIENT_IP_HEADER only when CTG_ENV=production.
    assert settings.PRODUCTION is False
    assert settings.CTG_CLIENT_IP_HEADER == ""


def test_force_login_and_the_test_client_login_still_work(client, person):
    assert client.login(username=person.email, password=PASSWORD)
    client.logout()
    client.force_login(person)
    assert logged_in(client)

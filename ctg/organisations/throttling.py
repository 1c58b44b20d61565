"""Login throttling, on django-axes (settings: the security block of settings.py).

- Every failed login (site form `/connexion/` and `/admin/login/`: both go through `authenticate(request, …)`)
  is recorded by axes, keyed by the email typed (lower-cased) and the client address.
- An account is locked after `CTG_LOGIN_FAILURE_LIMIT` failures within `CTG_LOGIN_COOLOFF_MINUTES`, whatever
  the addresses they came from; an address is locked after `CTG_LOGIN_IP_FAILURE_LIMIT` failures, whatever the
  accounts tried (a CAF's office shares one address: its limit is higher). While locked, even the right
  password is refused; the lock ends when the last failure is older than the cool-off.
- The same answer (status 429, the login page with the French message) whether the email belongs to an
  account or not: the lock reveals nothing about who is registered.
- A successful login clears the failures of that account only (never those of its address: otherwise one
  valid account would let an attacker wipe the address's count). Choosing a new password by the reset link
  clears them too.
- Unlocking: a staff member deletes the account's lines in the admin (« Axes › Tentatives de connexion »), or
  `ctg axes_reset_username EMAIL` / `ctg axes_reset_ip ADDRESS`.
- The client address is REMOTE_ADDR, or in production the header named by CTG_CLIENT_IP_HEADER when the
  application runs behind a reverse proxy that sets it (the last address of the list: the one the proxy saw).
"""

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

LOCKOUT_TEMPLATE = "registration/login.html"


def normalise_username(value) -> str | None:
    """The email as the login form cleans it (stripped, lower case): « Alice@X.fr » and « alice@x.fr » count
    as one account, on the site form and on the admin's (which does not lower-case)."""
    if value is None:
        return None
    return str(value).strip().lower() or None


def client_username(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username of the credentials given to `authenticate`, else of the POST."""
    if credentials:
        return normalise_username(credentials.get("username") or credentials.get("email"))
    data = getattr(request, "POST", None) or {}
    return normalise_username(data.get("username"))


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: REMOTE_ADDR, or the configured proxy header (production only)."""
    header = getattr(settings, "CTG_CLIENT_IP_HEADER", "")
    if header:
        parts = [part for part in request.META.get(header, "").split(",") if part.strip()]
        address = _valid_ip(parts[-1]) if parts else None
        if address:
            return address
    return _valid_ip(request.META.get("REMOTE_ADDR")) or request.META.get("REMOTE_ADDR")


class LoginThrottleHandler(AxesDatabaseHandler):
    """The database handler of axes, with its own limit for the address and a reset limited to the account."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The largest count over the lockout parameters, the address's expressed on the account's scale: it
        reaches the failure limit exactly when the address reaches CTG_LOGIN_IP_FAILURE_LIMIT."""
        limit = get_failure_limit(request, credentials)
        ip_limit = settings.CTG_LOGIN_IP_FAILURE_LIMIT
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter == "ip_address" and ip_limit != limit:
                failures = limit if failures >= ip_limit else min(failures, limit - 1)
            worst = max(worst, failures)
        return worst

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


class LoginThrottleBackend(AxesStandaloneBackend):
    """First of AUTHENTICATION_BACKENDS: refuses a locked account or address before the password is checked.

    Every login view passes the request (Django's LoginView, the admin's); `authenticate` called without one
    (a script, the test client's `login()`) has no address to count and is not throttled."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def clear_account(email: str) -> int:
    """Forget the failed logins of an account (after it chose a new password)."""
    username = normalise_username(email)
    if not username:
        return 0
    count, _ = AccessAttempt.objects.filter(username=username).delete()
    return count


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, with the lockout message (site and admin alike)."""
    from ctg.organisations.forms import EmailAuthenticationForm

    next_url = request.POST.get("next") or request.GET.get("next") or ""
    context = {
        "form": EmailAuthenticationForm(request),
        "locked_out": True,
        "cooloff_minutes": settings.CTG_LOGIN_COOLOFF_MINUTES,
        "title": "Connexion bloquée",
        "next": next_url,
    }
    return render(request, LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)

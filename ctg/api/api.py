"""The open API (issue 15): one `NinjaAPI`, its authentication and its routers.

A request is made by a person: with a personal token (`Authorization: Bearer <jeton>`, `ctg.api.services`) or,
from a browser where they are logged in, with their session (a write then needs the CSRF token, as a page's
form does). What they may read and write is what the pages let them: a dossier's endpoint goes through
`dossier_for` (the dossier's visibility and the role's operation, `ctg.conventions.selectors.ctg_for`: 404
outside the dossier, 403 when the role lacks the operation), and every write goes through the services the
pages use."""

from django.urls import path, reverse
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView
from ninja import NinjaAPI
from ninja import parser as ninja_parser
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from ctg.api import errors, services
from ctg.api.schemas import Error, Invalid, Refusal
from ctg.conventions.selectors import ctg_for
from ctg.organisations.permissions import Op


class TokenAuth(HttpBearer):
    openapi_description = "Jeton personnel créé sur la page « Jetons d'API » de votre compte."

    def authenticate(self, request, token):
        user = services.token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    openapi_description = (
        "Session d'une personne connectée dans son navigateur (écritures avec le jeton CSRF)."
    )


class Api(NinjaAPI):
    def get_root_path(self, path_params):
        # Its URLs are inside the namespace of the app `api` (ctg/api/urls.py).
        return reverse(f"api:{self.urls_namespace}:api-root", kwargs=path_params)

    def _get_urls(self):
        # The root sends to the documentation page (ninja's answers 404 to every method).
        urls = [url for url in super()._get_urls() if getattr(url, "name", "") != "api-root"]
        return [*urls, path("", require_GET(RedirectView.as_view(pattern_name="api:docs")), name="api-root")]


class Parser(ninja_parser.Parser):
    """JSON bodies, and also form-encoded ones (an HTML form, a tool that cannot send JSON): a field given
    several times is a list."""

    def parse_body(self, request):
        if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            return {key: values if len(values) > 1 else values[0] for key, values in request.POST.lists()}
        return super().parse_body(request)


api = Api(
    title="API ouverte des Conventions territoriales globales",
    version="1",
    description=(
        "Territoires et portraits (publics), dossiers CTG, parties, jalons, plan d'action (lecture et "
        "écriture), réunions et décisions, offre de services. Mêmes droits que l'application. Voir "
        "docs/api.md."
    ),
    urls_namespace="v1",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=[TokenAuth(), SessionAuth()],
    parser=Parser(),
    docs_decorator=require_GET,
)
errors.install(api)

PUBLIC_ERRORS = {404: Error, 422: Invalid}
READ_ERRORS = {401: Error, 403: Error, 404: Error, 422: Invalid}
WRITE_ERRORS = {**READ_ERRORS, 400: Refusal}


def dossier_for(request, pk: int, op: Op = Op.VIEW):
    """The dossier and the person's role, as `ctg_view` gives them to a page (404 / 403)."""
    return ctg_for(request.auth, pk, op)


def _routers():
    from ctg.api.routers import dossiers, governance, plan, public

    api.add_router("/", public.router)
    api.add_router("/", dossiers.router)
    api.add_router("/", plan.router)
    api.add_router("/", governance.router)


_routers()

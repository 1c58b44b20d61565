"""The API's answers to what goes wrong, in French and in one shape: `{"detail": "…"}`, with `errors` beside
it when the request had invalid values (422: the values the schema refuses; 400: the values a service
refuses, keyed by field)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ctg.plans.services import FicheConflict

UNAUTHENTICATED = (
    "Authentification requise : envoyez un jeton d'API valide dans l'en-tête "
    "« Authorization: Bearer <jeton> » "
    "(jeton inconnu, révoqué ou expiré refusé)."
)
# Messages of the schema's refusals (pydantic's error types), in French.
SCHEMA_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_type": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "float_parsing": "Un nombre est attendu.",
    "decimal_parsing": "Un nombre décimal est attendu.",
    "string_type": "Un texte est attendu.",
    "string_too_long": "Le texte est trop long.",
    "string_too_short": "Le texte est trop court.",
    "bool_parsing": "Une valeur vraie ou fausse est attendue.",
    "bool_type": "Une valeur vraie ou fausse est attendue.",
    "date_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "date_from_datetime_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "greater_than_equal": "La valeur est trop petite.",
    "greater_than": "La valeur est trop petite.",
    "less_than_equal": "La valeur est trop grande.",
    "less_than": "La valeur est trop grande.",
    "list_type": "Une liste est attendue.",
    "literal_error": "Valeur non reconnue.",
    "enum": "Valeur non reconnue.",
    "json_invalid": "Le corps de la requête n'est pas un JSON valide.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "dict_type": "Un objet JSON est attendu.",
    "extra_forbidden": "Ce champ n'est pas accepté.",
}


def _location(loc) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "payload", "ninja_pagination"))


def schema_errors(errors: list[dict]) -> list[dict]:
    return [
        {
            "field": _location(error.get("loc", ())),
            "message": SCHEMA_MESSAGES.get(error.get("type", ""), "Valeur invalide."),
        }
        for error in errors
    ]


def service_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: list(DjangoValidationError(items).messages) for field, items in error.error_dict.items()
        }
    return {"": list(error.messages)}


def install(api) -> None:
    """Puts the French answers on `api` (a `NinjaAPI`)."""

    def answer(request, status, detail, **extra):
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return answer(request, 401, UNAUTHENTICATED)

    @api.exception_handler(AuthorizationError)
    def unauthorised(request, exc):
        return answer(request, 403, "Votre rôle ne permet pas cette action.")

    @api.exception_handler(PermissionDenied)
    def denied(request, exc):
        return answer(request, 403, str(exc) or "Votre rôle ne permet pas cette action.")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        text = str(exc)
        # Django's own messages (« No X matches the given query. ») are replaced; ours are French already.
        if not text or text.startswith("No ") or "matches the given query" in text:
            text = "Introuvable."
        return answer(request, 404, text)

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc):
        return answer(request, 422, "Requête invalide : voyez « errors ».", errors=schema_errors(exc.errors))

    @api.exception_handler(FicheConflict)
    def conflict(request, exc):
        return answer(request, 409, " ".join(exc.messages))

    @api.exception_handler(DjangoValidationError)
    def refused(request, exc):
        errors = service_errors(exc)
        messages = [message for items in errors.values() for message in items]
        return answer(request, 400, " ".join(messages) or "Requête refusée.", errors=errors)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        text = str(exc)
        if text.startswith("Cannot parse request body"):
            text = "Le corps de la requête n'est pas un JSON valide."
        return answer(request, exc.status_code, text)

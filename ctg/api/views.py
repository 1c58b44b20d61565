"""The pages of a person's API tokens (`/compte/jetons-api/`) and the API's documentation page."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ctg.api import services
from ctg.api.forms import TokenForm
from ctg.api.models import ApiToken


def _expiry(day: datetime.date | None):
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """The person's tokens, and the form that creates one: the new token is shown on the answer, once."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = raw = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created, raw = services.token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    expires_at=_expiry(form.cleaned_data["expires_on"]),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error("expires_on" if field == "expires_at" else field, errors)
                else:
                    form.add_error(None, error.messages)
        if created is None:
            status = 400
        else:
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "title": "Jetons d'API",
            "form": form,
            "created": created,
            "raw_token": raw,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def token_revoke(request, token_pk):
    token = get_object_or_404(ApiToken, pk=token_pk, user=request.user)
    try:
        services.token_revoke(token=token, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Le jeton « {token.name} » est révoqué.")
    return redirect("api:tokens")


METHOD_ORDER = ("get", "post")


def _endpoints(schema: dict) -> list[dict]:
    """The operations of the OpenAPI schema grouped by tag, in the schema's order."""
    groups: dict[str, list[dict]] = {}
    for url, operations in schema.get("paths", {}).items():
        for method in METHOD_ORDER:
            operation = operations.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["Autres"])[0]
            groups.setdefault(tag, []).append(
                {
                    "method": method.upper(),
                    "url": url,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "public": not operation.get("security"),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "where": {"path": "chemin", "query": "requête"}.get(p.get("in"), p.get("in")),
                            "required": p.get("required", False),
                            "description": p.get("description") or p.get("schema", {}).get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": "requestBody" in operation,
                    "statuses": sorted(operation.get("responses", {})),
                }
            )
    return [{"tag": tag, "operations": items} for tag, items in groups.items()]


@require_http_methods(["GET"])
def docs(request):
    """The API's documentation page, rendered on the server from its OpenAPI schema (the Swagger page of
    django-ninja needs inline script and styles, which the Content-Security-Policy refuses)."""
    from ctg.api.api import api

    schema = api.get_openapi_schema()
    return render(
        request,
        "api/docs.html",
        {"title": "API ouverte", "schema_info": schema.get("info", {}), "groups": _endpoints(schema)},
    )

"""The frame of every page of a dossier, shared by the apps above `conventions` (plans, diagnostics,
governance, post, documents…): loading the dossier with the person's role (`ctg_view`), the page context of
the dossier's tabs (`dossier_context`), and the glue between a form and a service (`save_form`,
`run_action`, `posted`, `apply_errors`).

A view of a dossier reads:

    @ctg_view(Op.EDIT_PLAN, methods=("GET", "POST"))
    def enjeu_create(request, ctg, role):
        form = EnjeuForm(posted(request))
        if save_form(request, form, "L'enjeu est créé.", services.enjeu_create, ctg=ctg):
            return redirect(...)
        return render(request, "...", dossier_context(ctg, role, "plan", "Nouvel enjeu", form=form),
                      status=400 if request.method == "POST" else 200)

The service validates and raises `ValidationError`; `save_form` puts its messages on the form's fields (or on
the form when the field is not in it), so the page is shown again with them. A form whose fields are not the
service's arguments defines `values()` (the arguments it gives the service).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ctg.conventions.models import Membership
from ctg.conventions.selectors import ctg_for
from ctg.organisations.permissions import Op, role_allows

__all__ = [
    "Saved",
    "apply_errors",
    "ctg_view",
    "dossier_context",
    "form_values",
    "posted",
    "run_action",
    "save_form",
]


def ctg_view(op: Op, methods=("GET",), *, post_op: Op | None = None):
    """Loads the dossier for the logged-in person; 404 outside it, 403 when the role does not allow `op`.

    `post_op`: for a page that shows to every reader (`op`) a form that only some may send, the operation a
    POST needs (403 otherwise). A view that accepts POST names the operation that writes, never `Op.VIEW`
    alone (`tests/test_consistency.py`)."""

    def decorator(view):
        @login_required
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            ctg, role = ctg_for(request.user, pk, op)
            if post_op is not None and request.method == "POST" and not role_allows(role, post_op):
                raise PermissionDenied("Votre rôle ne permet pas cette modification.")
            return view(request, ctg, role, *args, **kwargs)

        return wrapper

    return decorator


def posted(request):
    """The submitted data, or None on GET: an empty POST still binds the form, so its errors show."""
    return request.POST if request.method == "POST" else None


def apply_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: each message on its field, or on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@dataclass(frozen=True)
class Saved:
    """What `save_form` answers when the service saved: its result (a created fiche…)."""

    result: object


def form_values(form) -> dict:
    """The keyword arguments a form gives its service: its `values()` when it has one (a form whose fields
    are not the service's arguments), else its cleaned data."""
    return form.values() if hasattr(form, "values") else form.cleaned_data


def save_form(
    request, form, success: str | Callable[[dict], str], service: Callable, **arguments
) -> Saved | None:
    """On a POST whose form is valid, `service(actor=request.user, **arguments, **form_values(form))`:
    `Saved` when it saved (with `success` queued as a message); None on GET, on an invalid form, or when the
    service refused (its errors are then on the form), and the caller shows the page again (status 400 after
    a POST). `success` may be a function of the form's cleaned data."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = service(actor=request.user, **arguments, **form_values(form))
    except ValidationError as error:
        apply_errors(form, error)
        return None
    messages.success(request, success(form.cleaned_data) if callable(success) else success)
    return Saved(result)


def run_action(request, success: str, service: Callable, **arguments) -> bool:
    """An action without a form (a move, a deletion), `service(actor=request.user, **arguments)`: the
    service's refusals become error messages; True when it was done, with `success` queued."""
    try:
        service(actor=request.user, **arguments)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def dossier_context(ctg, role, tab, title, **extra) -> dict:
    """The context of a dossier's page: the dossier, the person's role and what it allows (`can.<op>`), the
    tab, the page title and the breadcrumb."""
    ops = {op.name.lower(): role_allows(role, op) for op in Op}
    return {
        "ctg": ctg,
        "role": role,
        "role_label": dict(Membership._meta.get_field("role").choices).get(role, ""),
        "can": ops,
        "tab": tab,
        "title": title if tab == "home" else f"{title} — {ctg.title}",
        "nav": "ctg",
        "breadcrumb_data": {
            "links": [{"url": reverse("conventions:list"), "title": "Dossiers CTG"}]
            + (
                [{"url": reverse("conventions:detail", args=[ctg.pk]), "title": ctg.title}]
                if tab != "home"
                else []
            ),
            "current": ctg.title if tab == "home" else title,
        },
        **extra,
    }

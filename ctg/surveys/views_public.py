"""Answering a questionnaire without an account, through a distribution link (`/questionnaire/<token>/`):
the privacy notice first (« Je commence »), then the form, then a thank-you page.

- An unknown token is 404; a deactivated link, a used single-use link, a draft or a closed questionnaire
  answer 410 with a French page, and nothing is stored.
- While the questionnaire is a draft, a person who manages the dossier's diagnostic (`Op.MANAGE_DIAGNOSTIC`)
  may answer through a link to test it: those answers are `is_test` and are deleted when it opens.
- A submission passes the abuse checks (`answering.abuse_problem`: honeypot, minimum time since display),
  then `services.response_submit` (the rules, the link, the throttling per keyed hash of the address).
  CSRF is kept (the form carries its token).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ctg.conventions.selectors import role_in
from ctg.organisations.permissions import Op, role_allows
from ctg.organisations.throttling import client_ip
from ctg.surveys import answering, services
from ctg.surveys.models import Link, Questionnaire

REFUSALS = {
    "closed": "Ce questionnaire est fermé : il ne reçoit plus de réponses. Merci de votre intérêt.",
    "draft": "Ce questionnaire n'est pas encore ouvert. Revenez plus tard.",
    "inactive": "Ce lien n'est plus actif.",
    "used": "Ce lien personnel a déjà servi : il ne permet qu'une seule réponse. Merci de votre aide.",
    "throttled": "Trop de réponses ont été envoyées depuis votre connexion. Réessayez dans une heure.",
    "link": "Ce lien ne correspond à aucun questionnaire.",
}


def _link(token) -> Link:
    link = Link.objects.filter(token=token).select_related("questionnaire__ctg").first()
    if link is None:
        raise Http404("Ce lien ne correspond à aucun questionnaire.")
    return link


def _testing(request, questionnaire) -> bool:
    """A manager of the dossier's diagnostic answering a draft: a test answer."""
    if questionnaire.status != Questionnaire.Status.DRAFT or not request.user.is_authenticated:
        return False
    return role_allows(role_in(request.user, questionnaire.ctg), Op.MANAGE_DIAGNOSTIC)


def _refusal(link, request) -> str | None:
    """Why this link takes no answer now (a key of REFUSALS), else None."""
    questionnaire = link.questionnaire
    if not link.is_active:
        return "inactive"
    if link.kind == Link.Kind.SINGLE_USE and link.used_at is not None:
        return "used"
    if questionnaire.status == Questionnaire.Status.CLOSED:
        return "closed"
    if questionnaire.status == Questionnaire.Status.DRAFT and not _testing(request, questionnaire):
        return "draft"
    return None


def _refused(request, link, reason, status=410):
    context = {
        "title": link.questionnaire.title,
        "questionnaire": link.questionnaire,
        "message": REFUSALS[reason],
    }
    return render(request, "surveys/public_refused.html", context, status=status)


def _public_context(link, request, **extra) -> dict:
    return {
        "title": link.questionnaire.title,
        "questionnaire": link.questionnaire,
        "link": link,
        "testing": _testing(request, link.questionnaire),
        **extra,
    }


@require_http_methods(["GET"])
def notice(request, token):
    link = _link(token)
    reason = _refusal(link, request)
    if reason:
        return _refused(request, link, reason)
    return render(request, "surveys/public_notice.html", _public_context(link, request))


@require_http_methods(["GET", "POST"])
def answer(request, token):
    link = _link(token)
    reason = _refusal(link, request)
    if reason:
        return _refused(request, link, reason)
    questionnaire = link.questionnaire
    errors, form_errors, status = {}, [], 200
    if request.method == "POST":
        problem = answering.abuse_problem(request.POST)
        if problem:
            form_errors, status = [problem], 400
        else:
            try:
                services.response_submit(
                    questionnaire=questionnaire,
                    link=link,
                    data=request.POST,
                    test=_testing(request, questionnaire),
                    address=client_ip(request) or "",
                    respondent_key=request.POST.get("respondent_key", ""),
                )
            except services.Refused as refused:
                return _refused(
                    request, link, refused.reason, status=429 if refused.reason == "throttled" else 410
                )
            except ValidationError as error:
                errors = error.message_dict
                form_errors = errors.get("__all__", []) + errors.get("respondent_key", [])
                status = 400
            else:
                return redirect("answer:thanks", token)
    context = _public_context(
        link,
        request,
        form_sections=answering.form_sections(
            questionnaire, request.POST if request.method == "POST" else None, errors
        ),
        form_errors=form_errors,
        error_count=len(errors) or len(form_errors),
        communes=list(questionnaire.ctg.communes.order_by("name").values_list("code", "name")),
        stamp=answering.form_stamp(),
        honeypot=answering.HONEYPOT,
        stamp_name=answering.STAMP,
        respondent_key=request.POST.get("respondent_key", "") if request.method == "POST" else "",
    )
    return render(request, "surveys/public_form.html", context, status=status)


@require_http_methods(["GET"])
def thanks(request, token):
    link = _link(token)
    return render(request, "surveys/public_thanks.html", _public_context(link, request))

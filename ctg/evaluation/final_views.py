"""Views of the final evaluation (URLs under /plan/ctg/<pk>/evaluation-finale/, namespace `evaluation`): the
page on the four questions (every member reads it), its writes (the coordination and the CAF's pilot:
`Op.EDIT_PLAN`; the COPIL's validation: `Op.VALIDATE_BILAN`), and the generated versions' files."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from ctg.conventions.frame import ctg_view, dossier_context
from ctg.evaluation import final, final_services
from ctg.evaluation.models import FinalEvaluation
from ctg.governance.models import Body, Decision, Meeting
from ctg.jobs.views import job_started
from ctg.organisations.permissions import Op, role_allows
from ctg.rendering import DOCX_TYPE, PDF_TYPE
from ctg.uploads import stored_file_response


def _page(request, ctg, role, *, errors=(), status=200):
    data = final.compute(ctg)
    evaluation = data["evaluation"]
    editable = evaluation is not None and not evaluation.validated and role_allows(role, Op.EDIT_PLAN)
    decisions = []
    if evaluation is not None and not evaluation.validated:
        decisions = list(
            Decision.objects.filter(
                meeting__ctg=ctg, meeting__status=Meeting.Status.HELD, meeting__body__kind=Body.Kind.COPIL
            )
            .select_related("meeting__body")
            .order_by("-meeting__starts_at", "position", "id")
        )
    return render(
        request,
        "evaluation/final.html",
        dossier_context(
            ctg,
            role,
            "plan",
            "Évaluation finale",
            **{k: v for k, v in data.items() if k != "ctg"},
            conclusions={k: (getattr(evaluation, k) if evaluation else "") for k, _t, _q in final.QUESTIONS},
            editable=editable,
            decisions=decisions,
            versions=list(evaluation.versions.select_related("generated_by")) if evaluation else [],
            questionnaires=list(ctg.questionnaires.order_by("title", "id")) if editable else [],
            errors=list(errors),
        ),
        status=status,
    )


def _evaluation(ctg) -> FinalEvaluation:
    evaluation = FinalEvaluation.objects.filter(ctg=ctg).first()
    if evaluation is None:
        raise Http404("L'évaluation finale n'est pas ouverte.")
    return evaluation


def _done(ctg, text, request, anchor=""):
    messages.success(request, text)
    return redirect(reverse("evaluation:final", args=[ctg.pk]) + anchor)


def _id(value):
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@ctg_view(Op.VIEW)
def final_page(request, ctg, role):
    return _page(request, ctg, role)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def final_create(request, ctg, role):
    try:
        final_services.final_create(ctg=ctg, actor=request.user)
    except ValidationError as error:
        return _page(request, ctg, role, errors=error.messages, status=400)
    return _done(ctg, "L'évaluation finale est ouverte.", request)


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def final_conclusion(request, ctg, role):
    evaluation = _evaluation(ctg)
    key = request.POST.get("question", "")
    if key not in final_services.CONCLUSIONS:
        return _page(request, ctg, role, errors=["Question inconnue."], status=400)
    try:
        final_services.final_set_conclusions(
            evaluation=evaluation, actor=request.user, **{key: request.POST.get("text", "")}
        )
    except ValidationError as error:
        return _page(request, ctg, role, errors=error.messages, status=400)
    return _done(ctg, "La conclusion est enregistrée.", request, f"#{key}")


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def final_commitments(request, ctg, role):
    evaluation = _evaluation(ctg)
    commitments = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    try:
        final_services.final_set_commitments(
            evaluation=evaluation, actor=request.user, commitments=commitments
        )
    except ValidationError as error:
        return _page(request, ctg, role, errors=error.messages, status=400)
    return _done(ctg, "Les engagements de pérennité sont enregistrés.", request, "#durability")


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def final_questionnaire(request, ctg, role):
    from ctg.surveys.models import Questionnaire

    evaluation = _evaluation(ctg)
    raw = request.POST.get("questionnaire", "")
    questionnaire = None
    if raw.strip():
        pk = _id(raw)
        # Looked up among every questionnaire: one of another dossier is refused by the service, in French.
        questionnaire = Questionnaire.objects.filter(pk=pk).first() if pk else None
        if questionnaire is None:
            return _page(request, ctg, role, errors=["Questionnaire introuvable."], status=400)
    try:
        final_services.final_set_questionnaire(
            evaluation=evaluation, actor=request.user, questionnaire=questionnaire
        )
    except ValidationError as error:
        return _page(request, ctg, role, errors=error.messages, status=400)
    return _done(ctg, "Le questionnaire aux partenaires est choisi.", request, "#durability")


@ctg_view(Op.VALIDATE_BILAN, methods=("POST",))
def final_validate(request, ctg, role):
    evaluation = _evaluation(ctg)
    pk = _id(request.POST.get("decision"))
    decision = Decision.objects.select_related("meeting__body").filter(pk=pk).first() if pk else None
    try:
        final_services.final_validate(evaluation=evaluation, actor=request.user, decision=decision)
    except ValidationError as error:
        return _page(request, ctg, role, errors=error.messages, status=400)
    return _done(
        ctg, "La validation de l'évaluation finale par le COPIL est enregistrée.", request, "#validation"
    )


@ctg_view(Op.EDIT_PLAN, methods=("POST",))
def final_generate(request, ctg, role):
    evaluation = _evaluation(ctg)
    if request.htmx:  # the page's script: generated by the worker, its progress shown inline
        from ctg.evaluation.jobs import final_enqueue

        job = final_enqueue(evaluation=evaluation, actor=request.user)
        return job_started(request, job)
    version = final_services.final_generate(evaluation=evaluation, actor=request.user)
    return _done(
        ctg, f"Le rapport d'évaluation finale est généré (version {version.number}).", request, "#versions"
    )


def _download(ctg, number, field, content_type):
    evaluation = _evaluation(ctg)
    version = evaluation.versions.filter(number=number).first()
    if version is None:
        raise Http404("Version introuvable.")
    return stored_file_response(
        getattr(version, field),
        filename=f"{final_services.file_stem(version)}.{field}",
        content_type=content_type,
    )


@ctg_view(Op.VIEW)
def final_version_pdf(request, ctg, role, number):
    return _download(ctg, number, "pdf", PDF_TYPE)


@ctg_view(Op.VIEW)
def final_version_docx(request, ctg, role, number):
    return _download(ctg, number, "docx", DOCX_TYPE)

"""Views of the coordinator post: the post, the CAF's yearly funding (visible to every member of the dossier:
it is public money; only the CAF records it), the yearly activity report and its documents."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from ctg.conventions.frame import apply_errors, ctg_view, dossier_context, posted, run_action, save_form
from ctg.jobs.views import job_started
from ctg.organisations.permissions import Op
from ctg.post import report as report_module
from ctg.post import selectors, services
from ctg.post.forms import (
    CancelForm,
    ConventionAgreeForm,
    ConventionRequestForm,
    ConventionSignForm,
    FundingForm,
    PaymentForm,
    PostForm,
    ReportForm,
)
from ctg.post.models import ActivityReport, CoordinatorPost, PostFunding
from ctg.rendering import DOCX_TYPE, PDF_TYPE, attachment, check_year, ctg_file_name


def _post_or_404(ctg) -> CoordinatorPost:
    post = CoordinatorPost.objects.select_related("ctg").filter(ctg=ctg).first()
    if post is None:
        raise Http404("Le poste de coordination n'est pas encore renseigné.")
    return post


def _file_name(ctg, year: int) -> str:
    return ctg_file_name(ctg, f"rapport-activite-poste-{year}")


@ctg_view(Op.VIEW)
def post(request, ctg, role):
    overview = report_module.overview(ctg, timezone.localdate())
    conventions = []
    if overview["post"] is not None:
        post = overview["post"]
        years = sorted(set(services.post_years(post)) | set(post.fundings.values_list("year", flat=True)))
        conventions = selectors.post_conventions(post, years)
    return render(
        request,
        "post/index.html",
        dossier_context(ctg, role, "post", "Poste de coordination", o=overview, conventions=conventions),
    )


@ctg_view(Op.MANAGE_POST, methods=("GET", "POST"))
def post_edit(request, ctg, role):
    current = CoordinatorPost.objects.filter(ctg=ctg).first()
    initial = {}
    if current is not None:
        initial = {name: getattr(current, name) for name in services.POST_FIELDS}
    form = PostForm(posted(request), ctg=ctg, initial=initial)
    if save_form(request, form, "Le poste de coordination est enregistré.", services.post_set, ctg=ctg):
        return redirect("post:detail", pk=ctg.pk)
    status = 400 if request.method == "POST" else 200
    title = "Modifier le poste de coordination" if current else "Renseigner le poste de coordination"
    return render(
        request,
        "post/form.html",
        dossier_context(ctg, role, "post", title, form=form, heading=title, submit="Enregistrer le poste"),
        status=status,
    )


def _funding_page(request, ctg, role, form, funding=None, status=200):
    title = (
        f"Financement CAF du poste pour {funding.year}" if funding else "Ajouter un financement CAF du poste"
    )
    return render(
        request,
        "post/form.html",
        dossier_context(
            ctg,
            role,
            "post",
            title,
            form=form,
            heading=title,
            submit="Enregistrer le financement",
            funding=funding,
        ),
        status=status,
    )


def _funding_saved(data) -> str:
    return f"Le financement CAF de {data['year']} est enregistré."


def _save_funding(request, ctg, role, post, funding=None):
    if funding is not None:
        initial = {name: getattr(funding, name) for name in services.FUNDING_FIELDS}
    else:
        taken = set(post.fundings.values_list("year", flat=True))
        free = [y for y in range(ctg.start_year, ctg.end_year + 1) if y not in taken]
        initial = {"year": free[0] if free else ctg.end_year, "advance_paid": 0, "balance_paid": 0}
    form = FundingForm(posted(request), initial=initial)
    if save_form(request, form, _funding_saved, services.funding_set, post=post, funding=funding):
        return redirect("post:detail", pk=ctg.pk)
    return _funding_page(request, ctg, role, form, funding, status=400 if request.method == "POST" else 200)


@ctg_view(Op.FUND_POST, methods=("GET", "POST"))
def funding_add(request, ctg, role):
    return _save_funding(request, ctg, role, _post_or_404(ctg))


@ctg_view(Op.FUND_POST, methods=("GET", "POST"))
def funding_edit(request, ctg, role, funding_pk):
    post = _post_or_404(ctg)
    funding = get_object_or_404(PostFunding, pk=funding_pk, post=post)
    return _save_funding(request, ctg, role, post, funding)


@ctg_view(Op.FUND_POST, methods=("POST",))
def funding_delete(request, ctg, role, funding_pk):
    funding = get_object_or_404(PostFunding, pk=funding_pk, post=_post_or_404(ctg))
    run_action(
        request,
        f"Le financement CAF de {funding.year} est supprimé.",
        services.funding_delete,
        funding=funding,
    )
    return redirect("post:detail", pk=ctg.pk)


# --- activity report -----------------------------------------------------------------------------------


def _check_report_year(ctg, year: int) -> None:
    """A 404 for a year outside of the CTG's period or before the post began (no report is asked then)."""
    check_year(ctg, year)
    if year not in report_module.post_report_years(ctg, report_module.post_of(ctg)):
        raise Http404("Aucun rapport d'activité n'est demandé avant la prise de poste.")


def _report_page(request, ctg, role, year, *, form=None, errors=(), status=200):
    data = report_module.compute(ctg, year)
    editable = data["post"] is not None and data["status"] != ActivityReport.Status.ACCEPTED
    if form is None and editable:
        form = ReportForm(initial={"priorities": data["priorities"], "comments": data["comments"]})
    return render(
        request,
        "post/report.html",
        dossier_context(
            ctg,
            role,
            "post",
            f"Rapport d'activité {year}",
            r=data,
            years=report_module.post_report_years(ctg, data["post"]),
            form=form if editable else None,
            errors=list(errors),
            report_formats=list(REPORT_FORMATS.items()),
            status_text=report_module.status_text(data),
            post_text=report_module.post_text(data["post"]),
        ),
        status=status,
    )


@ctg_view(Op.VIEW)
def report(request, ctg, role, year):
    _check_report_year(ctg, year)
    return _report_page(request, ctg, role, year)


@ctg_view(Op.MANAGE_POST, methods=("POST",))
def report_update(request, ctg, role, year):
    _check_report_year(ctg, year)
    post = _post_or_404(ctg)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                current = services.report_get_or_create(post=post, actor=request.user, year=year)
                services.report_update(report=current, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _report_page(request, ctg, role, year, form=form, errors=error.messages, status=400)
            apply_errors(form, error)
        else:
            messages.success(request, f"Le rapport d'activité {year} est enregistré.")
            return redirect("post:report", pk=ctg.pk, year=year)
    return _report_page(request, ctg, role, year, form=form, status=400)


@ctg_view(Op.MANAGE_POST, methods=("POST",))
def report_send(request, ctg, role, year):
    _check_report_year(ctg, year)
    post = _post_or_404(ctg)
    try:
        with transaction.atomic():
            current = services.report_get_or_create(post=post, actor=request.user, year=year)
            services.report_send(report=current, actor=request.user)
    except ValidationError as error:
        return _report_page(request, ctg, role, year, errors=error.messages, status=400)
    messages.success(request, f"Le rapport d'activité {year} est envoyé à la CAF.")
    return redirect("post:report", pk=ctg.pk, year=year)


@ctg_view(Op.FUND_POST, methods=("POST",))
def report_accept(request, ctg, role, year):
    _check_report_year(ctg, year)
    post = _post_or_404(ctg)
    current = ActivityReport.objects.filter(post=post, year=year).first()
    try:
        if current is None:
            raise ValidationError(f"Le rapport d'activité {year} n'a pas encore été envoyé.")
        services.report_accept(report=current, actor=request.user)
    except ValidationError as error:
        return _report_page(request, ctg, role, year, errors=error.messages, status=400)
    messages.success(request, f"Le rapport d'activité {year} est accepté.")
    return redirect("post:report", pk=ctg.pk, year=year)


REPORT_FORMATS = {"pdf": "PDF", "docx": "Word, DOCX"}


@ctg_view(Op.PREPARE_DOCUMENT, methods=("POST",))
def report_prepare(request, ctg, role, year, fmt):
    """The activity report's PDF or DOCX made by the worker (the page's buttons)."""
    from ctg.jobs.services import file_enqueue

    _check_report_year(ctg, year)
    if fmt not in REPORT_FORMATS:
        raise Http404("Format inconnu.")
    job = file_enqueue(
        kind=f"post_report_{fmt}",
        label=f"Rapport d'activité {year} du poste de coordination ({REPORT_FORMATS[fmt]}) — {ctg.title}",
        producer=report_module.report_file,
        arguments={"ctg_id": ctg.pk, "year": year, "fmt": fmt},
        file_name=f"{_file_name(ctg, year)}.{fmt}",
        ctg=ctg,
        actor=request.user,
    )
    return job_started(request, job)


@ctg_view(Op.VIEW)
def report_pdf(request, ctg, role, year):
    _check_report_year(ctg, year)
    content = report_module.render_pdf(report_module.compute(ctg, year))
    return attachment(content, PDF_TYPE, f"{_file_name(ctg, year)}.pdf")


@ctg_view(Op.VIEW)
def report_docx(request, ctg, role, year):
    _check_report_year(ctg, year)
    content = report_module.render_docx(report_module.compute(ctg, year))
    return attachment(content, DOCX_TYPE, f"{_file_name(ctg, year)}.docx")


# --- the yearly funding convention ---------------------------------------------------------------------


def _convention_of(ctg, year: int) -> PostFunding:
    return get_object_or_404(
        PostFunding.objects.select_related("post__ctg"), post=_post_or_404(ctg), year=year
    )


def _step(request, ctg, role, form, title: str, submit: str, success: str, service, **arguments):
    if save_form(request, form, success, service, **arguments):
        return redirect(reverse("post:detail", kwargs={"pk": ctg.pk}) + "#conventions")
    return render(
        request,
        "post/form.html",
        dossier_context(ctg, role, "post", title, form=form, heading=title, submit=submit),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.MANAGE_POST, methods=("GET", "POST"))
def convention_request(request, ctg, role):
    post = _post_or_404(ctg)
    taken = set(post.fundings.values_list("year", flat=True))
    years = [year for year in services.post_years(post) if year not in taken] or services.post_years(post)
    initial = {"year": years[0] if years else None, "requested_on": timezone.localdate()}
    form = ConventionRequestForm(posted(request), initial=initial, years=years)
    return _step(
        request,
        ctg,
        role,
        form,
        "Demander le financement CAF du poste",
        "Enregistrer la demande",
        lambda data: f"La demande de financement {data['year']} est enregistrée.",
        services.convention_request,
        post=post,
    )


@ctg_view(Op.MANAGE_POST, methods=("GET", "POST"))
def convention_request_edit(request, ctg, role, year):
    funding = _convention_of(ctg, year)
    initial = {"amount_requested": funding.amount_requested, "requested_on": funding.requested_on}
    form = ConventionRequestForm(posted(request), initial=initial)
    return _step(
        request,
        ctg,
        role,
        form,
        f"Demande de financement {year}",
        "Enregistrer la demande",
        f"La demande de financement {year} est enregistrée.",
        services.convention_request,
        post=funding.post,
        funding=funding,
        year=year,
    )


@ctg_view(Op.FUND_POST, methods=("GET", "POST"))
def convention_agree(request, ctg, role, year):
    funding = _convention_of(ctg, year)
    initial = {
        "amount_agreed": funding.amount_agreed if funding.is_agreed else funding.amount_requested,
        "decided_on": funding.decided_on or timezone.localdate(),
        "advance_rate": funding.advance_rate if funding.advance_rate is not None else 50,
    }
    form = ConventionAgreeForm(posted(request), initial=initial)
    return _step(
        request,
        ctg,
        role,
        form,
        f"Décision de la CAF sur le financement {year}",
        "Enregistrer la décision",
        f"La décision de la CAF sur le financement {year} est enregistrée.",
        services.convention_agree,
        funding=funding,
    )


@ctg_view(Op.FUND_POST, methods=("GET", "POST"))
def convention_sign(request, ctg, role, year):
    funding = _convention_of(ctg, year)
    initial = {"signed_on": funding.signed_on or timezone.localdate(), "signatories": funding.signatories}
    form = ConventionSignForm(posted(request), initial=initial)
    return _step(
        request,
        ctg,
        role,
        form,
        f"Signature de la convention de financement {year}",
        "Enregistrer la signature",
        f"La signature de la convention {year} est enregistrée.",
        services.convention_sign,
        funding=funding,
    )


def _payment(request, ctg, role, year, *, advance: bool):
    funding = _convention_of(ctg, year)
    if advance:
        amount, paid_on = funding.advance_paid, funding.advance_paid_on
        if not amount and funding.is_agreed and funding.advance_rate:
            amount = (funding.amount_agreed * funding.advance_rate / 100).quantize(services.CENT)
        what, service = "l'acompte", services.convention_advance_pay
    else:
        amount, paid_on = funding.balance_paid, funding.balance_paid_on
        if not amount and funding.is_agreed:
            amount = funding.amount_agreed - funding.advance_paid
        what, service = "le solde", services.convention_balance_pay
    form = PaymentForm(
        posted(request), initial={"amount": amount or None, "paid_on": paid_on or timezone.localdate()}
    )
    return _step(
        request,
        ctg,
        role,
        form,
        f"Verser {what} du financement {year}",
        f"Enregistrer {what}",
        f"Le versement de {what} {year} est enregistré.",
        service,
        funding=funding,
    )


@ctg_view(Op.FUND_POST, methods=("GET", "POST"))
def convention_advance(request, ctg, role, year):
    return _payment(request, ctg, role, year, advance=True)


@ctg_view(Op.FUND_POST, methods=("GET", "POST"))
def convention_balance(request, ctg, role, year):
    return _payment(request, ctg, role, year, advance=False)


@ctg_view(Op.FUND_POST, methods=("GET", "POST"))
def convention_cancel(request, ctg, role, year, step):
    if step not in services.CANCELLABLE:
        raise Http404("Étape inconnue.")
    funding = _convention_of(ctg, year)
    form = CancelForm(posted(request))
    return _step(
        request,
        ctg,
        role,
        form,
        f"Annuler {services.CANCELLABLE[step]} du financement {year}",
        "Annuler cette étape",
        f"Annulation enregistrée : {services.CANCELLABLE[step]} du financement {year}.",
        services.convention_cancel,
        funding=funding,
        step=step,
    )

"""The ateliers of the diagnostic in the dossier's « Diagnostic » tab: list (upcoming and past), create, edit,
delete, and the atelier's page (agenda with the needs-vs-offer rows of its themes, invitations and
registrations, attendance, contributions, documents, dot vote on findings, findings created from it) and
its report as a PDF.

Reading needs `Op.VIEW`; organising (atelier, registrations, attendance, report, documents, vote,
findings) `Op.MANAGE_DIAGNOSTIC`; adding a contribution `Op.CONTRIBUTE` (a contributor deletes their own)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify

from ctg.ateliers import report, services
from ctg.ateliers.forms import (
    AtelierForm,
    AttachmentForm,
    AttendanceForm,
    AttendeeForm,
    ContributionForm,
    DotVoteForm,
    FindingForm,
    RegistrationForm,
    RegistrationStatusForm,
    ReportForm,
)
from ctg.ateliers.models import Atelier, Attachment, Contribution, Registration
from ctg.conventions.frame import ctg_view, dossier_context, posted, run_action, save_form
from ctg.diagnostics.portrait import territory_of_ctg
from ctg.jobs.views import job_started
from ctg.offer.needs import needs_versus_offer
from ctg.organisations.permissions import Op, Role, role_allows
from ctg.rendering import PDF_TYPE, attachment, ctg_file_name
from ctg.uploads import stored_file_response

TAB = "diagnostic"


def _context(ctg, role, title, **extra):
    return dossier_context(ctg, role, TAB, title, diagnostic_nav="ateliers", **extra)


@ctg_view(Op.VIEW)
def index(request, ctg, role):
    today = timezone.localdate()
    ateliers = list(ctg.ateliers.all())
    upcoming = [a for a in ateliers if a.is_upcoming(today)]
    past = [a for a in reversed(ateliers) if not a.is_upcoming(today)]
    return render(
        request,
        "ateliers/index.html",
        _context(ctg, role, "Ateliers du diagnostic", upcoming=upcoming, past=past),
    )


def _form_page(request, ctg, role, form, atelier=None):
    title = f"Modifier l'atelier « {atelier.title} »" if atelier else "Organiser un atelier"
    return render(
        request,
        "ateliers/form.html",
        _context(ctg, role, title, form=form, heading=title, atelier=atelier),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("GET", "POST"))
def create(request, ctg, role):
    form = AtelierForm(posted(request), ctg=ctg, initial={"themes": ctg.fields[:1]})
    saved = save_form(request, form, "L'atelier est créé.", services.atelier_create, ctg=ctg)
    if saved:
        return redirect("ateliers:detail", pk=ctg.pk, atelier_pk=saved.result.pk)
    return _form_page(request, ctg, role, form)


def _atelier(ctg, atelier_pk) -> Atelier:
    return get_object_or_404(
        Atelier.objects.select_related("ctg", "commune", "facilitator_organisation"), pk=atelier_pk, ctg=ctg
    )


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("GET", "POST"))
def edit(request, ctg, role, atelier_pk):
    atelier = _atelier(ctg, atelier_pk)
    initial = {name: getattr(atelier, name) for name in services.ATELIER_FIELDS if name != "is_fictitious"}
    if atelier.month_only:
        initial["date"], initial["month"] = None, atelier.date
    form = AtelierForm(posted(request), ctg=ctg, initial=initial)
    if save_form(request, form, "L'atelier est enregistré.", services.atelier_update, atelier=atelier):
        return redirect("ateliers:detail", pk=ctg.pk, atelier_pk=atelier.pk)
    return _form_page(request, ctg, role, form, atelier)


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("POST",))
def delete(request, ctg, role, atelier_pk):
    atelier = _atelier(ctg, atelier_pk)
    if run_action(
        request, f"L'atelier « {atelier.title} » est supprimé.", services.atelier_delete, atelier=atelier
    ):
        return redirect("ateliers:index", pk=ctg.pk)
    return _back(atelier)


def _back(atelier, anchor=""):
    url = reverse("ateliers:detail", args=[atelier.ctg_id, atelier.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def agenda_rows(ctg, atelier) -> list:
    """The needs-vs-offer rows of the dossier's territory for the atelier's themes (none for a theme the
    table has no row for: seniors, mobilité)."""
    themes = set(atelier.themes)
    if not themes:
        return []
    return [row for row in needs_versus_offer(territory_of_ctg(ctg)) if row.field in themes]


def member_choices(ctg) -> list[tuple]:
    """(user, label) of the dossier's members, the communal referents first."""
    memberships = list(ctg.memberships.select_related("user").prefetch_related("communes"))
    memberships.sort(key=lambda m: (m.role != Role.REFERENT_COMMUNAL, m.user.last_name, m.user.email))
    choices = []
    for m in memberships:
        label = f"{m.user.get_full_name() or m.user.email} — {m.get_role_display()}"
        communes = ", ".join(c.name for c in m.communes.all())
        choices.append((m.user, f"{label} ({communes})" if communes else label))
    return choices


def _enjeu_url(ctg, findings) -> str:
    """The plan's « Proposer un enjeu » page with the atelier's findings; empty while the plan has no such
    page."""
    if not findings:
        return ""
    try:
        url = reverse("plans:enjeu_from_findings", args=[ctg.pk])
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode([('constats', f.pk) for f in findings])}"


def _finding_url(finding) -> str:
    """The finding's page; empty while the findings have no pages."""
    try:
        return finding.get_absolute_url()
    except NoReverseMatch:
        return ""


def _detail_page(request, ctg, role, atelier, status=200, **forms):
    manages = role_allows(role, Op.MANAGE_DIAGNOSTIC)
    contributes = role_allows(role, Op.CONTRIBUTE)
    editable = atelier.status != Atelier.Status.CANCELLED
    registrations = list(atelier.registrations.select_related("organisation", "commune"))
    attendances = list(atelier.attendances.select_related("organisation"))
    contributions = list(atelier.contributions.select_related("created_by"))
    for contribution in contributions:
        contribution.deletable = contributes and services.may_delete_contribution(
            contribution, request.user, manages=manages
        )
    findings = list(services.atelier_findings(atelier))
    for finding in findings:
        finding.url = _finding_url(finding)
    organisations = sorted({a.organisation.name for a in attendances if a.organisation_id})
    context = _context(
        ctg,
        role,
        atelier.title,
        atelier=atelier,
        manages=manages,
        contributes=contributes and editable,
        editable=manages and editable,
        agenda=agenda_rows(ctg, atelier),
        registrations=registrations if manages else [r for r in registrations if r.consent_listed],
        unlisted_registrations=0 if manages else sum(1 for r in registrations if not r.consent_listed),
        registered=sum(1 for r in registrations if r.status == Registration.Status.REGISTERED),
        attendances=attendances if manages else [a for a in attendances if a.consent_listed],
        unlisted_attendances=0 if manages else sum(1 for a in attendances if not a.consent_listed),
        present_count=len(attendances),
        organisations=organisations,
        contributions=contributions,
        attachments=list(atelier.attachments.select_related("created_by")),
        votes=services.ranked_votes(atelier),
        findings=findings,
        registration_statuses=Registration.Status.choices,
        enjeu_url=_enjeu_url(ctg, findings) if role_allows(role, Op.EDIT_PLAN) else "",
    )
    if contributes and editable:
        context["contribution_form"] = forms.get("contribution_form") or ContributionForm()
    if manages:
        context["report_form"] = forms.get("report_form") or ReportForm(initial={"report": atelier.report})
        context["attachment_form"] = forms.get("attachment_form") or AttachmentForm()
        if editable:
            context["registration_form"] = forms.get("registration_form") or RegistrationForm(ctg=ctg)
            context["attendance_form"] = forms.get("attendance_form") or AttendanceForm(
                atelier=atelier, members=member_choices(ctg)
            )
            context["attendee_form"] = forms.get("attendee_form") or AttendeeForm(ctg=ctg)
            context["vote_form"] = forms.get("vote_form") or DotVoteForm(ctg=ctg)
    return render(request, "ateliers/detail.html", context, status=status)


@ctg_view(Op.VIEW)
def detail(request, ctg, role, atelier_pk):
    return _detail_page(request, ctg, role, _atelier(ctg, atelier_pk))


def _form_action(request, ctg, role, atelier, form, form_name, success, anchor, service, **arguments):
    """A form of the atelier's page sent to `service` (with the atelier): back to its section when saved,
    else the page again with the form's errors (400)."""
    if save_form(request, form, success, service, atelier=atelier, **arguments):
        return _back(atelier, anchor)
    return _detail_page(request, ctg, role, atelier, status=400, **{form_name: form})


def _atelier_form_view(op, make_form, form_name, success, anchor, service):
    """A view (POST only, under `op`) for one form of the atelier's page: `make_form(request, ctg, atelier)`
    builds the bound form, `_form_action` saves it through `service` or shows the page again (400)."""

    @ctg_view(op, methods=("POST",))
    def view(request, ctg, role, atelier_pk):
        atelier = _atelier(ctg, atelier_pk)
        form = make_form(request, ctg, atelier)
        return _form_action(request, ctg, role, atelier, form, form_name, success, anchor, service)

    return view


registration_add = _atelier_form_view(
    Op.MANAGE_DIAGNOSTIC,
    lambda request, ctg, atelier: RegistrationForm(request.POST, ctg=ctg),
    "registration_form",
    lambda data: f"{data['person_name']} est ajouté·e à l'atelier.",
    "inscriptions",
    services.registration_add,
)


def _registration(atelier, registration_pk) -> Registration:
    return get_object_or_404(Registration, pk=registration_pk, atelier=atelier)


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("POST",))
def registration_edit(request, ctg, role, atelier_pk, registration_pk):
    atelier = _atelier(ctg, atelier_pk)
    registration = _registration(atelier, registration_pk)
    form = RegistrationStatusForm(request.POST)
    if not save_form(
        request,
        form,
        "L'inscription est enregistrée.",
        services.registration_update,
        registration=registration,
    ):
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return _back(atelier, "inscriptions")


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("POST",))
def registration_delete(request, ctg, role, atelier_pk, registration_pk):
    atelier = _atelier(ctg, atelier_pk)
    registration = _registration(atelier, registration_pk)
    run_action(
        request,
        f"{registration.person_name} est retiré·e de l'atelier.",
        services.registration_delete,
        registration=registration,
    )
    return _back(atelier, "inscriptions")


attendance = _atelier_form_view(
    Op.MANAGE_DIAGNOSTIC,
    lambda request, ctg, atelier: AttendanceForm(request.POST, atelier=atelier, members=member_choices(ctg)),
    "attendance_form",
    "Les présences sont enregistrées.",
    "presences",
    services.attendance_set,
)


attendee_add = _atelier_form_view(
    Op.MANAGE_DIAGNOSTIC,
    lambda request, ctg, atelier: AttendeeForm(request.POST, ctg=ctg),
    "attendee_form",
    lambda data: f"{data['person_name']} est noté·e présent·e.",
    "presences",
    services.attendance_add,
)


contribution_add = _atelier_form_view(
    Op.CONTRIBUTE,
    lambda request, ctg, atelier: ContributionForm(request.POST),
    "contribution_form",
    "La contribution est ajoutée.",
    "contributions",
    services.contribution_add,
)


@ctg_view(Op.CONTRIBUTE, methods=("POST",))
def contribution_delete(request, ctg, role, atelier_pk, contribution_pk):
    atelier = _atelier(ctg, atelier_pk)
    contribution = get_object_or_404(Contribution, pk=contribution_pk, atelier=atelier)
    manages = role_allows(role, Op.MANAGE_DIAGNOSTIC)
    if not services.may_delete_contribution(contribution, request.user, manages=manages):
        raise PermissionDenied("Seule la personne qui l'a ajoutée peut retirer cette contribution.")
    run_action(
        request, "La contribution est retirée.", services.contribution_delete, contribution=contribution
    )
    return _back(atelier, "contributions")


report_save = _atelier_form_view(
    Op.MANAGE_DIAGNOSTIC,
    lambda request, ctg, atelier: ReportForm(request.POST),
    "report_form",
    "Le compte rendu est enregistré.",
    "compte-rendu",
    services.report_set,
)


attachment_add = _atelier_form_view(
    Op.MANAGE_DIAGNOSTIC,
    lambda request, ctg, atelier: AttachmentForm(request.POST, request.FILES),
    "attachment_form",
    "La pièce jointe est ajoutée.",
    "pieces-jointes",
    services.attachment_add,
)


def _attachment(atelier, attachment_pk) -> Attachment:
    return get_object_or_404(Attachment, pk=attachment_pk, atelier=atelier)


@ctg_view(Op.VIEW)
def attachment_download(request, ctg, role, atelier_pk, attachment_pk):
    document = _attachment(_atelier(ctg, atelier_pk), attachment_pk)
    return stored_file_response(document.file)


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("POST",))
def attachment_delete(request, ctg, role, atelier_pk, attachment_pk):
    atelier = _atelier(ctg, atelier_pk)
    document = _attachment(atelier, attachment_pk)
    run_action(request, "La pièce jointe est retirée.", services.attachment_delete, attachment=document)
    return _back(atelier, "pieces-jointes")


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("POST",))
def vote(request, ctg, role, atelier_pk):
    atelier = _atelier(ctg, atelier_pk)
    form = DotVoteForm(request.POST, ctg=ctg)
    return _form_action(
        request,
        ctg,
        role,
        atelier,
        form,
        "vote_form",
        "Le vote est enregistré.",
        "vote",
        services.dot_vote_set,
    )


@ctg_view(Op.MANAGE_DIAGNOSTIC, methods=("GET", "POST"))
def finding_create(request, ctg, role, atelier_pk):
    """« Créer un constat » from the atelier, or from one of its contributions (`?contribution=<id>`)."""
    atelier = _atelier(ctg, atelier_pk)
    contribution = None
    contribution_id = request.GET.get("contribution", "")
    if contribution_id:
        if not contribution_id.isdigit():
            contribution_id = "0"
        contribution = get_object_or_404(Contribution, pk=int(contribution_id), atelier=atelier)
    initial = {"themes": atelier.themes}
    if contribution is not None:
        initial.update(
            title=contribution.text[:300],
            evidence=f"Contribution à l'atelier : « {contribution.text} »",
            themes=[contribution.theme] if contribution.theme else atelier.themes,
        )
    form = FindingForm(posted(request), initial=initial)
    saved = save_form(
        request,
        form,
        "Le constat est créé.",
        services.finding_from_atelier,
        atelier=atelier,
        contribution=contribution,
    )
    if saved:
        return _back(atelier, "constats")
    title = "Créer un constat"
    return render(
        request,
        "ateliers/finding_form.html",
        _context(ctg, role, title, form=form, heading=title, atelier=atelier, contribution=contribution),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.PREPARE_DOCUMENT, methods=("POST",))
def report_prepare(request, ctg, role, atelier_pk):
    """The atelier's report made by the worker (the page's button); shown in place or on the job's page."""
    from ctg.jobs.services import file_enqueue

    atelier = _atelier(ctg, atelier_pk)
    name = ctg_file_name(ctg, f"atelier-{atelier.pk}-{slugify(atelier.title)[:40]}")
    job = file_enqueue(
        kind="atelier_report",
        label=f"Compte rendu de l'atelier « {atelier.title} » (PDF)",
        producer=report.report_pdf,
        arguments={"atelier_id": atelier.pk},
        file_name=f"{name}.pdf",
        ctg=ctg,
        actor=request.user,
    )
    return job_started(request, job)


@ctg_view(Op.VIEW)
def report_pdf(request, ctg, role, atelier_pk):
    atelier = _atelier(ctg, atelier_pk)
    name = ctg_file_name(ctg, f"atelier-{atelier.pk}-{slugify(atelier.title)[:40]}")
    return attachment(report.render_pdf(atelier), PDF_TYPE, f"{name}.pdf")

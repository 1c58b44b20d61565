"""The governance tab of a dossier: bodies and their members, meetings (attendance, minutes, decisions,
invitation .ics and minutes PDF). Reading needs Op.VIEW, writing Op.MANAGE_GOVERNANCE; applying a decision to
the plan also needs Op.EDIT_PLAN."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ctg.conventions.frame import apply_errors, ctg_view, dossier_context, posted, run_action, save_form
from ctg.governance import ics, minutes, services
from ctg.governance.forms import (
    AttendanceForm,
    BodyForm,
    DecisionForm,
    GuestForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
)
from ctg.governance.models import Body, BodyMember, Decision, Meeting
from ctg.jobs.views import job_started
from ctg.organisations.permissions import Op, role_allows
from ctg.rendering import PDF_TYPE, attachment


def _meetings(ctg):
    return ctg.meetings.select_related("body")


@ctg_view(Op.VIEW)
def index(request, ctg, role):
    now = timezone.now()
    meetings = list(_meetings(ctg))
    upcoming = [m for m in meetings if m.starts_at >= now]
    past = [m for m in reversed(meetings) if m.starts_at < now]
    bodies = ctg.bodies.prefetch_related("members__organisation")
    return render(
        request,
        "governance/index.html",
        dossier_context(ctg, role, "governance", "Gouvernance", bodies=bodies, upcoming=upcoming, past=past),
    )


def _body_page(request, ctg, role, form, body=None):
    title = f"Modifier l'instance « {body.name} »" if body else "Ajouter une instance"
    return render(
        request,
        "governance/form.html",
        dossier_context(
            ctg, role, "governance", title, form=form, heading=title, submit="Enregistrer l'instance"
        ),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("GET", "POST"))
def body_add(request, ctg, role):
    form = BodyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            body = services.body_create(ctg=ctg, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"L'instance « {body.name} » est créée.")
            return redirect(f"{reverse('governance:index', args=[ctg.pk])}#instance-{body.pk}")
    return _body_page(request, ctg, role, form)


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("GET", "POST"))
def body_edit(request, ctg, role, body_pk):
    body = get_object_or_404(Body, pk=body_pk, ctg=ctg)
    form = BodyForm(posted(request), initial={"kind": body.kind, "name": body.name, "role": body.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.body_update(body=body, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"L'instance « {body.name} » est enregistrée.")
            return redirect(f"{reverse('governance:index', args=[ctg.pk])}#instance-{body.pk}")
    return _body_page(request, ctg, role, form, body)


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def body_delete(request, ctg, role, body_pk):
    body = get_object_or_404(Body, pk=body_pk, ctg=ctg)
    try:
        services.body_delete(body=body, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"L'instance « {body.name} » est supprimée.")
    return redirect("governance:index", pk=ctg.pk)


def _member_page(request, ctg, role, form, body, member=None):
    title = f"Modifier un membre de « {body.name} »" if member else f"Ajouter un membre à « {body.name} »"
    return render(
        request,
        "governance/form.html",
        dossier_context(
            ctg, role, "governance", title, form=form, heading=title, submit="Enregistrer le membre"
        ),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("GET", "POST"))
def member_add(request, ctg, role, body_pk):
    body = get_object_or_404(Body, pk=body_pk, ctg=ctg)
    form = MemberForm(posted(request), ctg=ctg)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_add(body=body, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{member.person_name} est membre de « {body.name} ».")
            return redirect(f"{reverse('governance:index', args=[ctg.pk])}#instance-{body.pk}")
    return _member_page(request, ctg, role, form, body)


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("GET", "POST"))
def member_edit(request, ctg, role, body_pk, member_pk):
    member = get_object_or_404(BodyMember, pk=member_pk, body__pk=body_pk, body__ctg=ctg)
    initial = {f: getattr(member, f) for f in ("organisation", "person_name", "capacity", "email")}
    form = MemberForm(posted(request), initial=initial, ctg=ctg)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{member.person_name} : modifications enregistrées.")
            return redirect(f"{reverse('governance:index', args=[ctg.pk])}#instance-{member.body_id}")
    return _member_page(request, ctg, role, form, member.body, member)


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def member_remove(request, ctg, role, body_pk, member_pk):
    member = get_object_or_404(BodyMember, pk=member_pk, body__pk=body_pk, body__ctg=ctg)
    services.member_remove(member=member, actor=request.user)
    messages.success(request, f"{member.person_name} ne fait plus partie de « {member.body.name} ».")
    return redirect(f"{reverse('governance:index', args=[ctg.pk])}#instance-{body_pk}")


def _meeting_form_page(request, ctg, role, form, meeting=None):
    title = f"Modifier la réunion « {meeting} »" if meeting else "Planifier une réunion"
    return render(
        request,
        "governance/meeting_form.html",
        dossier_context(
            ctg, role, "governance", title, form=form, heading=title, submit="Enregistrer la réunion"
        ),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("GET", "POST"))
def meeting_add(request, ctg, role):
    initial = {"body": request.GET.get("instance")}
    form = MeetingForm(posted(request), ctg=ctg, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(ctg=ctg, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"La réunion « {meeting} » est planifiée.")
            return redirect("governance:meeting", pk=ctg.pk, meeting_pk=meeting.pk)
    return _meeting_form_page(request, ctg, role, form)


def _get_meeting(ctg, meeting_pk):
    return get_object_or_404(Meeting.objects.select_related("body", "ctg"), pk=meeting_pk, ctg=ctg)


def _meeting_page(request, ctg, role, meeting, status=200, **forms):
    participants = list(meeting.participants.all())
    decisions = list(meeting.decisions.select_related("fiche", "applied_by"))
    for decision in decisions:
        decision.effect = services.decision_effect(decision)
    can_manage = role_allows(role, Op.MANAGE_GOVERNANCE)
    editable = can_manage and meeting.status != Meeting.Status.CANCELLED
    context = dossier_context(
        ctg,
        role,
        "governance",
        str(meeting),
        meeting=meeting,
        participants=participants,
        decisions=decisions,
        can_manage=can_manage,
        editable=editable,
        can_apply=can_manage and role_allows(role, Op.EDIT_PLAN),
        can_mark_held=editable
        and meeting.status == Meeting.Status.PLANNED
        and meeting.starts_at <= timezone.now(),
        emails=[p.email for p in participants if p.email],
    )
    if editable:
        context.update(
            attendance_form=forms.get("attendance_form") or AttendanceForm(participants=participants),
            minutes_form=forms.get("minutes_form") or MinutesForm(initial={"minutes": meeting.minutes}),
            guest_form=forms.get("guest_form") or GuestForm(),
            decision_form=forms.get("decision_form") or DecisionForm(ctg=ctg),
        )
    return render(request, "governance/meeting.html", context, status=status)


@ctg_view(Op.VIEW)
def meeting(request, ctg, role, meeting_pk):
    return _meeting_page(request, ctg, role, _get_meeting(ctg, meeting_pk))


def _back(meeting, anchor=""):
    url = reverse("governance:meeting", args=[meeting.ctg_id, meeting.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("GET", "POST"))
def meeting_edit(request, ctg, role, meeting_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    if meeting.status == Meeting.Status.CANCELLED:
        messages.error(request, "Cette réunion est annulée : elle ne peut plus être modifiée.")
        return _back(meeting)
    fields = ("body", "title", "starts_at", "ends_at", "place", "link", "agenda")
    initial = {f: getattr(meeting, f) for f in fields}
    initial["starts_at"] = timezone.localtime(meeting.starts_at)
    if meeting.month_only:
        initial["starts_at"], initial["month"] = None, timezone.localdate(meeting.starts_at)
    if meeting.ends_at:
        initial["ends_at"] = timezone.localtime(meeting.ends_at)
    form = MeetingForm(posted(request), ctg=ctg, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "La réunion est enregistrée.")
            return _back(meeting)
    return _meeting_form_page(request, ctg, role, form, meeting)


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def meeting_cancel(request, ctg, role, meeting_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    run_action(request, "La réunion est annulée.", services.meeting_cancel, meeting=meeting)
    return _back(meeting)


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def meeting_held(request, ctg, role, meeting_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    run_action(request, "La réunion est marquée comme tenue.", services.meeting_mark_held, meeting=meeting)
    return _back(meeting)


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def meeting_invite(request, ctg, role, meeting_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    url = request.build_absolute_uri(reverse("governance:meeting", args=[ctg.pk, meeting.pk]))
    try:
        sent = services.meeting_invite(meeting=meeting, actor=request.user, url=url)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"L'invitation est envoyée à {sent} personne{'s' if sent > 1 else ''}.")
    return _back(meeting)


def _form_action(request, ctg, role, meeting, form, form_name, success, anchor, service, **arguments):
    """A form of the meeting page sent to `service` (with the meeting): back to its section when saved, else
    the meeting page again with the form's errors."""
    if save_form(request, form, success, service, meeting=meeting, **arguments):
        return _back(meeting, anchor)
    if meeting.status == Meeting.Status.CANCELLED:
        messages.error(request, "Cette réunion est annulée : elle ne peut plus être modifiée.")
        return _back(meeting)
    return _meeting_page(request, ctg, role, meeting, status=400, **{form_name: form})


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def attendance(request, ctg, role, meeting_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    form = AttendanceForm(request.POST, participants=meeting.participants.all())
    return _form_action(
        request,
        ctg,
        role,
        meeting,
        form,
        "attendance_form",
        "Les présences sont enregistrées.",
        "presences",
        services.attendance_set,
    )


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def guest_add(request, ctg, role, meeting_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    form = GuestForm(request.POST)
    return _form_action(
        request,
        ctg,
        role,
        meeting,
        form,
        "guest_form",
        "La personne est invitée.",
        "presences",
        services.participant_add,
    )


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def minutes_save(request, ctg, role, meeting_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    form = MinutesForm(request.POST)
    return _form_action(
        request,
        ctg,
        role,
        meeting,
        form,
        "minutes_form",
        "Le compte rendu est enregistré.",
        "compte-rendu",
        services.minutes_set,
    )


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def decision_add(request, ctg, role, meeting_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    form = DecisionForm(request.POST, ctg=ctg)
    return _form_action(
        request,
        ctg,
        role,
        meeting,
        form,
        "decision_form",
        "La décision est ajoutée.",
        "decisions",
        services.decision_add,
    )


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def decision_apply(request, ctg, role, meeting_pk, decision_pk):
    if not role_allows(role, Op.EDIT_PLAN):
        raise PermissionDenied("Votre rôle ne permet pas de modifier le plan d'action.")
    meeting = _get_meeting(ctg, meeting_pk)
    decision = get_object_or_404(Decision, pk=decision_pk, meeting=meeting)
    try:
        applied = services.decision_apply(decision=decision, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if applied.applied_without_effect:
            messages.info(
                request, f"La décision est marquée appliquée, sans effet : {applied.applied_without_effect}."
            )
        else:
            messages.success(request, "La décision est appliquée au plan d'action.")
    return _back(meeting, "decisions")


@ctg_view(Op.MANAGE_GOVERNANCE, methods=("POST",))
def decision_delete(request, ctg, role, meeting_pk, decision_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    decision = get_object_or_404(Decision, pk=decision_pk, meeting=meeting)
    run_action(request, "La décision est supprimée.", services.decision_remove, decision=decision)
    return _back(meeting, "decisions")


def _file_name(meeting, suffix):
    date = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    return f"{slugify(meeting.body.name) or 'reunion'}-{date}-{suffix}"


@ctg_view(Op.VIEW)
def meeting_ics(request, ctg, role, meeting_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    if meeting.month_only:
        # A past meeting whose day is unknown has no place in a calendar: no .ics (the page offers none).
        raise Http404("Cette réunion n'a pas de jour connu : elle n'a pas d'invitation .ics.")
    url = request.build_absolute_uri(reverse("governance:meeting", args=[ctg.pk, meeting.pk]))
    content = ics.meeting_calendar(meeting, url=url)
    return attachment(content, "text/calendar; charset=utf-8", f"{_file_name(meeting, 'invitation')}.ics")


@ctg_view(Op.PREPARE_DOCUMENT, methods=("POST",))
def meeting_minutes_prepare(request, ctg, role, meeting_pk):
    """The minutes' PDF made by the worker (the page's button); shown in place or on the job's page."""
    from ctg.jobs.services import file_enqueue

    meeting = _get_meeting(ctg, meeting_pk)
    job = file_enqueue(
        kind="minutes",
        label=f"Compte rendu (PDF) — {meeting.body.name}, {timezone.localtime(meeting.starts_at):%d/%m/%Y}",
        producer=minutes.minutes_pdf,
        arguments={"meeting_id": meeting.pk},
        file_name=f"{_file_name(meeting, 'compte-rendu')}.pdf",
        ctg=ctg,
        actor=request.user,
    )
    return job_started(request, job)


@ctg_view(Op.VIEW)
def meeting_minutes_pdf(request, ctg, role, meeting_pk):
    meeting = _get_meeting(ctg, meeting_pk)
    return attachment(minutes.render_pdf(meeting), PDF_TYPE, f"{_file_name(meeting, 'compte-rendu')}.pdf")

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from ctg.conventions import history_page, services
from ctg.conventions.forms import (
    AvenantForm,
    CtgCreateForm,
    CtgEditForm,
    CtgTerritoryForm,
    InviteForm,
    MilestoneForm,
    PartnerForm,
    PartnerRoleForm,
    RenewForm,
    SignatoryForm,
    SignatureForm,
    SignaturesForm,
    StatusForm,
)
from ctg.conventions.frame import apply_errors, ctg_view, dossier_context, posted, run_action, save_form
from ctg.conventions.models import Avenant, Membership, Milestone, Partner, Phase, Signatory
from ctg.conventions.selectors import caf_organisations_for, can_create_ctg, ctg_visible_to
from ctg.organisations.choices import group_label, sort_key
from ctg.organisations.permissions import Op, role_allows
from ctg.rendering import attachment, ctg_file_name
from ctg.territories import french
from ctg.uploads import stored_file_response


@login_required
@require_safe
def ctg_list(request):
    dossiers = (
        ctg_visible_to(request.user)
        .select_related("caf", "epci")
        .prefetch_related("communes", "signatories", "excluded_communes")
    )
    phase = request.GET.get("phase")
    if phase in Phase.values:
        dossiers = dossiers.filter(phase=phase)
    return render(
        request,
        "conventions/list.html",
        {
            "title": "Dossiers CTG",
            "nav": "ctg",
            "dossiers": dossiers,
            "phases": Phase.choices,
            "current_phase": phase,
            "can_create": can_create_ctg(request.user),
            "breadcrumb_data": {"current": "Dossiers CTG"},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ctg_create(request):
    if not can_create_ctg(request.user):
        raise PermissionDenied("Seuls la CAF et les collectivités créent un dossier CTG.")
    cafs = caf_organisations_for(request.user)
    form = CtgCreateForm(posted(request), cafs=cafs, organisation=request.user.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ctg = services.ctg_create(
                actor=request.user,
                title=data["title"],
                caf=data["caf"],
                start_year=data["start_year"],
                end_year=data["end_year"],
                fields=data["fields"],
                epci=data.get("epci"),
                communes=data.get("communes"),
                excluded_communes=data.get("excluded_communes"),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Le dossier « {ctg.title} » est créé.")
            return redirect("conventions:detail", pk=ctg.pk)
    return render(
        request,
        "conventions/create.html",
        {
            "form": form,
            "title": "Nouveau dossier CTG",
            "nav": "ctg",
            "breadcrumb_data": {
                "links": [{"url": reverse("conventions:list"), "title": "Dossiers CTG"}],
                "current": "Nouveau dossier",
            },
        },
    )


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def ctg_edit(request, ctg, role):
    initial = {
        "title": ctg.title,
        "start_year": ctg.start_year,
        "end_year": ctg.end_year,
        "fields": ctg.fields,
        "agreement": ctg.agreement,
    }
    form = CtgEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ctg_update(ctg=ctg, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Le dossier est enregistré.")
            return redirect("conventions:detail", pk=ctg.pk)
    return render(
        request, "conventions/edit.html", dossier_context(ctg, role, "edit", "Modifier le dossier", form=form)
    )


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def ctg_territory(request, ctg, role):
    """« Modifier le territoire »: the choice made at the creation, corrected until the signature."""
    locked = services.territory_locked(ctg)
    form = CtgTerritoryForm(posted(request), ctg=ctg)
    before = ctg.territory_name
    saved = save_form(
        request,
        form,
        lambda data: f"Le territoire est modifié : {ctg.territory_name} (auparavant : {before}).",
        services.ctg_territory_update,
        ctg=ctg,
    )
    if saved:
        return redirect("conventions:detail", pk=ctg.pk)
    return render(
        request,
        "conventions/territory.html",
        dossier_context(ctg, role, "edit", "Modifier le territoire", form=form, locked=locked),
        status=400 if request.method == "POST" else 200,
    )


def _of_the_caf(user, ctg) -> bool:
    """A person of the dossier's CAF (or a superuser): who may delete a dossier."""
    return user.is_superuser or (user.organisation_id is not None and user.organisation_id == ctg.caf_id)


@ctg_view(Op.DELETE_DOSSIER, methods=("GET", "POST"))
def ctg_delete(request, ctg, role):
    """« Supprimer le dossier … ? »: a dossier in préparation, by its CAF, after confirmation."""
    if not _of_the_caf(request.user, ctg):
        raise PermissionDenied("Seule la CAF du dossier peut le supprimer.")
    blocker = services.deletion_blocker(ctg)
    status = 200
    if request.method == "POST":
        title = ctg.title
        if run_action(request, f"Le dossier « {title} » est supprimé.", services.ctg_delete, ctg=ctg):
            return redirect("conventions:list")
        status = 400
    return render(
        request,
        "conventions/delete.html",
        dossier_context(
            ctg,
            role,
            "edit",
            "Supprimer le dossier",
            blocker=blocker,
            contents=[] if blocker else services.deletion_contents(ctg),
        ),
        status=status,
    )


@ctg_view(Op.CHANGE_STATUS, methods=("POST",))
def ctg_status(request, ctg, role):
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.ctg_transition(ctg=ctg, actor=request.user, to=form.cleaned_data["to"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            ctg.refresh_from_db()
            messages.success(request, f"Le dossier passe à la phase « {ctg.get_phase_display()} ».")
    return redirect("conventions:detail", pk=ctg.pk)


@ctg_view(Op.VIEW)
def ctg_parties(request, ctg, role):
    return _parties_page(request, ctg, role)


def _parties_page(
    request,
    ctg,
    role,
    signatory_form=None,
    partner_form=None,
    signatures_form=None,
    status=200,
    avenant_form=None,
):
    signatories = list(ctg.signatories.select_related("organisation"))
    return render(
        request,
        "conventions/parties.html",
        dossier_context(
            ctg,
            role,
            "parties",
            "Signataires et partenaires",
            signatories=signatories,
            signed_count=sum(1 for s in signatories if s.signed_on),
            signature_date=ctg.signature_date,
            signing_open=services.signing_open(ctg),
            removable=not ctg.is_signed,
            clearable=not ctg.is_signed,
            avenants=ctg.avenants.all(),
            avenant_form=avenant_form or (AvenantForm() if ctg.is_signed else None),
            partners=sorted(
                ctg.partnerships.select_related("organisation"),
                key=lambda p: (group_label(p.organisation.kind), sort_key(p.organisation.name)),
            ),
            signatory_form=signatory_form or SignatoryForm(ctg=ctg),
            partner_form=partner_form or PartnerForm(ctg=ctg),
            signatures_form=signatures_form or SignaturesForm(ctg=ctg),
        ),
        status=status,
    )


@ctg_view(Op.EDIT_SIGNATORIES, methods=("POST",))
def signatory_add(request, ctg, role):
    form = SignatoryForm(request.POST, ctg=ctg)
    if form.is_valid():
        try:
            services.signatory_add(ctg=ctg, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Le signataire est ajouté.")
            return redirect("conventions:parties", pk=ctg.pk)
    return _parties_page(request, ctg, role, signatory_form=form, status=400)


@ctg_view(Op.EDIT_SIGNATORIES, methods=("POST",))
def signatory_remove(request, ctg, role, signatory_pk):
    signatory = get_object_or_404(Signatory, pk=signatory_pk, ctg=ctg)
    try:
        services.signatory_remove(signatory=signatory, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Le signataire est retiré.")
    return redirect("conventions:parties", pk=ctg.pk)


@ctg_view(Op.RECORD_SIGNATURES, methods=("GET", "POST"))
def signature(request, ctg, role, signatory_pk):
    signatory = get_object_or_404(Signatory.objects.select_related("organisation"), pk=signatory_pk, ctg=ctg)
    initial = {"signed_on": signatory.signed_on}
    form = SignatureForm(posted(request), request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.signature_record(
                    signatory=signatory,
                    actor=request.user,
                    signed_on=form.cleaned_data["signed_on"],
                    signed_scan=form.cleaned_data.get("signed_scan"),
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"La signature {french.organisation_of(signatory.organisation.name)} est enregistrée.",
                )
                return redirect("conventions:parties", pk=ctg.pk)
        status = 400
    return render(
        request,
        "conventions/signature.html",
        dossier_context(
            ctg,
            role,
            "parties",
            f"Signature {french.organisation_of(signatory.organisation.name)}",
            form=form,
            signatory=signatory,
        ),
        status=status,
    )


@ctg_view(Op.RECORD_SIGNATURES, methods=("POST",))
def signature_clear(request, ctg, role, signatory_pk):
    signatory = get_object_or_404(Signatory, pk=signatory_pk, ctg=ctg)
    try:
        services.signature_clear(signatory=signatory, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"La signature {french.organisation_of(signatory.organisation.name)} est annulée."
        )
    return redirect("conventions:parties", pk=ctg.pk)


@ctg_view(Op.VIEW)
def signature_scan(request, ctg, role, signatory_pk):
    signatory = get_object_or_404(Signatory.objects.select_related("organisation"), pk=signatory_pk, ctg=ctg)
    if not signatory.signed_scan:
        raise Http404("Aucun exemplaire signé n'est déposé.")
    extension = os.path.splitext(signatory.signed_scan.name)[1].lower()
    return stored_file_response(
        signatory.signed_scan, filename=f"convention-signee-{slugify(signatory.organisation.name)}{extension}"
    )


@ctg_view(Op.EDIT, methods=("POST",))
def partner_add(request, ctg, role):
    form = PartnerForm(request.POST, ctg=ctg)
    if form.is_valid():
        try:
            partner = services.partner_add(ctg=ctg, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{partner.organisation} est partenaire associé.")
            return redirect("conventions:parties", pk=ctg.pk)
    return _parties_page(request, ctg, role, partner_form=form, status=400)


@ctg_view(Op.EDIT, methods=("GET", "POST"))
def partner_edit(request, ctg, role, organisation_pk):
    """The role of a partner in the CTG."""
    partner = get_object_or_404(
        Partner.objects.select_related("organisation"), ctg=ctg, organisation_id=organisation_pk
    )
    form = PartnerRoleForm(posted(request), initial={"role": partner.role})
    if save_form(
        request, form, "Le rôle du partenaire est enregistré.", services.partner_update, partner=partner
    ):
        return redirect("conventions:parties", pk=ctg.pk)
    return render(
        request,
        "conventions/partner_edit.html",
        dossier_context(
            ctg,
            role,
            "parties",
            f"Rôle {french.organisation_of(partner.organisation.name)}",
            form=form,
            partner=partner,
        ),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.EDIT, methods=("POST",))
def partner_remove(request, ctg, role, organisation_pk):
    organisation = get_object_or_404(ctg.partners, pk=organisation_pk)
    services.partner_remove(ctg=ctg, actor=request.user, organisation=organisation)
    messages.success(request, f"{organisation} n'est plus partenaire associé.")
    return redirect("conventions:parties", pk=ctg.pk)


@ctg_view(Op.RECORD_SIGNATURES, methods=("POST",))
def signatures_record(request, ctg, role):
    """One signature date for several parties at once."""
    form = SignaturesForm(request.POST, ctg=ctg)
    if form.is_valid():
        try:
            recorded = services.signatures_record(ctg=ctg, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            count = len(recorded)
            messages.success(
                request,
                f"{count} signature{'s' if count > 1 else ''} enregistrée{'s' if count > 1 else ''} "
                f"le {form.cleaned_data['signed_on']:%d/%m/%Y}.",
            )
            return redirect("conventions:parties", pk=ctg.pk)
    return _parties_page(request, ctg, role, signatures_form=form, status=400)


@ctg_view(Op.MANAGE_CONVENTION, methods=("POST",))
def avenant_add(request, ctg, role):
    """Records an avenant to the signed convention (section « Avenants » of the parties page)."""
    form = AvenantForm(request.POST)
    if save_form(request, form, "L'avenant est enregistré.", services.avenant_add, ctg=ctg):
        return redirect(reverse("conventions:parties", args=[ctg.pk]) + "#avenants")
    return _parties_page(request, ctg, role, avenant_form=form, status=400)


@ctg_view(Op.MANAGE_CONVENTION, methods=("GET", "POST"))
def avenant_edit(request, ctg, role, avenant_pk):
    avenant = get_object_or_404(Avenant, pk=avenant_pk, ctg=ctg)
    initial = {"title": avenant.title, "signed_on": avenant.signed_on, "notes": avenant.notes}
    form = AvenantForm(posted(request), initial=initial)
    if save_form(request, form, "L'avenant est enregistré.", services.avenant_update, avenant=avenant):
        return redirect(reverse("conventions:parties", args=[ctg.pk]) + "#avenants")
    return render(
        request,
        "conventions/avenant_edit.html",
        dossier_context(ctg, role, "parties", f"Avenant n° {avenant.number}", form=form, avenant=avenant),
        status=400 if request.method == "POST" else 200,
    )


@ctg_view(Op.MANAGE_CONVENTION, methods=("POST",))
def avenant_delete(request, ctg, role, avenant_pk):
    avenant = get_object_or_404(Avenant, pk=avenant_pk, ctg=ctg)
    success = f"L'avenant n° {avenant.number} est supprimé."
    run_action(request, success, services.avenant_delete, avenant=avenant)
    return redirect(reverse("conventions:parties", args=[ctg.pk]) + "#avenants")


@ctg_view(Op.VIEW, methods=("GET", "POST"), post_op=Op.MANAGE_MEMBERS)
def members(request, ctg, role):
    can_manage = role_allows(role, Op.MANAGE_MEMBERS)
    form = InviteForm(posted(request), ctg=ctg, actor_role=role) if can_manage else None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                membership = services.membership_invite(
                    ctg=ctg, actor=request.user, actor_role=role, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{membership.user.email} rejoint le dossier comme {membership.get_role_display()}.",
                )
                return redirect("conventions:members", pk=ctg.pk)
        status = 400
    return render(
        request,
        "conventions/members.html",
        dossier_context(
            ctg,
            role,
            "members",
            "Membres",
            members=ctg.memberships.select_related("user", "user__organisation").prefetch_related("communes"),
            form=form,
        ),
        status=status,
    )


@ctg_view(Op.MANAGE_MEMBERS, methods=("POST",))
def member_remove(request, ctg, role, membership_pk):
    membership = get_object_or_404(Membership, pk=membership_pk, ctg=ctg)
    if membership.user_id == request.user.pk:
        messages.error(request, "Vous ne pouvez pas vous retirer vous-même du dossier.")
    else:
        services.membership_remove(membership=membership, actor=request.user)
        messages.success(request, f"{membership.user} ne fait plus partie du dossier.")
    return redirect("conventions:members", pk=ctg.pk)


@ctg_view(Op.VIEW, methods=("GET", "POST"), post_op=Op.MANAGE_MILESTONES)
def milestones(request, ctg, role):
    can_manage = role_allows(role, Op.MANAGE_MILESTONES)
    form = MilestoneForm(posted(request)) if can_manage else None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.milestone_create(ctg=ctg, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Le jalon est ajouté.")
                return redirect("conventions:milestones", pk=ctg.pk)
        status = 400
    items = list(ctg.milestones.all())
    return render(
        request,
        "conventions/milestones.html",
        dossier_context(
            ctg, role, "milestones", "Calendrier", items=items, form=form, today=timezone.localdate()
        ),
        status=status,
    )


@ctg_view(Op.MANAGE_MILESTONES, methods=("GET", "POST"))
def milestone_edit(request, ctg, role, milestone_pk):
    milestone = get_object_or_404(Milestone, pk=milestone_pk, ctg=ctg)
    form = MilestoneForm(posted(request), initial=MilestoneForm.initial_for(milestone))
    if request.method == "POST" and form.is_valid():
        try:
            services.milestone_update(milestone=milestone, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Le jalon est enregistré.")
            return redirect("conventions:milestones", pk=ctg.pk)
    return render(
        request,
        "conventions/milestone_edit.html",
        dossier_context(ctg, role, "milestones", "Modifier un jalon", form=form, milestone=milestone),
    )


@ctg_view(Op.MANAGE_MILESTONES, methods=("POST",))
def milestone_delete(request, ctg, role, milestone_pk):
    milestone = get_object_or_404(Milestone, pk=milestone_pk, ctg=ctg)
    services.milestone_delete(milestone=milestone, actor=request.user)
    messages.success(request, "Le jalon est supprimé.")
    return redirect("conventions:milestones", pk=ctg.pk)


@ctg_view(Op.VIEW_HISTORY)
def history(request, ctg, role):
    """The dossier's history, 50 lines a page, filtered by kind of item, person and dates
    (`ctg.conventions.history_page`); `?element=<type>-<id>` keeps the changes of one item (an enjeu, a
    fiche…); `?export=csv` downloads every line the filters keep (invalid filters ignored, as on the page)."""
    entries, form, filtered, element = history_page.filtered_history(ctg, request.GET)
    if request.GET.get("export") == "csv":
        return attachment(
            ("\ufeff" + history_page.history_csv(entries)).encode("utf-8"),
            "text/csv; charset=utf-8",
            ctg_file_name(ctg, "historique") + ".csv",
        )
    page = history_page.history_page(entries, request.GET.get("page"))
    query = history_page.query_string(request.GET)
    context = dossier_context(
        ctg,
        role,
        "history",
        "Historique",
        entries=page.object_list,
        page_obj=page,
        count=page.paginator.count,
        form=form,
        filtered=filtered,
        element=element,
        page_prefix=f"?{query}&page=" if query else "?page=",
        csv_url=f"{reverse('conventions:history', args=[ctg.pk])}?{query}{'&' if query else ''}export=csv",
    )
    return render(request, "conventions/history.html", context, status=400 if form.errors else 200)


@ctg_view(Op.RENEW, methods=("GET", "POST"))
def renew(request, ctg, role):
    """The renewal: the next period, and what the new CTG takes from this one, each item a checkbox checked by
    default (`ctg.conventions.renewal`); the POST carries exactly the items checked."""
    from ctg.conventions import renewal

    initial = {"start_year": ctg.end_year + 1, "end_year": ctg.end_year + ctg.duration_years}
    form = RenewForm(posted(request), initial=initial)
    groups = renewal.options(ctg)
    posting = request.method == "POST"
    chosen = request.POST.getlist("carry") if posting else sorted(renewal.all_keys(groups))
    if request.method == "POST" and form.is_valid():
        try:
            new = services.ctg_renew(ctg=ctg, actor=request.user, choices=chosen, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Le dossier « {new.title} » est créé pour la période {new.period_label}."
            )
            return redirect("conventions:detail", pk=new.pk)
    context = dossier_context(
        ctg, role, "renew", "Renouveler la CTG", form=form, groups=groups, chosen=set(chosen)
    )
    # A refused renewal shows the page again with its errors (status 200, as before the choices).
    return render(request, "conventions/renew.html", context)

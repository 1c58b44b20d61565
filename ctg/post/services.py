"""Writes on the coordinator post (chargé·e de coopération) of a dossier, the CAF's yearly co-funding of the
post and the yearly activity report. Each function validates (French messages), writes atomically and records
who did what in the dossier's history, tied to the post, the funding line or the report.

Report statuses: « À préparer » → « Envoyé » (report_send, priorities filled) → « Accepté » (report_accept,
a funding line for the year exists). An accepted report is no longer edited."""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ctg.conventions.models import Ctg
from ctg.conventions.selectors import dossier_organisation_problems
from ctg.core.history import history_record, history_value, register_labels, tracked_update
from ctg.core.models import Action
from ctg.organisations.models import Organisation
from ctg.post.models import ActivityReport, CoordinatorPost, PostFunding
from ctg.text import clean_text

User = get_user_model()
ZERO = Decimal("0")
CENT = Decimal("0.01")
ONE = Decimal("1")

POST_FIELDS = {
    "person_name": "personne",
    "user": "compte",
    "employer": "employeur",
    "fte": "ETP",
    "start_date": "date de prise de poste",
    "end_date": "date de fin",
    "missions": "missions",
}
FUNDING_FIELDS = {
    "year": "année",
    "amount_agreed": "montant accordé",
    "advance_paid": "avance versée",
    "balance_paid": "solde versé",
    "decided_on": "décision de financement le",
}
REPORT_FIELDS = {"priorities": "priorités de l'année suivante", "comments": "activité de l'année"}
register_labels(Action.POST, POST_FIELDS)
register_labels(Action.POST_FUNDING, FUNDING_FIELDS)
register_labels(Action.ACTIVITY_REPORT, {**REPORT_FIELDS, "status": "statut"})


def show(value) -> str:
    """A value as the history shows it: dates dd/mm/yyyy, amounts and FTE with two decimals."""
    return history_value(value, decimals=2)


# --- choices -------------------------------------------------------------------------------------------


def member_users(ctg: Ctg) -> QuerySet:
    """The people who may hold the post's account: the dossier's members."""
    return User.objects.filter(memberships__ctg=ctg).distinct().order_by("last_name", "first_name", "email")


def employer_choices(ctg: Ctg) -> QuerySet[Organisation]:
    """The organisations that may employ the coordinator: the territory's collectivities (EPCI, communes),
    the CAF, the signatories, the partners and the organisations of the dossier's members."""
    condition = (
        Q(pk=ctg.caf_id)
        | Q(pk__in=ctg.signatories.values("organisation"))
        | Q(pk__in=ctg.partners.values("pk"))
        | Q(pk__in=ctg.memberships.exclude(user__organisation=None).values("user__organisation"))
        | Q(kind=Organisation.Kind.COMMUNE, commune__in=ctg.communes.all())
    )
    if ctg.epci_id:
        condition |= Q(kind=Organisation.Kind.EPCI, epci_id=ctg.epci_id)
    return Organisation.objects.filter(condition).distinct().order_by("name")


# --- the post ------------------------------------------------------------------------------------------


def _post_errors(ctg, *, person_name, user, employer, fte, start_date, end_date) -> dict:
    errors = {}
    if not person_name:
        errors["person_name"] = "Indiquez le nom de la personne qui occupe le poste."
    elif len(person_name) > 200:
        errors["person_name"] = "Le nom ne doit pas dépasser 200 caractères."
    if user is not None and not member_users(ctg).filter(pk=user.pk).exists():
        errors["user"] = "Le compte doit être celui d'un membre du dossier."
    current = CoordinatorPost.objects.filter(ctg=ctg).values_list("employer_id", flat=True)
    if employer is None:
        errors["employer"] = "Choisissez l'organisation employeuse."
    elif problems := dossier_organisation_problems(ctg, [employer], keep=list(current)):
        errors["employer"] = problems  # the one rule of the organisations a dossier names
    elif not employer_choices(ctg).filter(pk=employer.pk).exists():
        errors["employer"] = (
            "L'employeur doit être une organisation du dossier (collectivité du territoire, CAF, "
            "signataire, partenaire ou organisation d'un membre)."
        )
    if fte is None:
        errors["fte"] = "Indiquez le temps de travail en équivalent temps plein (ETP)."
    else:
        try:
            fte = Decimal(fte)
        except (InvalidOperation, TypeError, ValueError):
            errors["fte"] = "L'ETP doit être un nombre."
        else:
            if not ZERO < fte <= ONE:
                errors["fte"] = "L'ETP doit être supérieur à 0 et au plus égal à 1 (temps plein)."
            elif fte != fte.quantize(Decimal("0.01")):
                errors["fte"] = "L'ETP s'exprime avec deux décimales au plus (par exemple 0,8)."
    if start_date is None:
        errors["start_date"] = "Indiquez la date de prise de poste."
    elif start_date.year > ctg.end_year:
        errors["start_date"] = (
            f"La prise de poste doit avoir lieu avant la fin de la CTG ({ctg.period_label})."
        )
    if end_date is not None and start_date is not None and end_date <= start_date:
        errors["end_date"] = "La date de fin doit suivre la date de prise de poste."
    return errors


@transaction.atomic
def post_set(
    *,
    ctg: Ctg,
    actor,
    person_name: str,
    employer: Organisation | None,
    fte,
    start_date: datetime.date | None,
    user=None,
    end_date: datetime.date | None = None,
    missions: str = "",
) -> CoordinatorPost:
    """Creates the dossier's coordinator post, or updates it."""
    person_name = (person_name or "").strip()
    missions = (missions or "").strip()
    errors = _post_errors(
        ctg,
        person_name=person_name,
        user=user,
        employer=employer,
        fte=fte,
        start_date=start_date,
        end_date=end_date,
    )
    if errors:
        raise ValidationError(errors)
    values = {
        "person_name": person_name,
        "user": user,
        "employer": employer,
        "fte": Decimal(fte),
        "start_date": start_date,
        "end_date": end_date,
        "missions": missions,
    }
    post = CoordinatorPost.objects.select_for_update().filter(ctg=ctg).first()
    if post is None:
        post = CoordinatorPost(ctg=ctg, created_by=actor, updated_by=actor, **values)
        post.full_clean()
        post.save()
        history_record(
            ctg=ctg,
            actor=actor,
            action=Action.POST,
            summary=f"Poste de coordination enregistré : {post}",
            changes={k: ["", show(v)] for k, v in values.items() if v not in (None, "")},
            item=post,
        )
        return post
    tracked_update(
        post,
        actor=actor,
        ctg=ctg,
        values=values,
        action=Action.POST,
        summary=lambda labels: f"Poste de coordination modifié : {post}",
        display=show,
        full_clean=True,
    )
    return post


# --- funding -------------------------------------------------------------------------------------------


def _amount(value, label: str, errors: dict, field: str):
    if value is None or value == "":
        errors[field] = f"Indiquez {label}."
        return None
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = f"{label[0].upper()}{label[1:]} doit être un nombre."
        return None
    if not amount.is_finite() or amount < 0:
        errors[field] = f"{label[0].upper()}{label[1:]} ne peut pas être négatif."
        return None
    if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e10"):
        errors[field] = f"{label[0].upper()}{label[1:]} s'exprime en euros avec deux décimales au plus."
        return None
    return amount


@transaction.atomic
def funding_set(
    *,
    post: CoordinatorPost,
    actor,
    year: int | None,
    amount_agreed,
    advance_paid=ZERO,
    balance_paid=ZERO,
    decided_on: datetime.date | None = None,
    funding: PostFunding | None = None,
) -> PostFunding:
    """Records the CAF's co-funding of the post for a year (a new line when `funding` is None)."""
    ctg = post.ctg
    errors = {}
    if year is None:
        errors["year"] = "Indiquez l'année financée."
    elif not ctg.start_year <= year <= ctg.end_year:
        errors["year"] = f"L'année doit être comprise dans la période de la CTG ({ctg.period_label})."
    else:
        clash = PostFunding.objects.filter(post=post, year=year)
        if funding is not None:
            clash = clash.exclude(pk=funding.pk)
        if clash.exists():
            errors["year"] = f"Le financement de {year} est déjà enregistré : modifiez-le."
    agreed = _amount(amount_agreed, "le montant accordé", errors, "amount_agreed")
    advance = _amount(advance_paid, "l'avance versée", errors, "advance_paid")
    balance = _amount(balance_paid, "le solde versé", errors, "balance_paid")
    if agreed is not None and advance is not None and balance is not None and advance + balance > agreed:
        errors["balance_paid"] = (
            "L'avance et le solde versés ne peuvent pas dépasser ensemble le montant accordé."
        )
    if funding is not None and funding.follows_convention and not errors:
        # One path for the payments of a year whose convention is followed: its steps (signature first,
        # the activity report accepted before the balance).
        if year != funding.year:
            errors["year"] = "L'année d'un financement dont la convention est suivie ne change pas."
        if advance != funding.advance_paid:
            errors["advance_paid"] = (
                "La convention de ce financement est suivie : enregistrez l'acompte par son étape."
            )
        if balance != funding.balance_paid:
            errors["balance_paid"] = (
                "La convention de ce financement est suivie : enregistrez le solde par son étape."
            )
    if errors:
        raise ValidationError(errors)
    values = {
        "year": year,
        "amount_agreed": agreed,
        "advance_paid": advance,
        "balance_paid": balance,
        "decided_on": decided_on,
    }
    if funding is None:
        funding = PostFunding(post=post, created_by=actor, updated_by=actor, **values)
        funding.full_clean()
        funding.save()
        history_record(
            ctg=ctg,
            actor=actor,
            action=Action.POST_FUNDING,
            summary=f"Financement CAF du poste pour {year} enregistré",
            changes={k: ["", show(v)] for k, v in values.items() if v is not None},
            item=funding,
        )
        return funding
    tracked_update(
        funding,
        actor=actor,
        ctg=ctg,
        values=values,
        action=Action.POST_FUNDING,
        summary=f"Financement CAF du poste pour {year} modifié",
        display=show,
        full_clean=True,
    )
    return funding


@transaction.atomic
def funding_delete(*, funding: PostFunding, actor) -> None:
    post = funding.post
    if ActivityReport.objects.filter(
        post=post, year=funding.year, status=ActivityReport.Status.ACCEPTED
    ).exists():
        raise ValidationError(
            f"Le rapport d'activité {funding.year} est accepté : son financement ne peut pas être supprimé."
        )
    changes = {
        name: [show(getattr(funding, name)), ""] for name in ("amount_agreed", "advance_paid", "balance_paid")
    }
    history_record(
        ctg=post.ctg,
        actor=actor,
        action=Action.POST_FUNDING,
        summary=f"Financement CAF du poste pour {funding.year} supprimé",
        changes=changes,
        item=funding,
    )
    funding.delete()


# --- activity reports ----------------------------------------------------------------------------------


def _check_report_year(post: CoordinatorPost, year) -> None:
    ctg = post.ctg
    if year is None or not ctg.start_year <= year <= ctg.end_year:
        raise ValidationError(
            {"year": f"L'année du rapport doit être comprise dans la période de la CTG ({ctg.period_label})."}
        )
    if year < post.start_date.year:
        raise ValidationError(
            {
                "year": f"Aucun rapport d'activité n'est demandé pour {year} : le poste a commencé le "
                f"{post.start_date:%d/%m/%Y}."
            }
        )


@transaction.atomic
def report_get_or_create(*, post: CoordinatorPost, actor, year: int) -> ActivityReport:
    report = ActivityReport.objects.select_for_update().filter(post=post, year=year).first()
    if report is not None:  # a report of before a later-moved start stays readable and editable
        return report
    _check_report_year(post, year)
    report = ActivityReport.objects.create(post=post, year=year, created_by=actor, updated_by=actor)
    history_record(
        ctg=post.ctg,
        actor=actor,
        action=Action.ACTIVITY_REPORT,
        summary=f"Rapport d'activité {year} ouvert",
        changes={"status": ["", report.get_status_display()]},
        item=report,
    )
    return report


def _locked(report: ActivityReport) -> ActivityReport:
    return (
        ActivityReport.objects.select_for_update(of=("self",)).select_related("post__ctg").get(pk=report.pk)
    )


@transaction.atomic
def report_update(*, report: ActivityReport, actor, priorities: str, comments: str) -> ActivityReport:
    report = _locked(report)
    if report.status == ActivityReport.Status.ACCEPTED:
        raise ValidationError(f"Le rapport d'activité {report.year} est accepté : il n'est plus modifiable.")
    values = {"priorities": (priorities or "").strip(), "comments": (comments or "").strip()}
    tracked_update(
        report,
        actor=actor,
        ctg=report.post.ctg,
        values=values,
        action=Action.ACTIVITY_REPORT,
        summary=f"Rapport d'activité {report.year} modifié",
    )
    return report


def _report_moved(report: ActivityReport, actor, status: str, stamp: str, words: str) -> ActivityReport:
    """The report moves to `status`, stamped `<stamp>_at` / `<stamp>_by`, and the history says so."""
    before = report.get_status_display()
    report.status = status
    setattr(report, f"{stamp}_at", timezone.now())
    setattr(report, f"{stamp}_by", actor)
    report.updated_by = actor
    report.save()
    history_record(
        ctg=report.post.ctg,
        actor=actor,
        action=Action.ACTIVITY_REPORT,
        summary=f"Rapport d'activité {report.year} {words}",
        changes={"status": [before, report.get_status_display()]},
        item=report,
    )
    return report


@transaction.atomic
def report_send(*, report: ActivityReport, actor) -> ActivityReport:
    report = _locked(report)
    if report.status != ActivityReport.Status.TO_PREPARE:
        raise ValidationError(
            f"Le rapport d'activité {report.year} est déjà « {report.get_status_display()} » : "
            "seul un rapport à préparer peut être envoyé."
        )
    if not report.priorities.strip():
        raise ValidationError(
            {"priorities": "Renseignez les priorités de l'année suivante avant d'envoyer le rapport."}
        )
    return _report_moved(report, actor, ActivityReport.Status.SENT, "sent", "envoyé à la CAF")


@transaction.atomic
def report_accept(*, report: ActivityReport, actor) -> ActivityReport:
    report = _locked(report)
    if report.status != ActivityReport.Status.SENT:
        raise ValidationError(
            f"Le rapport d'activité {report.year} est « {report.get_status_display()} » : "
            "seul un rapport envoyé peut être accepté."
        )
    if not PostFunding.objects.filter(
        post=report.post, year=report.year, amount_agreed__isnull=False
    ).exists():
        raise ValidationError(
            f"Enregistrez d'abord le financement CAF du poste pour {report.year} avant d'accepter le rapport."
        )
    return _report_moved(report, actor, ActivityReport.Status.ACCEPTED, "accepted", "accepté par la CAF")


# --- the yearly funding convention ---------------------------------------------------------------------
# Request (the coordination or the CAF) → decision (CAF) → convention generated (ctg.documents, which calls
# `convention_generated`) → signature → advance, once signed → balance, once the year's activity report is
# accepted. Each step may be recorded again to correct it, or cancelled by the CAF with a reason
# (`convention_cancel`): the stage is computed from what is recorded (`ctg.post.stages`), never stored.

CONVENTION_FIELDS = {
    "year": "année",
    "amount_requested": "montant demandé",
    "requested_on": "demande faite le",
    "requested_by": "demande enregistrée par",
    "amount_agreed": "montant accordé",
    "decided_on": "décision de financement le",
    "advance_rate": "taux d'acompte (%)",
    "convention_version": "version de la convention",
    "signed_on": "convention signée le",
    "signatories": "signataires",
    "advance_paid": "acompte versé",
    "advance_paid_on": "acompte versé le",
    "balance_paid": "solde versé",
    "balance_paid_on": "solde versé le",
    "reason": "motif",
}
register_labels(Action.FUNDING_CONVENTION, CONVENTION_FIELDS)

MAX_SIGNATORIES = 2000
MAX_REASON = 500
CANCELLABLE = {
    "demande": "la demande",
    "accord": "l'accord de la CAF",
    "signature": "la signature",
    "acompte": "l'acompte",
    "solde": "le solde",
}


def post_years(post: CoordinatorPost) -> list[int]:
    """The years the post may be funded: within the CTG's period, from the year of the post's start to the
    year of its end (when it has one)."""
    ctg = post.ctg
    first = max(ctg.start_year, post.start_date.year)
    last = ctg.end_year if post.end_date is None else min(ctg.end_year, post.end_date.year)
    return list(range(first, last + 1))


def _positive(value, label: str, errors: dict, field: str):
    amount = _amount(value, label, errors, field)
    if amount is not None and amount <= 0:
        errors[field] = f"{label[0].upper()}{label[1:]} doit être supérieur à 0."
        return None
    return amount


def _locked_funding(funding: PostFunding) -> PostFunding:
    """Locks the line and reads it again into the caller's instance (which then shows the step recorded)."""
    list(PostFunding.objects.select_for_update().filter(pk=funding.pk).values_list("pk", flat=True))
    funding.refresh_from_db()
    return funding


def _convention_changed(funding: PostFunding, actor, values: dict, summary: str, reason: str = "") -> dict:
    extra = {"reason": ["", reason]} if reason else {}
    return tracked_update(
        funding,
        actor=actor,
        ctg=funding.post.ctg,
        values=values,
        action=Action.FUNDING_CONVENTION,
        summary=summary,
        display=show,
        before_save=(lambda changes: extra) if extra else None,
    )


def _year_report(funding: PostFunding) -> ActivityReport | None:
    return ActivityReport.objects.filter(post=funding.post, year=funding.year).first()


@transaction.atomic
def convention_request(
    *,
    post: CoordinatorPost,
    actor,
    year: int | None,
    amount_requested,
    requested_on: datetime.date | None,
    funding: PostFunding | None = None,
) -> PostFunding:
    """Records the request of the year's funding (a new line when `funding` is None: one per post and year),
    or corrects it."""
    post = CoordinatorPost.objects.select_for_update().select_related("ctg").get(pk=post.pk)
    errors = {}
    years = post_years(post)
    if funding is not None:
        funding = _locked_funding(funding)
        if funding.post_id != post.pk:
            raise ValidationError("Ce financement n'est pas celui de ce poste.")
        year = funding.year
    elif year is None:
        errors["year"] = "Indiquez l'année du financement demandé."
    elif year not in years:
        span = f"{years[0]} à {years[-1]}" if years else "aucune année"
        errors["year"] = f"L'année doit être une année du poste dans la période de la CTG ({span})."
    elif PostFunding.objects.filter(post=post, year=year).exists():
        errors["year"] = (
            f"Le financement de {year} a déjà sa convention : corrigez-la plutôt qu'en créer une autre."
        )
    amount = _positive(amount_requested, "le montant demandé", errors, "amount_requested")
    if requested_on is None:
        errors["requested_on"] = "Indiquez la date de la demande."
    elif requested_on > timezone.localdate():
        errors["requested_on"] = "La date de la demande ne peut pas être dans le futur."
    if errors:
        raise ValidationError(errors)
    values = {"amount_requested": amount, "requested_on": requested_on, "requested_by": person_or_none(actor)}
    if funding is None:
        funding = PostFunding(post=post, year=year, created_by=actor, updated_by=actor, **values)
        funding.full_clean()
        funding.save()
        history_record(
            ctg=post.ctg,
            actor=actor,
            action=Action.FUNDING_CONVENTION,
            summary=f"Convention de financement {year} du poste : demande enregistrée",
            changes={k: ["", show(v)] for k, v in {"year": year, **values}.items() if v is not None},
            item=funding,
        )
        return funding
    _convention_changed(funding, actor, values, f"Convention de financement {year} : demande corrigée")
    return funding


def person_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def convention_agree(
    *, funding: PostFunding, actor, amount_agreed, decided_on: datetime.date | None, advance_rate=None
) -> PostFunding:
    """The CAF's decision on the request: the amount agreed, the date, the share paid as an advance."""
    funding = _locked_funding(funding)
    errors = {}
    agreed = _positive(amount_agreed, "le montant accordé", errors, "amount_agreed")
    if agreed is not None and agreed < funding.advance_paid + funding.balance_paid:
        errors["amount_agreed"] = (
            "Le montant accordé ne peut pas être inférieur à ce qui est déjà versé "
            f"({show(funding.advance_paid + funding.balance_paid)} €)."
        )
    if decided_on is None:
        errors["decided_on"] = "Indiquez la date de la décision de la CAF."
    elif funding.requested_on and decided_on < funding.requested_on:
        errors["decided_on"] = "La décision ne peut pas précéder la demande."
    rate = None
    if advance_rate not in (None, ""):
        try:
            rate = int(advance_rate)
        except (TypeError, ValueError):
            errors["advance_rate"] = "Le taux d'acompte doit être un nombre entier."
        else:
            if not 0 <= rate <= 100:
                errors["advance_rate"] = "Le taux d'acompte est compris entre 0 et 100 %."
    if errors:
        raise ValidationError(errors)
    _convention_changed(
        funding,
        actor,
        {"amount_agreed": agreed, "decided_on": decided_on, "advance_rate": rate},
        f"Convention de financement {funding.year} : décision de la CAF enregistrée",
    )
    return funding


@transaction.atomic
def convention_generated(*, funding: PostFunding, actor, number: int) -> PostFunding:
    """Called by the generation of the convention document (ctg.documents.post_convention): the number of
    the version generated. Refused before the CAF's decision and once the convention is signed."""
    funding = _locked_funding(funding)
    convention_can_generate(funding)
    funding.convention_generated_at = timezone.now()
    _convention_changed(
        funding,
        actor,
        {"convention_version": number},
        f"Convention de financement {funding.year} générée (version {number})",
    )
    return funding


def convention_can_generate(funding: PostFunding) -> None:
    """Raises the French reason why the convention of `funding` cannot be generated now."""
    if funding.amount_agreed is None:
        raise ValidationError(
            "La convention se génère une fois la décision de la CAF enregistrée (montant accordé)."
        )
    if funding.signed_on is not None:
        raise ValidationError(
            "La convention est signée : annulez la signature avant d'en générer une nouvelle version."
        )


@transaction.atomic
def convention_sign(
    *, funding: PostFunding, actor, signed_on: datetime.date | None, signatories: str
) -> PostFunding:
    """The signature of the generated convention (date, signatories); recorded again, it is corrected."""
    funding = _locked_funding(funding)
    signatories = clean_text(signatories or "", multiline=True).strip()
    errors = {}
    if funding.convention_version == 0:
        raise ValidationError("Générez d'abord la convention : la signature porte sur le document généré.")
    if signed_on is None:
        errors["signed_on"] = "Indiquez la date de la signature."
    elif signed_on > timezone.localdate():
        errors["signed_on"] = "La date de signature ne peut pas être dans le futur."
    elif funding.decided_on and signed_on < funding.decided_on:
        errors["signed_on"] = "La signature ne peut pas précéder la décision de la CAF."
    elif funding.advance_paid_on and signed_on > funding.advance_paid_on:
        errors["signed_on"] = "La signature ne peut pas suivre le versement de l'acompte."
    if not signatories:
        errors["signatories"] = "Indiquez les signataires (un par ligne)."
    elif len(signatories) > MAX_SIGNATORIES:
        errors["signatories"] = f"La liste des signataires dépasse {MAX_SIGNATORIES} caractères."
    if errors:
        raise ValidationError(errors)
    _convention_changed(
        funding,
        actor,
        {"signed_on": signed_on, "signatories": signatories},
        f"Convention de financement {funding.year} signée",
    )
    return funding


def _payment_date(paid_on, after: datetime.date | None, after_label: str, errors: dict, field: str):
    if paid_on is None:
        errors[field] = "Indiquez la date du versement."
    elif paid_on > timezone.localdate():
        errors[field] = "La date du versement ne peut pas être dans le futur."
    elif after is not None and paid_on < after:
        errors[field] = f"Le versement ne peut pas précéder {after_label} ({after:%d/%m/%Y})."


@transaction.atomic
def convention_advance_pay(
    *, funding: PostFunding, actor, amount, paid_on: datetime.date | None
) -> PostFunding:
    """The advance (acompte), paid once the convention is signed; advance + balance ≤ the agreed amount."""
    funding = _locked_funding(funding)
    if funding.signed_on is None:
        raise ValidationError(
            "L'acompte se verse une fois la convention signée : enregistrez d'abord la signature."
        )
    errors = {}
    value = _positive(amount, "le montant de l'acompte", errors, "amount")
    if value is not None and value + funding.balance_paid > funding.amount_agreed:
        errors["amount"] = (
            f"L'acompte et le solde ne peuvent pas dépasser ensemble le montant accordé "
            f"({show(funding.amount_agreed)} €)."
        )
    _payment_date(paid_on, funding.signed_on, "la signature", errors, "paid_on")
    if errors:
        raise ValidationError(errors)
    _convention_changed(
        funding,
        actor,
        {"advance_paid": value, "advance_paid_on": paid_on},
        f"Convention de financement {funding.year} : acompte versé",
    )
    return funding


@transaction.atomic
def convention_balance_pay(
    *, funding: PostFunding, actor, amount, paid_on: datetime.date | None
) -> PostFunding:
    """The balance (solde), paid once the year's activity report is accepted; advance + balance ≤ agreed."""
    funding = _locked_funding(funding)
    if funding.amount_agreed is None:
        raise ValidationError("Le solde suppose un montant accordé par la CAF.")
    report = _year_report(funding)
    if report is None or report.status != ActivityReport.Status.ACCEPTED:
        raise ValidationError(
            f"Le solde se verse une fois le rapport d'activité {funding.year} accepté par la CAF."
        )
    errors = {}
    value = _positive(amount, "le montant du solde", errors, "amount")
    if value is not None and funding.advance_paid + value > funding.amount_agreed:
        errors["amount"] = (
            f"L'acompte et le solde ne peuvent pas dépasser ensemble le montant accordé "
            f"({show(funding.amount_agreed)} €)."
        )
    accepted = timezone.localtime(report.accepted_at).date() if report.accepted_at else None
    _payment_date(paid_on, accepted, "l'acceptation du rapport", errors, "paid_on")
    if errors:
        raise ValidationError(errors)
    _convention_changed(
        funding,
        actor,
        {"balance_paid": value, "balance_paid_on": paid_on},
        f"Convention de financement {funding.year} : solde versé",
    )
    return funding


@transaction.atomic
def convention_cancel(*, funding: PostFunding, actor, step: str, reason: str) -> PostFunding | None:
    """Cancels one step of the year's convention (the CAF), with a reason kept in the history. A step is
    cancelled after the steps that depend on it (the balance before the advance, the advance before the
    signature, the signature before the decision, the decision before the request). Cancelling the request,
    or the decision of a line without a request, removes the line (None is returned)."""
    funding = _locked_funding(funding)
    reason = clean_text(reason or "").strip()
    if step not in CANCELLABLE:
        raise ValidationError("Étape inconnue.")
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": f"Le motif dépasse {MAX_REASON} caractères."})
    year = funding.year
    blockers = {
        "demande": funding.amount_agreed is not None and "annulez d'abord l'accord de la CAF",
        "accord": (
            (funding.signed_on is not None and "annulez d'abord la signature")
            or (funding.advance_paid > 0 and "annulez d'abord l'acompte")
            or (funding.balance_paid > 0 and "annulez d'abord le solde")
        ),
        "signature": funding.advance_paid > 0 and "annulez d'abord l'acompte",
        "acompte": funding.balance_paid > 0 and "annulez d'abord le solde",
        "solde": False,
    }
    recorded = {
        "demande": funding.requested_on is not None,
        "accord": funding.amount_agreed is not None,
        "signature": funding.signed_on is not None,
        "acompte": funding.advance_paid > 0,
        "solde": funding.balance_paid > 0,
    }
    if not recorded[step]:
        raise ValidationError(f"Rien à annuler : {CANCELLABLE[step]} n'est pas enregistré(e).")
    if blockers[step]:
        raise ValidationError(f"Pour annuler {CANCELLABLE[step]} de {year}, {blockers[step]}.")
    removes = step == "demande" or (step == "accord" and funding.requested_on is None)
    if removes:
        if (
            ActivityReport.objects.filter(
                post=funding.post, year=year, status=ActivityReport.Status.ACCEPTED
            ).exists()
            and funding.amount_agreed is not None
        ):
            raise ValidationError(f"Le rapport d'activité {year} est accepté : son financement reste.")
        changes = {
            name: [show(getattr(funding, name)), ""]
            for name in ("amount_requested", "requested_on", "amount_agreed")
            if getattr(funding, name) is not None
        }
        history_record(
            ctg=funding.post.ctg,
            actor=actor,
            action=Action.FUNDING_CONVENTION,
            summary=f"Convention de financement {year} : {CANCELLABLE[step]} annulé(e), financement retiré",
            changes={**changes, "reason": ["", reason]},
            item=funding,
        )
        funding.delete()
        return None
    values = {
        "accord": {
            "amount_agreed": None,
            "decided_on": None,
            "advance_rate": None,
            "convention_version": 0,
        },
        "signature": {"signed_on": None, "signatories": ""},
        "acompte": {"advance_paid": ZERO, "advance_paid_on": None},
        "solde": {"balance_paid": ZERO, "balance_paid_on": None},
    }[step]
    if step == "accord":
        funding.convention_generated_at = None
    _convention_changed(
        funding, actor, values, f"Convention de financement {year} : {CANCELLABLE[step]} annulé(e)", reason
    )
    return funding

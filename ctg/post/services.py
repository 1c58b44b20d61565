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

User = get_user_model()
ZERO = Decimal("0")
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
    if not PostFunding.objects.filter(post=report.post, year=report.year).exists():
        raise ValidationError(
            f"Enregistrez d'abord le financement CAF du poste pour {report.year} avant d'accepter le rapport."
        )
    return _report_moved(report, actor, ActivityReport.Status.ACCEPTED, "accepted", "accepté par la CAF")

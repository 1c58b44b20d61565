"""Reminders: what is due at a date, and their delivery (in-app notification + one email).

`due_reminders(today)` computes, without writing anything, the reminders of the day:
- a planned meeting to come (CTG_REMINDER_MEETING_DAYS days before, e.g. 7 and 1);
- a milestone not done (CTG_REMINDER_MILESTONE_DAYS days before);
- the end of the CTG period, 31/12 of its last year (CTG_REMINDER_PERIOD_END_DAYS days before);
- from CTG_REMINDER_FUNDING_FROM (MM-JJ) of year Y: the CAF funding of the coordinator post for Y+1 not
  recorded (when Y+1 is within the period), the activity report of year Y not sent;
- each step of the post's yearly funding convention (`funding_convention_reminders`: the request from
  CTG_REMINDER_CONVENTION_REQUEST_FROM of the year before, then each step before its indicative date).
Closed dossiers are never reminded. A threshold is due on every day from itself down to the next smaller
threshold (excluded), so that a missed daily run, or an event created late, is still reminded once.

Recipients (who is notified):
- meetings: the participants whose instance seat is tied to an account that can open the dossier, plus
  the dossier's members with the coordination role;
- milestones, period end, funding: the members with the pilote_caf or coordination role, plus the CAF adviser
  who created the dossier (CAF advisers see every dossier of their département without a membership: only
  the one who created it, or those added as members, are reminded; the others would receive the reminders
  of every dossier of the département). The lecture, partenaire and référent communal roles are not.
Inactive accounts are never notified.

Keys are deterministic and carry the date of the event (a rescheduled meeting or milestone, an extended
period are reminded again); `send_reminders` creates one notification per person and key, ever, and emails
it once (a failed send is retried by the next run while the reminder is still due). Each email is claimed
before it is sent (`claim_email`), so two overlapping runs never email the same notification twice.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from ctg.conventions.models import Ctg, DatePrecision, Membership, Milestone, Phase
from ctg.governance.models import Meeting
from ctg.notifications.models import Notification
from ctg.organisations.permissions import Role
from ctg.post import selectors as post_selectors
from ctg.post import services as post_services
from ctg.post import stages as post_stages
from ctg.post.models import ActivityReport, CoordinatorPost, PostFunding
from ctg.text import single_line

logger = logging.getLogger(__name__)

Kind = Notification.Kind
PILOT_ROLES = (Role.PILOTE_CAF, Role.COORDINATION)


@dataclass(frozen=True)
class Reminder:
    user: object
    ctg: Ctg
    kind: str
    key: str
    title: str
    message: str
    url: str


def _days(name: str, default: list[int]) -> list[int]:
    days = sorted({int(day) for day in getattr(settings, name, default)})
    if any(day < 0 for day in days):
        raise ImproperlyConfigured(f"{name} : les délais doivent être des nombres de jours positifs.")
    return days


def threshold(days_left: int, thresholds: list[int]) -> int | None:
    """The threshold whose window holds `days_left`: (next smaller threshold, threshold], or None."""
    lower = -1
    for value in sorted(thresholds):
        if lower < days_left <= value:
            return value
        lower = value
    return None


def funding_start(year: int) -> datetime.date:
    value = getattr(settings, "CTG_REMINDER_FUNDING_FROM", "10-01")
    try:
        month, day = (int(part) for part in str(value).split("-"))
        return datetime.date(year, month, day)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"CTG_REMINDER_FUNDING_FROM doit être un jour de l'année au format MM-JJ (reçu : « {value} »)."
        ) from error


def _in_days(days: int) -> str:
    if days == 0:
        return "aujourd'hui"
    if days == 1:
        return "demain"
    return f"dans {days} jours"


def _open(ctgs) -> Q:
    return ~Q(**{f"{ctgs}phase": Phase.CLOSE})


# --- Recipients -----------------------------------------------------------------------------------------


def _can_open(user, ctg: Ctg, member_ids: set[int]) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser or user.pk in member_ids:
        return True
    organisation = user.organisation
    return (
        organisation is not None
        and user.is_caf_adviser
        and organisation.departement_id == ctg.caf.departement_id
    )


class _Recipients:
    """Members of the dossiers, read once per run."""

    def __init__(self):
        self._members: dict[int, list[Membership]] = {}

    def members(self, ctg: Ctg) -> list[Membership]:
        if ctg.pk not in self._members:
            self._members[ctg.pk] = list(
                Membership.objects.filter(ctg=ctg, user__is_active=True).select_related("user")
            )
        return self._members[ctg.pk]

    def with_roles(self, ctg: Ctg, roles: Iterable[str]) -> list:
        return [membership.user for membership in self.members(ctg) if membership.role in roles]

    def pilots(self, ctg: Ctg) -> list:
        users = self.with_roles(ctg, PILOT_ROLES)
        creator = ctg.created_by
        if (
            creator is not None
            and creator.is_active
            and creator.is_caf_adviser
            and creator.organisation.departement_id == ctg.caf.departement_id
        ):
            users.append(creator)
        return _unique(users)

    def meeting(self, meeting: Meeting) -> list:
        member_ids = {membership.user_id for membership in self.members(meeting.ctg)}
        users = [
            participant.member.user
            for participant in meeting.participants.all()
            if participant.member is not None
            and participant.member.user is not None
            and _can_open(participant.member.user, meeting.ctg, member_ids)
        ]
        return _unique(users + self.with_roles(meeting.ctg, (Role.COORDINATION,)))


def _unique(users: list) -> list:
    seen, result = set(), []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            result.append(user)
    return result


# --- What is due ----------------------------------------------------------------------------------------


def _reminders(users, *, ctg, kind, key, title, message, url) -> list[Reminder]:
    return [Reminder(user, ctg, kind, key, title, message, url) for user in users]


def meeting_reminders(today: datetime.date, recipients: _Recipients) -> list[Reminder]:
    days = _days("CTG_REMINDER_MEETING_DAYS", [7, 1])
    if not days:
        return []
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(today, datetime.time.min, tzinfo=zone)
    meetings = (
        Meeting.objects.filter(
            _open("ctg__"),
            status=Meeting.Status.PLANNED,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=max(days) + 1),
            date_precision=DatePrecision.DAY,
        )
        .select_related("ctg__caf", "ctg__created_by__organisation", "body")
        .prefetch_related("participants__member__user__organisation")
    )
    result = []
    for meeting in meetings:
        starts_at = timezone.localtime(meeting.starts_at, zone)
        days_left = (starts_at.date() - today).days
        value = threshold(days_left, days)
        if value is None:
            continue
        place = f", {meeting.place}" if meeting.place else ""
        result += _reminders(
            recipients.meeting(meeting),
            ctg=meeting.ctg,
            kind=Kind.MEETING,
            key=f"reunion:{meeting.pk}:{starts_at:%Y%m%d%H%M}:j-{value}",
            title=f"Réunion {_in_days(days_left)} : {meeting}",
            message=(
                f"{meeting.body} le {starts_at:%d/%m/%Y à %H:%M}{place} (dossier « {meeting.ctg.title} »)."
            ),
            url=reverse("governance:meeting", kwargs={"pk": meeting.ctg_id, "meeting_pk": meeting.pk}),
        )
    return result


def milestone_reminders(today: datetime.date, recipients: _Recipients) -> list[Reminder]:
    days = _days("CTG_REMINDER_MILESTONE_DAYS", [14])
    if not days:
        return []
    # A milestone whose day is unknown (« octobre 2023 ») has no day to count down to: no reminder.
    milestones = Milestone.objects.filter(
        _open("ctg__"),
        done=False,
        date_precision=DatePrecision.DAY,
        date__gte=today,
        date__lte=today + datetime.timedelta(days=max(days)),
    ).select_related("ctg__caf", "ctg__created_by__organisation")
    result = []
    for milestone in milestones:
        days_left = (milestone.date - today).days
        value = threshold(days_left, days)
        if value is None:
            continue
        result += _reminders(
            recipients.pilots(milestone.ctg),
            ctg=milestone.ctg,
            kind=Kind.MILESTONE,
            key=f"jalon:{milestone.pk}:{milestone.date:%Y%m%d}:j-{value}",
            title=f"Jalon {_in_days(days_left)} : {milestone.title}",
            message=(
                f"Le jalon « {milestone.title} » est prévu le {milestone.date:%d/%m/%Y} "
                f"(dossier « {milestone.ctg.title} »)."
            ),
            url=reverse("conventions:milestones", kwargs={"pk": milestone.ctg_id}),
        )
    return result


def period_end_reminders(today: datetime.date, recipients: _Recipients) -> list[Reminder]:
    days = _days("CTG_REMINDER_PERIOD_END_DAYS", [180, 90])
    if not days:
        return []
    last_year = (today + datetime.timedelta(days=max(days))).year
    ctgs = Ctg.objects.filter(_open(""), end_year__gte=today.year, end_year__lte=last_year).select_related(
        "caf", "created_by__organisation"
    )
    result = []
    for ctg in ctgs:
        end = datetime.date(ctg.end_year, 12, 31)
        days_left = (end - today).days
        value = threshold(days_left, days)
        if value is None:
            continue
        result += _reminders(
            recipients.pilots(ctg),
            ctg=ctg,
            kind=Kind.PERIOD_END,
            key=f"fin_periode:{ctg.pk}:{ctg.end_year}:j-{value}",
            title=f"La CTG « {ctg.title} » prend fin le {end:%d/%m/%Y}",
            message=(
                f"La période {ctg.period_label} de la convention se termine le {end:%d/%m/%Y} "
                f"({_in_days(days_left)}) : préparez l'évaluation et le renouvellement."
            ),
            url=reverse("conventions:detail", kwargs={"pk": ctg.pk}),
        )
    return result


def funding_reminders(today: datetime.date, recipients: _Recipients) -> list[Reminder]:
    year = today.year
    if today < funding_start(year):
        return []
    posts = CoordinatorPost.objects.filter(
        _open("ctg__"), ctg__start_year__lte=year + 1, ctg__end_year__gte=year, start_date__lte=today
    ).select_related("ctg__caf", "ctg__created_by__organisation")
    funded = set(PostFunding.objects.filter(post__in=posts, year=year + 1).values_list("post_id", flat=True))
    reported = set(
        ActivityReport.objects.filter(
            post__in=posts,
            year=year,
            status__in=[ActivityReport.Status.SENT, ActivityReport.Status.ACCEPTED],
        ).values_list("post_id", flat=True)
    )
    result = []
    for post in posts:
        ctg = post.ctg
        url = reverse("post:detail", kwargs={"pk": ctg.pk})
        next_year_open = post.end_date is None or post.end_date > datetime.date(year, 12, 31)
        if post.pk not in funded and ctg.end_year >= year + 1 and next_year_open:
            result += _reminders(
                recipients.pilots(ctg),
                ctg=ctg,
                kind=Kind.FUNDING,
                key=f"financement:{post.pk}:{year + 1}",
                title=f"Financement {year + 1} du poste de chargé·e de coopération à enregistrer",
                message=(
                    f"Le financement CAF de {year + 1} du poste de {post.person_name} n'est pas encore "
                    f"enregistré (dossier « {ctg.title} »)."
                ),
                url=url,
            )
        year_worked = post.end_date is None or post.end_date >= datetime.date(year, 1, 1)
        if post.pk not in reported and ctg.start_year <= year and year_worked:
            result += _reminders(
                recipients.pilots(ctg),
                ctg=ctg,
                kind=Kind.FUNDING,
                key=f"rapport:{post.pk}:{year}",
                title=f"Rapport d'activité {year} du poste de chargé·e de coopération à envoyer",
                message=(
                    f"Le rapport d'activité {year} de {post.person_name}, qui appuie le renouvellement du "
                    f"financement CAF, n'est pas encore envoyé (dossier « {ctg.title} »)."
                ),
                url=url,
            )
    return result


def convention_request_start(year: int) -> datetime.date:
    """The day from which the request of the next year's funding convention is reminded (1 November)."""
    value = getattr(settings, "CTG_REMINDER_CONVENTION_REQUEST_FROM", "11-01")
    try:
        month, day = (int(part) for part in str(value).split("-"))
        return datetime.date(year, month, day)
    except ValueError as error:
        raise ImproperlyConfigured(
            "CTG_REMINDER_CONVENTION_REQUEST_FROM doit être un jour de l'année au format MM-JJ "
            f"(reçu : « {value} »)."
        ) from error


def funding_convention_reminders(today: datetime.date, recipients: _Recipients) -> list[Reminder]:
    """The yearly funding convention of the coordinator post (ctg.post.stages), for the posts whose
    convention is followed (a request or a generated convention recorded once), one reminder per step and
    year: the request of year Y from 1 November of Y-1 (the coordination); then, CTG_REMINDER_CONVENTION_DAYS
    days (14) before the step's indicative date and until it is done, the CAF's decision, the convention to
    generate, the advance once signed, the report's acceptance and the balance once accepted (the CAF's
    pilot and the CAF adviser who created the dossier), the convention to sign (both sides), the activity
    report to send (the coordination)."""
    lead = datetime.timedelta(days=int(getattr(settings, "CTG_REMINDER_CONVENTION_DAYS", 14)))
    years = (today.year - 1, today.year, today.year + 1)
    # Posts whose yearly convention is followed (a request made or a convention generated once); the others
    # keep the reminders of `funding_reminders` only.
    followed = PostFunding.objects.filter(
        Q(requested_on__isnull=False) | Q(convention_version__gt=0) | Q(signed_on__isnull=False)
    ).values("post_id")
    posts = (
        CoordinatorPost.objects.filter(
            _open("ctg__"), pk__in=followed, ctg__end_year__gte=years[0], ctg__start_year__lte=years[-1]
        )
        .select_related("ctg__caf", "ctg__created_by__organisation")
        .prefetch_related(
            Prefetch(
                "fundings", queryset=PostFunding.objects.filter(year__in=years), to_attr="near_fundings"
            ),
            Prefetch(
                "reports", queryset=ActivityReport.objects.filter(year__in=years), to_attr="near_reports"
            ),
        )
    )
    result = []
    for post in posts:
        ctg = post.ctg
        fundings = {f.year: f for f in post.near_fundings}
        reports = {r.year: r for r in post.near_reports}
        allowed = set(post_services.post_years(post))
        url = reverse("post:detail", kwargs={"pk": ctg.pk}) + "#conventions"
        coordination = recipients.with_roles(ctg, (Role.COORDINATION,))
        caf_side = [user for user in recipients.pilots(ctg) if user not in coordination]
        for year in years:
            funding = fundings.get(year)
            if funding is None and year not in allowed:
                continue
            if funding is not None and not funding.follows_convention:
                continue  # a line of before the convention: its amounts only
            stage = post_selectors.year_stage(year, funding, reports.get(year))
            if stage.code == post_stages.A_DEMANDER:
                if year < today.year or today < convention_request_start(year - 1):
                    continue
                users = coordination
            elif not stage.actor or stage.due is None or today < stage.due - lead:
                continue
            else:
                users = {
                    post_stages.CAF: caf_side,
                    post_stages.COORDINATION: coordination,
                    post_stages.BOTH: _unique(caf_side + coordination),
                }[stage.actor]
            due = f" avant le {stage.due:%d/%m/%Y}" if stage.due else ""
            result += _reminders(
                users,
                ctg=ctg,
                kind=Kind.FUNDING,
                key=f"convention_poste:{post.pk}:{year}:{stage.code}",
                title=f"Convention de financement {year} du poste : {stage.next_step[0].lower()}"
                f"{stage.next_step[1:].rstrip('.')}",
                message=(
                    f"Convention de financement {year} du poste de {post.person_name} "
                    f"(« {stage.label} ») : {stage.next_step[0].lower()}{stage.next_step[1:].rstrip('.')}"
                    f"{due}, à faire par {stage.actor_label} (dossier « {ctg.title} »)."
                ),
                url=url,
            )
    return result


def due_reminders(today: datetime.date) -> list[Reminder]:
    recipients = _Recipients()
    return [
        *meeting_reminders(today, recipients),
        *milestone_reminders(today, recipients),
        *period_end_reminders(today, recipients),
        *funding_reminders(today, recipients),
        *funding_convention_reminders(today, recipients),
    ]


# --- Delivery -------------------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return f"{getattr(settings, 'CTG_SITE_URL', 'http://127.0.0.1:8000').rstrip('/')}{path}"


def email_body(notification: Notification) -> str:
    lines = [
        "Bonjour,",
        "",
        notification.title,
        "",
        notification.message,
        "",
    ]
    if notification.url:
        lines += [f"Voir : {absolute_url(notification.url)}", ""]
    lines += [
        f"Toutes vos notifications : {absolute_url(reverse('notifications:list'))}",
        "",
        "Ce courriel de rappel est envoyé automatiquement par l'application CTG.",
    ]
    return "\n".join(lines)


def claim_email(notification: Notification) -> bool:
    """Reserves the sending of a notification's email for this run, in one conditional UPDATE (atomic on
    SQLite and PostgreSQL): False when it was emailed already or another run is sending it right now."""
    now = timezone.now()
    stale = now - datetime.timedelta(minutes=getattr(settings, "CTG_REMINDER_CLAIM_MINUTES", 60))
    claimed = (
        Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True, read_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale))
        .update(email_claimed_at=now)
    )
    return claimed == 1


def send_notification_email(notification: Notification) -> bool:
    """Emails one notification that this run has claimed; True when sent (emailed_at is then set), False on
    failure (the claim is released so that the next run retries)."""
    try:
        send_mail(
            # One line: a line break in a title stored before the forms cleaned it raises BadHeaderError.
            subject=f"[CTG] {single_line(notification.title)}",
            message=email_body(notification),
            from_email=None,
            recipient_list=[notification.user.email],
        )
    except Exception:  # noqa: BLE001 - any transport error: the next run retries
        logger.warning("Échec de l'envoi du rappel %s à %s", notification.key, notification.user.email)
        Notification.objects.filter(pk=notification.pk).update(email_claimed_at=None)
        return False
    notification.emailed_at = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(emailed_at=notification.emailed_at)
    return True


def send_reminders(today: datetime.date | None = None, stdout=None, *, dry_run: bool = False) -> dict:
    """Creates the missing notifications of the day and emails those not emailed yet. Returns the counts:
    due (reminders of the day, per person), created, emailed, failed (email to retry), without_email."""
    today = today or timezone.localdate()
    due = due_reminders(today)
    counts = {"due": len(due), "created": 0, "emailed": 0, "failed": 0, "without_email": 0}
    if dry_run:
        existing = set(
            Notification.objects.filter(key__in={r.key for r in due}).values_list("user_id", "key")
        )
        for reminder in due:
            if (reminder.user.pk, reminder.key) not in existing:
                counts["created"] += 1
                if stdout is not None:
                    stdout.write(f"À créer : {reminder.user.email} — {reminder.title}")
        return counts
    for reminder in due:
        notification, created = Notification.objects.get_or_create(
            user=reminder.user,
            key=reminder.key,
            defaults={
                "ctg": reminder.ctg,
                "kind": reminder.kind,
                "title": reminder.title[:250],
                "message": reminder.message,
                "url": reminder.url,
            },
        )
        counts["created"] += created
        if notification.emailed_at is not None or notification.read_at is not None:
            continue
        if not reminder.user.email:
            counts["without_email"] += created
            continue
        if not claim_email(notification):
            continue  # another run is emailing it, or did since this one read it
        notification.user = reminder.user
        if send_notification_email(notification):
            counts["emailed"] += 1
        else:
            counts["failed"] += 1
        if stdout is not None and created:
            stdout.write(f"Créée : {reminder.user.email} — {reminder.title}")
    return counts

"""The daily reminders as a background job (issue 15): `ctg send_reminders --enqueue` (the daily cron or
systemd timer) puts `reminders_job` in the queue; the worker (`ctg db_worker`) runs the same function as the
command (`reminders.send_reminders`). Emails that failed make the job try again (the run is idempotent: a new
attempt creates nothing twice and only re-sends the failed emails)."""

import datetime

from ctg.jobs.services import JobResult, TransientJobError, job_enqueue, job_progress
from ctg.notifications.reminders import send_reminders


def reminders_enqueue(*, today: datetime.date | None = None, actor=None):
    label = "Rappels du jour par courriel" + (f" ({today:%d/%m/%Y})" if today else "")
    return job_enqueue(
        kind="reminders",
        label=label,
        function=reminders_job,
        arguments={"today": today.isoformat() if today else None},
        actor=actor,
    )


def reminders_job(*, job, today: str | None = None) -> JobResult:
    job_progress(job, 10, "Calcul des rappels dus et envoi des courriels")
    counts = send_reminders(today=datetime.date.fromisoformat(today) if today else None)
    summary = (
        f"{counts['due']} rappel(s) dus, {counts['created']} notification(s) créée(s), "
        f"{counts['emailed']} courriel(s) envoyé(s), {counts['without_email']} destinataire(s) sans adresse"
    )
    if counts["failed"]:
        raise TransientJobError(f"{counts['failed']} courriel(s) en échec ; {summary}")
    return JobResult(label=summary + ".")

"""Writes of the jobs, and the one task that runs them (issue 15, docs/adr/0001-background-jobs.md).

An app that owns a long piece of work keeps its function at home and hands it to `job_enqueue`:

    job = job_enqueue(kind="convention", label="Génération de la convention", function=convention_job,
                      arguments={"ctg_id": ctg.pk}, ctg=ctg, actor=request.user)
    return redirect(job)  # the status page, polled by htmx

The function is called by the worker (`ctg db_worker`) as `function(job=job, **arguments)`; it reports its
steps with `job_progress(job, percent, message)` and returns its result: a `JobResult` (a French label and a
URL name with its arguments) or None. It calls the same service the page called (one path for every write).
It refuses in French by raising `ValidationError` or `JobError` (the job fails at once, the message is shown
to the user); a transient problem (`TransientJobError`, a locked or lost database, an OS error) is tried again
`max_attempts` times in all, after `RETRY_DELAYS` seconds; anything else fails the job with a generic French
message (the traceback stays in the task's row and the worker's log).
"""

import datetime
import logging
from dataclasses import dataclass, field
from importlib import import_module

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone
from django_tasks import task

from ctg.jobs.models import Job

logger = logging.getLogger(__name__)

# Seconds to wait before the 2nd, the 3rd… attempt of a job that met a transient problem.
RETRY_DELAYS = (10, 60, 300)
# Only functions of these packages may be named by a job (a row never makes the worker import anything else).
FUNCTION_PACKAGES = ("ctg.",)
UNEXPECTED = (
    "Une erreur inattendue a interrompu le travail. Réessayez ; si le problème persiste, signalez-le à "
    "l'administrateur de la plateforme."
)


class JobError(Exception):
    """A refusal, in French, shown to the user as the job's error (no new attempt)."""


class TransientJobError(JobError):
    """A problem that may pass (a service unreachable, a file locked): the job is tried again."""


TRANSIENT = (TransientJobError, OperationalError, OSError)


@dataclass
class JobResult:
    """What a job gives: a French label, and either a page (`url_name`, `url_args`) or a file (`file_name`,
    `content`: kept on the job under MEDIA_ROOT, downloaded by its requester only from `jobs:file`)."""

    label: str
    url_name: str = ""
    url_args: list = field(default_factory=list)
    file_name: str = ""
    content: bytes = b""


def _function_path(function) -> str:
    if isinstance(function, str):
        return function
    return f"{function.__module__}:{function.__qualname__}"


def _resolve(path: str):
    module, _, name = path.partition(":")
    if not module.startswith(FUNCTION_PACKAGES) or not name or "." in name:
        raise JobError("Ce travail ne peut pas être lancé (fonction inconnue).")
    return getattr(import_module(module), name)


def _truncate(text: str, length: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def job_enqueue(
    *,
    kind: str,
    label: str,
    function,
    arguments: dict | None = None,
    ctg=None,
    actor=None,
    max_attempts: int = 3,
) -> Job:
    """Records the job (en attente) and puts its task in the queue, in the same transaction: a job is never
    without its task. `function` is a module-level function of a `ctg` app (or its "module:name")."""
    path = _function_path(function)
    _resolve(path)
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            label=_truncate(label, 200),
            ctg=ctg,
            requested_by=actor if actor is not None and actor.is_authenticated else None,
            function=path,
            arguments=arguments or {},
            max_attempts=max_attempts,
            message="En attente d'un emplacement libre…",
        )
        job.task_id = str(run_job.enqueue(job.pk).id)
        job.save(update_fields=["task_id"])
    return job


def file_enqueue(
    *, kind: str, label: str, producer, arguments: dict, file_name: str, ctg=None, actor=None
) -> Job:
    """A job whose result is one file: `producer(**arguments)` (a module-level function of a `ctg` app,
    the one its download view calls) returns its bytes, kept on the job as `file_name` for its requester."""
    path = _function_path(producer)
    _resolve(path)
    return job_enqueue(
        kind=kind,
        label=label,
        function=file_job,
        arguments={"producer": path, "arguments": arguments, "file_name": file_name},
        ctg=ctg,
        actor=actor,
    )


def file_job(*, job, producer: str, arguments: dict, file_name: str) -> JobResult:
    function = _resolve(producer)
    job_progress(job, 10, "Mise en page du document")
    content = function(**arguments)
    return JobResult(label=f"{file_name} : télécharger", file_name=file_name, content=content)


def job_progress(job: Job, percent: int, message: str) -> Job:
    """The job's progress (0–100, never backwards within an attempt) and its French message, saved at once
    (outside any transaction of the work, so the page sees it)."""
    job.progress = max(0, min(100, int(percent)))
    job.message = _truncate(message, 300)
    Job.objects.filter(pk=job.pk).update(progress=job.progress, message=job.message)
    return job


def job_done(job: Job, result: JobResult | None = None) -> Job:
    job.status = Job.Status.DONE
    job.progress = 100
    job.message = "Terminé."
    job.error = ""
    job.finished_at = timezone.now()
    if result is not None:
        job.result_label = _truncate(result.label, 300)
        job.result_url_name = result.url_name
        job.result_url_args = [str(a) if not isinstance(a, int) else a for a in result.url_args]
        if result.file_name:
            job.result_file.save(result.file_name, ContentFile(result.content), save=False)
    job.save()
    return job


def job_failed(job: Job, error_fr: str) -> Job:
    job.status = Job.Status.FAILED
    job.error = str(error_fr)
    job.message = "Échec."
    job.finished_at = timezone.now()
    job.save()
    return job


def _retry(job: Job, error: BaseException) -> None:
    delay = RETRY_DELAYS[min(job.attempts - 1, len(RETRY_DELAYS) - 1)]
    job.status = Job.Status.PENDING
    job.message = _truncate(
        f"Essai {job.attempts} sur {job.max_attempts} interrompu ({_french(error)}) ; "
        f"nouvel essai dans {delay} s.",
        300,
    )
    run_after = timezone.now() + datetime.timedelta(seconds=delay)
    job.task_id = str(run_job.using(run_after=run_after).enqueue(job.pk).id)
    job.save()


def _french(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, JobError):
        return str(error)
    if isinstance(error, OperationalError):
        return "base de données momentanément indisponible"
    return "ressource momentanément indisponible"


INTERRUPTED = "le travailleur s'est arrêté pendant l'essai (redémarrage du serveur)"


def jobs_recover(*, older_than: datetime.timedelta, now=None) -> tuple[list[Job], list[Job]]:
    """The jobs left « en cours » by a worker that stopped (a server restart, a killed process): each whose
    attempt began more than `older_than` ago is tried again when attempts remain (queued at once), else
    failed with a French message. Returns (retried, failed). Run where no worker is running them: before the
    worker starts (`make run` does so with 0), or with a delay longer than any job (`ctg jobs_recover`)."""
    cutoff = (now or timezone.now()) - older_than
    retried, failed = [], []
    with transaction.atomic():
        stale = Job.objects.select_for_update().filter(
            status=Job.Status.RUNNING, attempt_started_at__lte=cutoff
        )
        for job in stale.order_by("pk"):
            if job.attempts < job.max_attempts:
                job.status = Job.Status.PENDING
                job.message = _truncate(
                    f"Essai {job.attempts} sur {job.max_attempts} interrompu ({INTERRUPTED}) ; nouvel essai.",
                    300,
                )
                job.task_id = str(run_job.enqueue(job.pk).id)
                job.save()
                retried.append(job)
            else:
                job_failed(job, f"Le travail a été interrompu après {job.attempts} essais : {INTERRUPTED}.")
                failed.append(job)
    return retried, failed


@task()
def run_job(job_id: int) -> str:
    """The one task of the queue: runs the job `job_id` once (an attempt) and records its outcome."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return "skipped"
    job.status = Job.Status.RUNNING
    job.attempts += 1
    job.started_at = job.started_at or timezone.now()
    job.attempt_started_at = timezone.now()
    job.progress = 0
    job.message = "En cours…"
    job.save()
    try:
        function = _resolve(job.function)
        result = function(job=job, **job.arguments)
    except ValidationError as error:
        job_failed(job, _french(error))
    except TRANSIENT as error:
        if job.attempts < job.max_attempts:
            _retry(job, error)
            return "retry"
        logger.warning("Job %s failed after %s attempts", job.pk, job.attempts, exc_info=error)
        job_failed(job, f"Le travail a échoué après {job.attempts} essais : {_french(error)}.")
    except JobError as error:
        job_failed(job, str(error))
    except Exception:
        logger.exception("Job %s failed", job.pk)
        job_failed(job, UNEXPECTED)
    else:
        job_done(job, result)
        return "done"
    return "failed"

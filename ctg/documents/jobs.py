"""The convention's document generated in the background (issue 15): the page enqueues, the worker
(`ctg db_worker`) runs `convention_job`, which calls the same service as before
(`services.convention_generate`) and reports its steps to the job's status page."""

from ctg.conventions.models import Avenant, Ctg
from ctg.documents import services
from ctg.jobs.services import JobError, JobResult, job_enqueue, job_progress


def convention_enqueue(*, ctg: Ctg, actor, avenant: Avenant | None = None):
    """The job that generates the convention (or the avenant's document) of `ctg` for `actor`, who was
    allowed `Op.MANAGE_CONVENTION` by the view."""
    if avenant is not None:
        label = f"Génération du document de l'avenant n° {avenant.number} — {ctg.title}"
    else:
        label = f"Génération de la convention — {ctg.title}"
    return job_enqueue(
        kind="convention",
        label=label,
        function=convention_job,
        arguments={"ctg_id": ctg.pk, "avenant_id": avenant.pk if avenant is not None else None},
        ctg=ctg,
        actor=actor,
    )


def convention_job(*, job, ctg_id: int, avenant_id: int | None = None) -> JobResult:
    ctg = Ctg.objects.get(pk=ctg_id)
    avenant = Avenant.objects.filter(pk=avenant_id).first() if avenant_id else None
    if avenant_id and avenant is None:
        raise JobError("Cet avenant a été supprimé entre-temps : aucun document n'a été généré.")
    version = services.convention_generate(
        ctg=ctg,
        actor=job.requested_by,
        avenant=avenant,
        progress=lambda percent, message: job_progress(job, percent, message),
    )
    if version.avenant_number:
        label = (
            f"Document de l'avenant n° {version.avenant_number} (version {version.number}) : "
            "télécharger le PDF"
        )
    elif version.is_accord_cadre:
        label = f"Accord-cadre, version {version.number} : télécharger le PDF"
    else:
        label = f"Convention, version {version.number} : télécharger le PDF"
    return JobResult(label=label, url_name="documents:version_pdf", url_args=[ctg.pk, version.number])


def diagnostic_enqueue(*, ctg: Ctg, actor):
    """The job that generates the diagnostic partagé document of `ctg` for `actor`, who was allowed
    `Op.MANAGE_DIAGNOSTIC` by the view."""
    return job_enqueue(
        kind="diagnostic",
        label=f"Génération du document du diagnostic partagé — {ctg.title}",
        function=diagnostic_job,
        arguments={"ctg_id": ctg.pk},
        ctg=ctg,
        actor=actor,
    )


def diagnostic_job(*, job, ctg_id: int) -> JobResult:
    ctg = Ctg.objects.get(pk=ctg_id)
    version = services.diagnostic_generate(
        ctg=ctg,
        actor=job.requested_by,
        progress=lambda percent, message: job_progress(job, percent, message),
    )
    return JobResult(
        label=f"Document du diagnostic, version {version.number} : télécharger le PDF",
        url_name="documents:diagnostic_version_pdf",
        url_args=[ctg.pk, version.number],
    )

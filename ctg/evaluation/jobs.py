"""The yearly bilan's PDF or DOCX made in the background (issue 15): `bilan_job` runs, in the worker
(`ctg db_worker`), the same functions as the download views (`bilan.compute`, then `bilan.render_pdf` or
`bilan.render_docx`), outside any transaction, and keeps the file on the job for its requester."""

from ctg.conventions.models import Ctg
from ctg.evaluation import bilan as bilan_module
from ctg.jobs.services import JobError, JobResult, job_enqueue, job_progress
from ctg.rendering import ctg_file_name

FORMATS = {"pdf": ("PDF", bilan_module.render_pdf), "docx": ("DOCX", bilan_module.render_docx)}


def bilan_enqueue(*, ctg: Ctg, year: int, fmt: str, actor):
    """The job making the bilan of `year` as `fmt` ("pdf" or "docx") for `actor`, who may see the dossier
    (`Op.VIEW`, checked by the caller)."""
    return job_enqueue(
        kind=f"bilan_{fmt}",
        label=f"Bilan annuel {year} ({FORMATS[fmt][0]}) — {ctg.title}",
        function=bilan_job,
        arguments={"ctg_id": ctg.pk, "year": year, "fmt": fmt},
        ctg=ctg,
        actor=actor,
    )


def bilan_job(*, job, ctg_id: int, year: int, fmt: str) -> JobResult:
    ctg = Ctg.objects.get(pk=ctg_id)
    label, render = FORMATS[fmt]
    job_progress(job, 10, f"Calcul du bilan {year}")
    data = bilan_module.compute(ctg, year)
    job_progress(job, 40, f"Mise en page du {label}")
    content = render(data)
    return JobResult(
        label=f"Bilan annuel {year} ({label}) : télécharger",
        file_name=f"{ctg_file_name(ctg, f'bilan-{year}')}.{fmt}",
        content=content,
    )


def final_enqueue(*, evaluation, actor):
    """The job that generates a new version of the final evaluation's report for `actor`, who was allowed
    `Op.EDIT_PLAN` by the view."""
    return job_enqueue(
        kind="final_evaluation",
        label=f"Rapport d'évaluation finale — {evaluation.ctg.title}",
        function=final_job,
        arguments={"evaluation_id": evaluation.pk},
        ctg=evaluation.ctg,
        actor=actor,
    )


def final_job(*, job, evaluation_id: int) -> JobResult:
    from ctg.evaluation import final_services
    from ctg.evaluation.models import FinalEvaluation

    evaluation = FinalEvaluation.objects.select_related("ctg").filter(pk=evaluation_id).first()
    if evaluation is None:
        raise JobError("L'évaluation finale a été supprimée entre-temps : aucun rapport n'a été généré.")
    version = final_services.final_generate(
        evaluation=evaluation,
        actor=job.requested_by,
        progress=lambda percent, message: job_progress(job, percent, message),
    )
    return JobResult(
        label=f"Rapport d'évaluation finale, version {version.number} : télécharger le PDF",
        url_name="evaluation:final_version_pdf",
        url_args=[evaluation.ctg_id, version.number],
    )

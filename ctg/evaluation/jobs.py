"""The yearly bilan's PDF or DOCX made in the background (issue 15): `bilan_job` runs, in the worker
(`ctg db_worker`), the same functions as the download views (`bilan.compute`, then `bilan.render_pdf` or
`bilan.render_docx`), outside any transaction, and keeps the file on the job for its requester."""

from ctg.conventions.models import Ctg
from ctg.evaluation import bilan as bilan_module
from ctg.jobs.services import JobResult, job_enqueue, job_progress
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

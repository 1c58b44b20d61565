"""The import of the offer's template (issue 15): confirmed on the preview page, the lines kept in the
person's session are planned again against the inventory as it is then and written, all or nothing, by the
worker (`ctg db_worker`), with the same functions as the page without script (`template_import.plan`,
`services.template_apply`, under `services.source_lock`)."""

from django.core.exceptions import ValidationError

from ctg.conventions.models import Ctg
from ctg.jobs.services import JobError, JobResult, job_enqueue, job_progress
from ctg.offer import selectors, services, template_import
from ctg.offer.forms import communes_by_code


def template_import_enqueue(*, ctg: Ctg, actor, filename: str, sha256: str, rows: list):
    """The job importing the checked lines of `filename` into the offer of `ctg`'s territory for `actor`,
    who was allowed `Op.EDIT` by the view."""
    return job_enqueue(
        kind="offer_template_import",
        label=f"Import du modèle de l'offre de services : {filename}",
        function=template_import_job,
        arguments={"ctg_id": ctg.pk, "filename": filename, "sha256": sha256, "rows": rows},
        ctg=ctg,
        actor=actor,
    )


def template_import_job(*, job, ctg_id: int, filename: str, sha256: str, rows: list) -> JobResult:
    ctg = Ctg.objects.get(pk=ctg_id)
    territory, _structures = selectors.structures_of_ctg(ctg)
    communes = communes_by_code(territory)
    lines = [(number, cells) for number, cells in rows]
    try:
        with services.source_lock(services.SOURCE_TEMPLATE):
            job_progress(job, 20, "Contrôle des lignes contre l'inventaire actuel")
            plan = template_import.plan(lines, filename, sha256, communes)
            job_progress(job, 60, "Écriture des structures")
            record = services.template_apply(plan, actor=job.requested_by)
    except (template_import.TemplateError, ValidationError) as error:
        text = error.messages[0] if isinstance(error, ValidationError) else str(error)
        raise JobError(f"Import refusé, rien n'a été modifié. {text}") from None
    return JobResult(
        label=(
            f"Modèle importé : {record.created} structure(s) créée(s), {record.updated} mise(s) à jour, "
            f"{record.unchanged} inchangée(s) — voir l'offre de services"
        ),
        url_name="offer:list",
        url_args=[ctg.pk],
    )

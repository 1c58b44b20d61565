"""The import of a statistics file as a background job (issue 15): the « Statistiques » page's confirmed
upload is moved to a folder of its own (``DATA_DIR/uploads/jobs/<random>/``) and `statistics_import_job` runs,
in the worker, the same functions as the page and `ctg import_data` (`importers.prepare_datasets`, then
`importers.save_datasets` with the scope of the person who asked), reporting each step: read and check,
write, done. Its result is the line of the journal; a refusal (`DatasetError`) is the job's French error, and
nothing is written."""

import secrets
import shutil
from pathlib import Path

from django.conf import settings

from ctg.diagnostics.importers import DatasetError, prepare_datasets, save_datasets
from ctg.diagnostics.scope import import_scope
from ctg.jobs.services import JobError, JobResult, job_enqueue, job_progress


def _jobs_root() -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "jobs"


def statistics_import_enqueue(*, path: Path, kind: str | None, year: int | None, actor):
    """Moves the checked upload `path` out of the pending folder and enqueues its import for `actor`."""
    folder = _jobs_root() / secrets.token_urlsafe(16)
    folder.mkdir(parents=True, mode=0o700)
    kept = folder / Path(path).name
    shutil.move(str(path), kept)
    return job_enqueue(
        kind="statistics_import",
        label=f"Import des statistiques : {kept.name}",
        function=statistics_import_job,
        arguments={"path": str(kept), "kind": kind or None, "year": year},
        actor=actor,
    )


def _forget(path: Path) -> None:
    if path.parent.parent == _jobs_root():
        shutil.rmtree(path.parent, ignore_errors=True)


def statistics_import_job(*, job, path: str, kind: str | None = None, year: int | None = None) -> JobResult:
    source = Path(path)
    if job.requested_by is None:
        _forget(source)
        raise JobError("La personne qui a demandé cet import n'existe plus : rien n'a été importé.")
    if not source.is_file():
        raise JobError("Le fichier déposé n'est plus disponible : déposez-le de nouveau.")
    try:
        job_progress(job, 10, f"Lecture et contrôle de {source.name}")
        prepared = prepare_datasets(source, kind=kind, year=year)
        job_progress(job, 60, "Écriture des chiffres dans l'entrepôt des statistiques")
        records = save_datasets(prepared, imported_by=job.requested_by, scope=import_scope(job.requested_by))
    except DatasetError as error:
        _forget(source)
        raise JobError(f"Import refusé, rien n'a été modifié. {error}") from None
    _forget(source)
    years = ", ".join(str(r.year) for r in records)
    label = (
        f"{records[0].source_name} importé : {records[0].get_kind_display()}, "
        f"millésime{'s' if len(records) > 1 else ''} {years} — voir le journal des imports"
    )
    return JobResult(label=label, url_name="statistics_imports")

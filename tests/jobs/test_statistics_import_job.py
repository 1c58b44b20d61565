"""The import of a statistics file as a job (issue 15): the checked upload moved aside and enqueued, the
worker reads, checks and writes it through the same functions as the page and `ctg import_data`, its steps
reported; the result is the journal's line; a refused file is the job's French error and writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ctg.diagnostics.jobs import statistics_import_enqueue
from ctg.diagnostics.models import DatasetImport
from ctg.jobs import services
from ctg.jobs.models import Job
from tests.diagnostics.conftest import FILOSOFI_HEADER, referential, stats_dir, store_snapshot, write

from .worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["referential", "stats_dir"]  # fixtures


def _upload(settings, lines):
    pending = settings.DATA_DIR / "uploads" / "pending" / "jeton"
    pending.mkdir(parents=True)
    return write(pending, "cc_filosofi_2021_COM.csv", lines)


def test_the_worker_imports_the_file_step_by_step(
    world, stats_dir, referential, settings, monkeypatch, client
):
    steps = []
    original = services.job_progress

    def spy(job, percent, message):
        steps.append((percent, message))
        return original(job, percent, message)

    monkeypatch.setattr("ctg.diagnostics.jobs.job_progress", spy)
    pilot = world.users["pilote_caf"]
    path = _upload(settings, [FILOSOFI_HEADER, "81004;23612;45331;21650;20,0;7,4"])
    job = statistics_import_enqueue(path=path, kind=None, year=None, actor=pilot)
    assert not path.exists() and not DatasetImport.objects.exists()

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.progress) == (Job.Status.DONE, 100), job.error
    assert steps == [
        (10, "Lecture et contrôle de cc_filosofi_2021_COM.csv"),
        (60, "Écriture des chiffres dans l'entrepôt des statistiques"),
    ]
    record = DatasetImport.objects.get()
    assert (record.kind, record.year, record.imported_by) == ("filosofi_com", 2021, pilot)
    assert job.result_label.startswith("cc_filosofi_2021_COM.csv importé :")
    assert job.result_url == "/statistiques/imports/"
    assert not list((settings.DATA_DIR / "uploads" / "jobs").iterdir())  # the kept file is gone
    client.force_login(pilot)
    assert "voir le journal des imports</a>" in client.get(f"/travaux/{job.pk}/etat/").content.decode()


def test_a_refused_file_fails_the_job_in_french_and_writes_nothing(world, stats_dir, referential, settings):
    path = _upload(settings, ["CODGEO;AUTRE", "81004;1"])
    job = statistics_import_enqueue(path=path, kind=None, year=None, actor=world.users["pilote_caf"])
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 1
    assert job.error.startswith("Import refusé, rien n'a été modifié.")
    assert store_snapshot(stats_dir) == {} and not DatasetImport.objects.exists()


def test_the_statistics_page_confirms_into_a_job_with_its_progress_inline(
    world, stats_dir, referential, client
):
    """The confirmation sent by htmx (`HX-Request`) enqueues the import and answers its progress, shown in the
    page; the worker imports; the polled fragment then shows the journal's line. A plain POST imports at once
    as before (tests/diagnostics/test_import_view.py)."""
    pilot = world.users["pilote_caf"]
    client.force_login(pilot)
    content = f"{FILOSOFI_HEADER}\n81004;23612;45331;21650;20,0;7,4\n"
    upload = SimpleUploadedFile("cc_filosofi_2021_COM.csv", content.encode(), content_type="text/csv")
    preview = client.post("/statistiques/import/", {"file": upload})
    response = client.post(
        "/statistiques/import/",
        {"token": preview.context["token"], "action": "confirm"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    job = Job.objects.get(kind="statistics_import")
    assert (job.requested_by, job.status) == (pilot, Job.Status.PENDING)
    page = response.content.decode()
    assert f'href="/travaux/{job.pk}/"' in page and 'hx-trigger="every 2s"' in page
    assert not DatasetImport.objects.exists()

    run_worker()

    fragment = client.get(f"/travaux/{job.pk}/etat/").content.decode()
    assert "terminé" in fragment and "cc_filosofi_2021_COM.csv importé" in fragment
    assert DatasetImport.objects.get().imported_by == pilot

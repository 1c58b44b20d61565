"""Jobs end to end (issue 15): enqueued by a service, run by the worker (`db_worker --batch`, in this
process), their progress, result and French error shown on the status page and its polled fragment; a
transient error tried again; a job still in the queue after a restart picked up by a new worker; only the
requester sees the job."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ctg.jobs import services
from ctg.jobs.models import Job
from ctg.jobs.services import JobResult, TransientJobError, job_enqueue, job_progress

from .worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = []


def steps_job(*, job, count):
    for step in range(count):
        job_progress(job, 100 * step // count, f"Étape {step + 1} sur {count}")
        CALLS.append(Job.objects.get(pk=job.pk).progress)
    return JobResult(label=f"{count} étapes faites", url_name="jobs:detail", url_args=[job.pk])


def refused_job(*, job):
    raise ValidationError("Le fichier ne contient aucune commune connue.")


def crashing_job(*, job):
    raise KeyError("secret internal detail")


def flaky_job(*, job, failures):
    if job.attempts <= failures:
        raise TransientJobError("le serveur de messagerie ne répond pas")
    return JobResult(label="Passé au nouvel essai")


@pytest.fixture(autouse=True)
def _test_functions(monkeypatch):
    monkeypatch.setattr(services, "FUNCTION_PACKAGES", ("ctg.", "tests.jobs."))
    monkeypatch.setattr(services, "RETRY_DELAYS", (0, 0, 0))
    CALLS.clear()


def _enqueue(world, function, **arguments):
    return job_enqueue(
        kind="test",
        label="Travail d'essai",
        function=function,
        arguments=arguments,
        ctg=world.ctg,
        actor=world.users["pilote_caf"],
    )


def test_a_job_runs_through_the_worker_and_the_page_shows_its_result(world, client):
    job = _enqueue(world, steps_job, count=4)
    assert job.status == Job.Status.PENDING and job.task_id
    assert DBTaskResult.objects.filter(id=job.task_id, status="READY").exists()
    client.force_login(world.users["pilote_caf"])
    page = client.get(f"/travaux/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "en attente" in page
    assert 'role="alert"' not in page

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts) == (Job.Status.DONE, 100, 1)
    assert CALLS == [0, 25, 50, 75]
    assert job.started_at and job.finished_at and job.requested_by == world.users["pilote_caf"]
    fragment = client.get(f"/travaux/{job.pk}/etat/").content.decode()
    assert "every 2s" not in fragment  # the polling stops
    assert "terminé" in fragment and 'value="100"' in fragment
    assert f'<a href="/travaux/{job.pk}/">4 étapes faites</a>' in fragment


def test_a_refused_job_fails_at_once_with_its_french_error(world, client):
    job = _enqueue(world, refused_job)
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 1)
    client.force_login(world.users["pilote_caf"])
    fragment = client.get(f"/travaux/{job.pk}/etat/").content.decode()
    assert "échoué" in fragment and "every 2s" not in fragment
    assert "Le fichier ne contient aucune commune connue." in fragment


def test_an_unexpected_error_is_told_in_french_without_its_detail(world, client):
    job = _enqueue(world, crashing_job)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Une erreur inattendue a interrompu le travail.")
    assert "secret" not in job.error


def test_a_transient_error_is_tried_again(world):
    job = _enqueue(world, flaky_job, failures=2)
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result_label) == (Job.Status.DONE, 3, "Passé au nouvel essai")
    assert DBTaskResult.objects.count() == 3


def test_a_job_that_keeps_failing_stops_after_three_attempts(world):
    job = _enqueue(world, flaky_job, failures=5)
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 3)
    assert job.error == "Le travail a échoué après 3 essais : le serveur de messagerie ne répond pas."


def test_a_retry_waits_its_delay(world, monkeypatch):
    monkeypatch.setattr(services, "RETRY_DELAYS", (600,))
    job = _enqueue(world, flaky_job, failures=1)
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.PENDING, 1)
    assert "nouvel essai dans 600 s" in job.message
    DBTaskResult.objects.filter(id=job.task_id).update(run_after=timezone.now())  # the delay has passed
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)


def test_a_queued_job_survives_a_restart(world):
    """The job is in the database, not in the process: the connections closed (the server stopped), a new
    worker with a new id picks it up."""
    job = _enqueue(world, steps_job, count=2)
    connection.close()
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert len(DBTaskResult.objects.get(id=job.task_id).worker_ids) == 1


def test_only_the_requester_sees_the_job(world, client):
    job = _enqueue(world, steps_job, count=1)
    other = job_enqueue(
        kind="test",
        label="Travail d'un autre dossier",
        function=steps_job,
        arguments={"count": 1},
        ctg=world.other_ctg,
        actor=world.users["other_caf"],
    )
    for user, status in (("pilote_caf", 200), ("coordination", 404), ("other_caf", 404)):
        client.force_login(world.users[user])
        assert client.get(f"/travaux/{job.pk}/").status_code == status
        assert client.get(f"/travaux/{job.pk}/etat/").status_code == status
    client.force_login(world.users["pilote_caf"])
    assert client.get(f"/travaux/{other.pk}/").status_code == 404
    assert client.get(f"/travaux/{other.pk}/etat/").status_code == 404


def test_a_label_is_escaped(world, client):
    job = job_enqueue(
        kind="test",
        label="<script>alert(1)</script>",
        function=steps_job,
        arguments={"count": 1},
        actor=world.users["pilote_caf"],
    )
    client.force_login(world.users["pilote_caf"])
    page = client.get(f"/travaux/{job.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_function_outside_the_project_is_refused(world):
    with pytest.raises(services.JobError):
        _enqueue(world, "os:system")

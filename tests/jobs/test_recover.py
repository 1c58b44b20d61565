"""A job left « en cours » by a worker that stopped during its attempt (issue 15): `ctg jobs_recover` tries
it again when attempts remain (and the worker then finishes it), else fails it with its French reason; a job
whose attempt is recent is left alone."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ctg.jobs import services
from ctg.jobs.models import Job
from ctg.jobs.services import JobResult, job_enqueue

from .worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def done_job(*, job):
    return JobResult(label="Fait au nouvel essai")


@pytest.fixture(autouse=True)
def _test_functions(monkeypatch):
    monkeypatch.setattr(services, "FUNCTION_PACKAGES", ("ctg.", "tests.jobs."))


def _interrupted(world, *, minutes_ago, attempts=1, max_attempts=3):
    """A job whose worker stopped during its attempt: its row says « en cours », its task was taken."""
    job = job_enqueue(
        kind="test",
        label="Travail interrompu",
        function=done_job,
        ctg=world.ctg,
        actor=world.users["pilote_caf"],
        max_attempts=max_attempts,
    )
    run_worker()  # the task is consumed; the row is then put back as the crash left it
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        attempts=attempts,
        progress=40,
        message="En cours…",
        attempt_started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        finished_at=None,
    )
    return job


def test_an_interrupted_job_is_tried_again_and_finished_by_the_worker(world):
    job = _interrupted(world, minutes_ago=90)
    recent = _interrupted(world, minutes_ago=5)
    out = io.StringIO()
    call_command("jobs_recover", stdout=out)
    assert f"Relancé : travail n° {job.pk}" in out.getvalue() and f"n° {recent.pk}" not in out.getvalue()
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and "redémarrage du serveur" in job.message
    assert Job.objects.get(pk=recent.pk).status == Job.Status.RUNNING
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result_label) == (Job.Status.DONE, 2, "Fait au nouvel essai")


def test_an_interrupted_job_without_attempts_left_fails_in_french(world):
    job = _interrupted(world, minutes_ago=1, attempts=3)
    out = io.StringIO()
    call_command("jobs_recover", "--minutes", "0", stdout=out)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert job.error == (
        "Le travail a été interrompu après 3 essais : le travailleur s'est arrêté pendant l'essai "
        "(redémarrage du serveur)."
    )
    assert f"En échec : travail n° {job.pk}" in out.getvalue()


def test_nothing_to_recover_and_a_bad_delay(world):
    out = io.StringIO()
    call_command("jobs_recover", "--minutes", "0", stdout=out)
    assert out.getvalue().strip() == "Aucun travail interrompu."
    job = _interrupted(world, minutes_ago=90)
    with pytest.raises(CommandError, match="--minutes doit être positif ou nul"):
        call_command("jobs_recover", "--minutes", "-1", stdout=io.StringIO())
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING

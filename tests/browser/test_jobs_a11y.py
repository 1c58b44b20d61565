"""A job's status page (issue 15) renders in Chromium and passes axe-core (no serious or critical violation)
while the job waits (the fragment polled by htmx), once done (the result's link) and once failed (the French
error); the progress bar is a labelled <progress>."""

import pytest

from ctg.jobs import services
from ctg.jobs.models import Job
from ctg.jobs.services import job_enqueue
from tests.conftest import PASSWORD
from tests.jobs.worker import run_worker

from .axe import assert_accessible

pytestmark = pytest.mark.queued_jobs  # the job waits in the database queue until the test runs the worker


def _job(world, function, **arguments):
    return job_enqueue(
        kind="test",
        label="Travail d'essai",
        function=function,
        arguments=arguments,
        ctg=world.ctg,
        actor=world.users["pilote_caf"],
    )


@pytest.fixture(autouse=True)
def _test_functions(monkeypatch):
    monkeypatch.setattr(services, "FUNCTION_PACKAGES", ("ctg.", "tests.jobs."))


def test_job_status_page_is_accessible(transactional_db, world, page, live_server, login):
    from tests.jobs.test_jobs import refused_job, steps_job

    login(world.users["pilote_caf"].email, PASSWORD)
    waiting = _job(world, steps_job, count=2)
    assert page.goto(f"{live_server.url}/travaux/{waiting.pk}/").status == 200
    progress = page.get_by_label("Avancement : 0 %")
    assert progress.get_attribute("value") == "0"
    assert_accessible(page, "Travail en attente")

    run_worker()
    # The polled fragment replaces itself with the finished state, and stops polling.
    page.get_by_role("link", name="2 étapes faites").wait_for()
    assert page.get_by_label("Avancement : 100 %").get_attribute("value") == "100"
    assert page.locator("[hx-trigger]").count() == 0
    assert_accessible(page, "Travail terminé")

    failed = _job(world, refused_job)
    run_worker()
    assert Job.objects.get(pk=failed.pk).status == Job.Status.FAILED
    page.goto(f"{live_server.url}/travaux/{failed.pk}/")
    assert (
        page.get_by_role("alert")
        .filter(has_text="Le fichier ne contient aucune commune connue.")
        .is_visible()
    )
    assert_accessible(page, "Travail échoué")

"""A job as its requester sees it in Chromium (issue 15), with the real database queue: « Préparer le bilan
(PDF) » puts the job in the queue and shows it in place, waiting, with its progress bar (axe-core); the test
then runs the worker as `ctg db_worker` would, and the polled fragment (htmx, every 2 s) turns to « Terminé »
with the link to the file, which downloads the PDF."""

import pytest
from playwright.sync_api import expect

from ctg.jobs.models import Job
from tests.conftest import PASSWORD
from tests.jobs.worker import run_worker

from .axe import assert_accessible

pytestmark = pytest.mark.queued_jobs


def test_a_queued_job_shows_its_progress_then_its_result(transactional_db, world, page, live_server, login):
    ctg, year = world.ctg, world.ctg.start_year
    login(world.users["lecture"].email, PASSWORD)
    assert page.goto(f"{live_server.url}/plan/ctg/{ctg.pk}/bilan/{year}/").status == 200
    page.get_by_role("button", name=f"Préparer le bilan {year} (PDF)").click()
    area = page.locator("#job-area")
    expect(area).to_contain_text("Le travail est lancé en arrière-plan")
    expect(area).to_contain_text("en attente")
    expect(area.get_by_label("Avancement : 0 %")).to_be_visible()
    assert_accessible(page, "Travail en attente, affiché sur la page du bilan")
    job = Job.objects.get()
    assert (job.status, job.requested_by) == (Job.Status.PENDING, world.users["lecture"])

    run_worker()

    link = area.get_by_role("link", name=f"Bilan annuel {year} (PDF) : télécharger")
    expect(link).to_be_visible(timeout=20_000)  # the next poll of the fragment
    expect(area).to_contain_text("Terminé")
    assert_accessible(page, "Travail terminé, affiché sur la page du bilan")
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

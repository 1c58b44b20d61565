"""The small documents' buttons start jobs too (issue 15): the minutes of a meeting, the report of an
atelier, the coordinator's yearly activity report (PDF and DOCX) are made by the worker from the same
functions as their download views, the file kept for its requester only; another dossier's meeting or
atelier, an unknown format or a year out of the report's range start no job."""

import pytest
from django.urls import reverse

from ctg.jobs.models import Job
from tests.ateliers.matrix import _atelier
from tests.governance.matrix_meetings import _held
from tests.post.matrix import _year

from .worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}

CASES = [
    ("governance:meeting_minutes_prepare", "governance:meeting", _held, {}, "compte-rendu.pdf", b"%PDF"),
    ("ateliers:report_prepare", "ateliers:detail", _atelier, {}, ".pdf", b"%PDF"),
    ("post:report_prepare", "post:report", _year, {"fmt": "pdf"}, "rapport-activite-poste-2025.pdf", b"%PDF"),
    ("post:report_prepare", "post:report", _year, {"fmt": "docx"}, "rapport-activite-poste-2025.docx", b"PK"),
]


@pytest.mark.parametrize(("name", "page", "setup", "extra", "suffix", "magic"), CASES)
def test_the_document_is_made_by_the_worker_for_its_requester(
    world, client, name, page, setup, extra, suffix, magic
):
    kwargs = setup(world)
    url = reverse(name, kwargs={**kwargs, **extra})
    reader = world.users["lecture"]
    client.force_login(reader)
    html = client.get(reverse(page, kwargs=kwargs)).content.decode()
    assert f'hx-post="{url}" hx-target="#job-area"' in html and 'id="job-area"' in html

    fragment = client.post(url, **HTMX).content.decode()
    job = Job.objects.get()
    assert f'hx-get="/travaux/{job.pk}/etat/"' in fragment and job.requested_by == reader
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result_label.endswith(f"{suffix} : télécharger")
    response = client.get(job.result_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(magic)
    client.force_login(world.users["coordination"])  # another member: the job and its file are not theirs
    assert client.get(job.result_url).status_code == 404


def test_another_dossiers_meeting_or_atelier_starts_no_job(world, client):
    from tests.ateliers.matrix import _atelier as atelier_of
    from tests.governance.matrix_meetings import _held as held_of

    class Other:
        ctg = world.other_ctg

    meeting, atelier = held_of(Other), atelier_of(Other)
    client.force_login(world.users["coordination"])
    urls = [
        reverse("governance:meeting_minutes_prepare", args=[world.ctg.pk, meeting["meeting_pk"]]),
        reverse("ateliers:report_prepare", args=[world.ctg.pk, atelier["atelier_pk"]]),
    ]
    assert [client.post(url, **HTMX).status_code for url in urls] == [404, 404]
    assert not Job.objects.exists()


@pytest.mark.parametrize(("year", "fmt"), [(2025, "odt"), (2025, "PDF"), (1990, "pdf")])
def test_a_bad_activity_report_request_starts_no_job(world, client, year, fmt):
    _year(world)
    client.force_login(world.users["coordination"])
    url = reverse("post:report_prepare", args=[world.ctg.pk, year, fmt])
    assert client.post(url, **HTMX).status_code == 404
    assert not Job.objects.exists()

"""The yearly bilan's PDF and DOCX made as jobs (issue 15): run by the worker outside any transaction, the
file kept on the job and downloaded by its requester only."""

import pytest
from django.db import connection

from ctg.evaluation import jobs
from ctg.evaluation.jobs import bilan_enqueue
from ctg.jobs.models import Job

from .worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF"), ("docx", b"PK")])
def test_the_bilan_is_made_by_the_worker_and_downloaded_by_its_requester(
    world, client, monkeypatch, fmt, magic
):
    seen = []
    label, render = jobs.FORMATS[fmt]
    monkeypatch.setitem(
        jobs.FORMATS, fmt, (label, lambda data: seen.append(connection.in_atomic_block) or render(data))
    )
    year = world.ctg.start_year
    job = bilan_enqueue(ctg=world.ctg, year=year, fmt=fmt, actor=world.users["coordination"])
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.progress) == (Job.Status.DONE, 100), job.error
    assert seen == [False]
    assert job.result_url == f"/travaux/{job.pk}/fichier/"
    client.force_login(world.users["coordination"])
    assert (
        f"Bilan annuel {year} ({label}) : télécharger</a>"
        in client.get(f"/travaux/{job.pk}/etat/").content.decode()
    )
    response = client.get(job.result_url)
    assert response.status_code == 200
    assert f'filename="ctg-{world.ctg.pk}-bilan-{year}.{fmt}"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(magic)
    client.force_login(world.users["pilote_caf"])
    assert client.get(job.result_url).status_code == 404

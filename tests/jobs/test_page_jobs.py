"""The pages' buttons start jobs (issue 15): with the page's script (htmx), the convention, the avenant, the
diagnostic document, the final evaluation's report, the bilan's files and a statistics import are run by the
worker and their progress shown inline; the diagnostic document and the final report render outside any
transaction; a refusal reaches the requester in French; a bad request starts no job."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from ctg.conventions.models import Ctg, Phase
from ctg.core.models import Action, HistoryEntry
from ctg.documents import diagnostic_render, services
from ctg.evaluation import final_render
from ctg.evaluation.models import FinalEvaluation
from ctg.jobs.models import Job

from .worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}


def _spy(monkeypatch, module):
    seen = []
    for name in ("render_pdf", "render_docx"):
        original = getattr(module, name)

        def spy(data, _original=original, _name=name):
            seen.append((_name, connection.in_atomic_block))
            return _original(data)

        monkeypatch.setattr(module, name, spy)
    return seen


def _inline_job(response) -> Job:
    assert response.status_code == 200
    page = response.content.decode()
    match = re.search(r'hx-get="/travaux/(\d+)/etat/"', page)
    assert match, page
    assert "Le travail est lancé en arrière-plan" in page
    return Job.objects.get(pk=int(match.group(1)))


def _form_posts_by_htmx(page: str, url: str) -> bool:
    return f'hx-post="{url}" hx-target="#job-area"' in page and 'id="job-area"' in page


def test_the_diagnostic_document_button_runs_a_job_rendered_outside_transactions(world, client, monkeypatch):
    seen = _spy(monkeypatch, diagnostic_render)
    coordinator = world.users["coordination"]
    client.force_login(coordinator)
    url = reverse("documents:diagnostic_generate", args=[world.ctg.pk])
    assert _form_posts_by_htmx(
        client.get(reverse("documents:diagnostic", args=[world.ctg.pk])).content.decode(), url
    )

    job = _inline_job(client.post(url, **HTMX))
    assert (job.kind, job.status, job.requested_by) == ("diagnostic", Job.Status.PENDING, coordinator)
    assert not world.ctg.diagnostic_versions.exists()
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.progress) == (Job.Status.DONE, 100), job.error
    version = world.ctg.diagnostic_versions.get()
    assert version.generated_by == coordinator and version.pdf.read().startswith(b"%PDF")
    assert sorted(seen) == [("render_docx", False), ("render_pdf", False)]
    entry = HistoryEntry.objects.get(action=Action.DIAGNOSTIC_REPORT)
    assert (entry.actor, entry.summary) == (coordinator, "Document du diagnostic partagé généré (version 1)")
    fragment = client.get(reverse("jobs:status", args=[job.pk])).content.decode()
    assert "Document du diagnostic, version 1 : télécharger le PDF" in fragment
    assert client.get(job.result_url).status_code == 200


def test_a_diagnostic_version_generated_meanwhile_refuses_the_slower_one(world, monkeypatch):
    coordinator = world.users["coordination"]
    original = diagnostic_render.render_pdf

    def meanwhile(data):
        monkeypatch.setattr(diagnostic_render, "render_pdf", original)
        services.diagnostic_generate(ctg=world.ctg, actor=coordinator)  # another person, faster
        return original(data)

    monkeypatch.setattr(diagnostic_render, "render_pdf", meanwhile)
    from ctg.documents.jobs import diagnostic_enqueue

    job = diagnostic_enqueue(ctg=world.ctg, actor=coordinator)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "Une autre version a été générée" in job.error
    assert list(world.ctg.diagnostic_versions.values_list("number", flat=True)) == [1]


def test_the_convention_buttons_post_by_htmx(world, client):
    client.force_login(world.users["pilote_caf"])
    page = client.get(reverse("documents:convention", args=[world.ctg.pk])).content.decode()
    assert _form_posts_by_htmx(page, reverse("documents:generate", args=[world.ctg.pk]))
    job = _inline_job(client.post(reverse("documents:generate", args=[world.ctg.pk]), **HTMX))
    assert job.kind == "convention" and not world.ctg.convention_versions.exists()


def test_the_final_report_button_runs_a_job(world, client, monkeypatch):
    seen = _spy(monkeypatch, final_render)
    Ctg.objects.filter(pk=world.ctg.pk).update(phase=Phase.EVALUATION)
    evaluation = FinalEvaluation.objects.create(ctg=world.ctg)
    coordinator = world.users["coordination"]
    client.force_login(coordinator)
    url = reverse("evaluation:final_generate", args=[world.ctg.pk])
    assert _form_posts_by_htmx(
        client.get(reverse("evaluation:final", args=[world.ctg.pk])).content.decode(), url
    )

    job = _inline_job(client.post(url, **HTMX))
    assert job.kind == "final_evaluation" and not evaluation.versions.exists()
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    version = evaluation.versions.get()
    assert version.generated_by == coordinator and version.pdf.read().startswith(b"%PDF")
    assert sorted(seen) == [("render_docx", False), ("render_pdf", False)]
    assert job.result_url == reverse("evaluation:final_version_pdf", args=[world.ctg.pk, 1])


def test_a_final_report_job_whose_evaluation_was_deleted_fails_in_french(world):
    from ctg.evaluation.jobs import final_enqueue

    Ctg.objects.filter(pk=world.ctg.pk).update(phase=Phase.EVALUATION)
    evaluation = FinalEvaluation.objects.create(ctg=world.ctg)
    job = final_enqueue(evaluation=evaluation, actor=world.users["coordination"])
    evaluation.delete()
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error.startswith("L'évaluation finale a été supprimée")


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF"), ("docx", b"PK")])
def test_the_bilan_buttons_prepare_the_file_as_a_job(world, client, fmt, magic):
    reader = world.users["lecture"]
    client.force_login(reader)
    year = world.ctg.start_year
    url = reverse("evaluation:bilan_prepare", args=[world.ctg.pk, year, fmt])
    assert _form_posts_by_htmx(
        client.get(reverse("evaluation:bilan", args=[world.ctg.pk, year])).content.decode(), url
    )

    # Without the page's script: the job's own page.
    response = client.post(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    # With it: the progress inline.
    assert _inline_job(client.post(url, **HTMX)).kind == f"bilan_{fmt}"
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    response = client.get(job.result_url)
    assert b"".join(response.streaming_content).startswith(magic)


@pytest.mark.parametrize(("year_offset", "fmt"), [(0, "xlsx"), (0, "PDF"), (-1, "pdf"), (10, "docx")])
def test_a_bad_bilan_request_starts_no_job(world, client, year_offset, fmt):
    client.force_login(world.users["coordination"])
    url = reverse("evaluation:bilan_prepare", args=[world.ctg.pk, world.ctg.start_year + year_offset, fmt])
    assert client.post(url, **HTMX).status_code == 404
    assert not Job.objects.exists()

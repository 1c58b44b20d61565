"""The convention's document generated as a job (issue 15): enqueued, run by the worker, its progress
reported, the version and its history line written in the requester's name, the result a link to the PDF;
no render holds a database transaction open."""

import pytest
from django.db import connection
from django.urls import reverse

from ctg.core.models import Action, HistoryEntry
from ctg.documents import render, services
from ctg.documents.jobs import convention_enqueue
from ctg.jobs.models import Job

from .worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def renders_outside_transactions(monkeypatch):
    seen = []
    for name in ("render_docx", "render_pdf"):
        original = getattr(render, name)

        def spy(data, _original=original, _name=name):
            seen.append((_name, connection.in_atomic_block))
            return _original(data)

        monkeypatch.setattr(render, name, spy)
    return seen


def test_the_convention_is_generated_by_the_worker(world, client, renders_outside_transactions):
    pilot = world.users["pilote_caf"]
    job = convention_enqueue(ctg=world.ctg, actor=pilot)
    assert (job.kind, job.ctg, job.status) == ("convention", world.ctg, Job.Status.PENDING)
    assert not world.ctg.convention_versions.exists()

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (Job.Status.DONE, 100, "")
    version = world.ctg.convention_versions.get()
    assert version.number == 1 and version.generated_by == pilot
    assert version.pdf.read().startswith(b"%PDF")
    entry = HistoryEntry.objects.get(action=Action.CONVENTION)
    assert (entry.actor, entry.summary) == (pilot, "Convention générée (version 1)")
    assert renders_outside_transactions == [("render_docx", False), ("render_pdf", False)]
    client.force_login(pilot)
    fragment = client.get(f"/travaux/{job.pk}/etat/").content.decode()
    assert job.result_url == reverse("documents:version_pdf", args=[world.ctg.pk, 1])
    assert job.result_url in fragment and "Convention, version 1 : télécharger le PDF" in fragment
    assert client.get(job.result_url).status_code == 200


def test_the_service_called_directly_renders_outside_transactions(world, renders_outside_transactions):
    version = services.convention_generate(ctg=world.ctg, actor=world.users["pilote_caf"])
    assert version.number == 1
    assert renders_outside_transactions == [("render_docx", False), ("render_pdf", False)]


def test_an_avenant_without_a_version_fails_with_its_french_reason(world):
    from ctg.conventions.models import Avenant

    avenant = Avenant.objects.create(ctg=world.ctg, number=1, title="Ajout d'une fiche")
    job = convention_enqueue(ctg=world.ctg, actor=world.users["pilote_caf"], avenant=avenant)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 1
    assert "générez d'abord la convention" in job.error
    assert not world.ctg.convention_versions.exists()


def test_a_version_generated_meanwhile_refuses_the_slower_one(world, monkeypatch):
    pilot = world.users["pilote_caf"]
    original = render.render_pdf

    def meanwhile(data):
        monkeypatch.setattr(render, "render_pdf", original)
        services.convention_generate(ctg=world.ctg, actor=pilot)  # another person, faster
        return original(data)

    monkeypatch.setattr(render, "render_pdf", meanwhile)
    job = convention_enqueue(ctg=world.ctg, actor=pilot)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == (
        "Une autre version a été générée pendant la mise en page de celle-ci : relancez la génération."
    )
    assert list(world.ctg.convention_versions.values_list("number", flat=True)) == [1]


def test_the_convention_page_enqueues_through_htmx_and_shows_the_progress(world, client):
    """The generation asked by htmx (`HX-Request`) is enqueued under the page's permission
    (`Op.MANAGE_CONVENTION`) and answers its progress, shown inline; a plain POST generates at once as
    before (tests/documents/test_generation.py)."""
    from ctg.conventions.models import Avenant

    url = reverse("documents:generate", args=[world.ctg.pk])
    client.force_login(world.users["lecture"])
    assert client.post(url, headers={"HX-Request": "true"}).status_code == 403
    assert not Job.objects.exists()
    client.force_login(world.users["coordination"])
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    job = Job.objects.get()
    assert (job.requested_by, job.ctg) == (world.users["coordination"], world.ctg)
    assert 'hx-trigger="every 2s"' in response.content.decode()
    run_worker()
    assert world.ctg.convention_versions.get().generated_by == world.users["coordination"]
    assert (
        "Convention, version 1 : télécharger le PDF"
        in client.get(f"/travaux/{job.pk}/etat/").content.decode()
    )

    avenant = Avenant.objects.create(ctg=world.ctg, number=1, title="Ajout d'une fiche")
    client.post(
        reverse("documents:avenant_generate", args=[world.ctg.pk, avenant.pk]), headers={"HX-Request": "true"}
    )
    run_worker()
    assert avenant.documents.get().number == 2


def test_the_worker_renders_a_big_convention_on_two_processes(world, monkeypatch, tmp_path):
    """The worker starts no thread of its own (in production it is the process's only one): a big convention
    is rendered in parts by forked processes (ctg.rendering.html_to_pdf), and its PDF has every annex. The
    threads of the test run itself (a live server of the browser tests, say) are left out of the count."""
    import threading

    from pypdf import PdfReader

    from ctg import rendering
    from tests.test_rendering_parts import record_processes

    monkeypatch.setattr(rendering, "PARTS_MIN_CHARS", 0)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    harness = threading.active_count()
    can_fork = rendering._can_fork
    seen = []

    def only_the_worker(*args):
        seen.append(threading.active_count() - harness)
        with monkeypatch.context() as inner:
            inner.setattr(threading, "active_count", lambda: 1 + seen[-1])
            return can_fork()

    monkeypatch.setattr(rendering, "_can_fork", only_the_worker)
    processes = record_processes(monkeypatch, tmp_path)
    job = convention_enqueue(ctg=world.ctg, actor=world.users["pilote_caf"])
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.DONE, "")
    assert seen == [0], "the worker started a thread of its own"
    assert len(processes()) == 2, "not forked"
    text = "".join(page.extract_text() for page in PdfReader(world.ctg.convention_versions.get().pdf).pages)
    assert "Annexe 4" in text and "Page 1 / " in text

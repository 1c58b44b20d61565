"""The offer's template import confirmed from its preview page by htmx (issue 15): a job planned again
against the inventory as it is when the worker runs it, then written all or nothing in the requester's name;
an inventory changed meanwhile that makes a line impossible fails the job in French and writes nothing; the
preview's button posts by htmx."""

import pytest
from django.urls import reverse

from ctg.jobs.models import Job
from ctg.offer.models import OfferImport, Structure
from tests.offer.test_template_import import _csv, _line, _snapshot, _upload, neighbour_with_identifiant

from .worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}


def _confirm_by_htmx(client, world, preview):
    url = reverse("offer:template_import", args=[world.ctg.pk])
    page = preview.content.decode()
    assert f'hx-post="{url}" hx-target="#job-area"' in page and 'id="job-area"' in page
    response = client.post(url, {"token": preview.context["token"], "action": "confirm"}, **HTMX)
    assert response.status_code == 200 and "Le travail est lancé en arrière-plan" in response.content.decode()
    return Job.objects.get()


def test_the_confirmed_import_is_written_by_the_worker(client, world):
    editor = world.users["coordination"]
    client.force_login(editor)
    content = _csv(
        world,
        _line(commune="{commune}"),
        _line("AM-1", "assistantes_maternelles", "Assistantes maternelles", "{commune}", capacity="42"),
    )
    job = _confirm_by_htmx(client, world, _upload(client, world, content))
    assert (job.kind, job.requested_by) == ("offer_template_import", editor)
    assert not Structure.objects.exists()  # the worker writes, not the request
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.result_label.startswith("Modèle importé : 2 structure(s) créée(s)")
    assert job.result_url == reverse("offer:list", args=[world.ctg.pk])
    assert Structure.objects.count() == 2
    assert Structure.objects.get(source_id="CS-001").created_by == editor
    assert OfferImport.objects.get().source == "modele"


def test_an_inventory_changed_meanwhile_fails_the_job_and_writes_nothing(client, world):
    client.force_login(world.users["coordination"])
    job = _confirm_by_htmx(client, world, _upload(client, world, _csv(world, _line(commune="{commune}"))))
    # Before the worker runs: the same identifiant is used by a structure of another territory.
    neighbour_with_identifiant(world)
    before = _snapshot()
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 1
    assert job.error.startswith("Import refusé, rien n'a été modifié.")
    assert "hors du territoire du dossier" in job.error
    assert _snapshot() == before

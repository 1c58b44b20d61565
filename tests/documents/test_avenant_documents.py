"""The document of an avenant is generated from the avenant's page, for that recorded avenant: the page lists
its documents, the versions list says which avenant each belongs to, and deleting the avenant keeps the
document it had."""

import datetime

from django.urls import reverse

from ctg.conventions import services as conventions_services
from ctg.conventions.models import Avenant
from ctg.core.models import Action, HistoryEntry
from ctg.documents import services
from tests.conftest import PASSWORD
from tests.factories import SignatoryFactory


def _signed_with_avenant(world):
    SignatoryFactory(ctg=world.ctg, organisation=world.ctg.caf, signed_on=datetime.date(2025, 1, 6))
    return conventions_services.avenant_add(
        ctg=world.ctg,
        actor=world.users["pilote_caf"],
        title="Ajout du plan d'action",
        signed_on=datetime.date(2025, 6, 2),
    )


def test_the_avenant_page_generates_and_lists_its_document(client, world):
    avenant = _signed_with_avenant(world)
    services.convention_generate(ctg=world.ctg, actor=world.users["pilote_caf"])
    client.login(email=world.users["coordination"].email, password=PASSWORD)
    edit = reverse("conventions:avenant_edit", args=[world.ctg.pk, avenant.pk])
    page = client.get(edit).content.decode()
    assert "Aucun document n'a encore été généré pour cet avenant." in page
    generate = reverse("documents:avenant_generate", args=[world.ctg.pk, avenant.pk])
    assert f'action="{generate}"' in page

    response = client.post(generate)
    assert response.status_code == 302
    version = avenant.documents.get()
    assert (version.number, version.avenant_number, version.subject) == (2, 1, "Ajout du plan d'action")
    entry = HistoryEntry.objects.filter(action=Action.CONVENTION).first()
    assert entry.actor == world.users["coordination"] and entry.item_id == version.pk
    assert entry.summary == "Document de l'avenant n° 1 généré (version 2) : Ajout du plan d'action"
    page = client.get(edit).content.decode()
    assert reverse("documents:version_pdf", args=[world.ctg.pk, 2]) in page
    assert reverse("documents:version_docx", args=[world.ctg.pk, 2]) in page


def test_readers_cannot_generate_an_avenant_document(client, world):
    avenant = _signed_with_avenant(world)
    services.convention_generate(ctg=world.ctg, actor=world.users["pilote_caf"])
    client.login(email=world.users["lecture"].email, password=PASSWORD)
    count = HistoryEntry.objects.count()
    response = client.post(reverse("documents:avenant_generate", args=[world.ctg.pk, avenant.pk]))
    assert response.status_code == 403
    assert not avenant.documents.exists() and HistoryEntry.objects.count() == count
    page = client.get(reverse("documents:convention", args=[world.ctg.pk])).content.decode()
    assert "Générer le document de l'avenant" not in page


def test_an_unknown_avenant_is_not_found(client, world):
    services.convention_generate(ctg=world.ctg, actor=world.users["pilote_caf"])
    client.login(email=world.users["pilote_caf"].email, password=PASSWORD)
    response = client.post(reverse("documents:avenant_generate", args=[world.ctg.pk, 999999]))
    assert response.status_code == 404 and world.ctg.convention_versions.count() == 1


def test_a_deleted_avenant_leaves_its_document_which_says_so(client, world):
    avenant = _signed_with_avenant(world)
    services.convention_generate(ctg=world.ctg, actor=world.users["pilote_caf"])
    version = services.convention_generate(ctg=world.ctg, actor=world.users["pilote_caf"], avenant=avenant)
    conventions_services.avenant_delete(avenant=avenant, actor=world.users["pilote_caf"])
    version.refresh_from_db()
    assert version.avenant is None and (version.avenant_number, version.subject) == (
        1,
        "Ajout du plan d'action",
    )
    assert not Avenant.objects.exists()
    client.login(email=world.users["lecture"].email, password=PASSWORD)
    page = client.get(reverse("documents:convention", args=[world.ctg.pk])).content.decode()
    assert "Avenant n° 1" in page and "Avenant enregistré supprimé depuis" in page

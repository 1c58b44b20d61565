"""The archive downloaded from the dossier's page: the same archive as `ctg export_dossier`, for the CAF pilot
and the coordination; the link is on the dossier's home for them only."""

import io
import json
import zipfile

from django.urls import reverse


def test_the_pilot_downloads_the_archive_of_the_dossier(world, client):
    client.force_login(world.users["pilote_caf"])
    response = client.get(reverse("transfer:archive", args=[world.ctg.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f'filename="ctg-{world.ctg.pk}-archive.zip"' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        data = json.loads(archive.read("dossier.json"))
    assert data["dossier"]["title"] == world.ctg.title
    assert "membre@ailleurs.fr" not in archive_text(response.content)  # nothing of the other dossier


def archive_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("dossier.json").decode()


def test_the_link_is_shown_to_those_who_may_download(world, client):
    url = reverse("transfer:archive", args=[world.ctg.pk])
    client.force_login(world.users["coordination"])
    assert url in client.get(reverse("conventions:detail", args=[world.ctg.pk])).content.decode()
    client.force_login(world.users["partenaire"])
    assert url not in client.get(reverse("conventions:detail", args=[world.ctg.pk])).content.decode()
    assert client.get(url).status_code == 403

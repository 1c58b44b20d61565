"""Views of the coordinator post: the post page, the post form, the CAF's funding, the activity report page,
its transitions and documents."""

import datetime
import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document

from ctg.core.models import HistoryEntry
from ctg.post.models import ActivityReport, CoordinatorPost, PostFunding
from tests.post.factories import FundingFactory, PostFactory, ReportFactory


def _url(world, name, **kwargs):
    return reverse(f"post:{name}", kwargs={"pk": world.ctg.pk, **kwargs})


def _login(client, world, role):
    client.force_login(world.users[role])
    return client


POST_DATA = {
    "person_name": "Claire Martin",
    "fte": "0,8",
    "start_date": "2025-01-06",
    "end_date": "",
    "missions": "Animer la CTG.",
}


# --- post ------------------------------------------------------------------------------------------------


def test_post_page_without_post(client, world):
    response = _login(client, world, "coordination").get(_url(world, "detail"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Il manque" in content and "Le poste de coordination n&#x27;est pas renseigné" in content
    assert "Renseigner le poste" in content and "Ajouter un financement" not in content


def test_post_edit_creates_the_post(client, world):
    _login(client, world, "coordination")
    data = {**POST_DATA, "employer": world.ctg.caf_id, "user": world.users["coordination"].pk}
    response = client.post(_url(world, "edit"), data)
    assert response.status_code == 302 and response.url == _url(world, "detail")
    post = CoordinatorPost.objects.get(ctg=world.ctg)
    assert post.fte == Decimal("0.80") and post.user == world.users["coordination"]
    assert HistoryEntry.objects.filter(ctg=world.ctg, item_type="coordinatorpost").count() == 1
    response = client.get(_url(world, "edit"))
    assert 'value="Claire Martin"' in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fte": "1,5"}, "au plus égal à 1"),
        ({"fte": "0"}, "supérieur à 0"),
        ({"start_date": "2029-02-01"}, "avant la fin de la CTG"),
        ({"end_date": "2024-12-31"}, "doit suivre la date de prise de poste"),
        ({"person_name": ""}, "Ce champ est obligatoire"),
        ({"employer": ""}, "Ce champ est obligatoire"),
    ],
)
def test_post_edit_refuses_bad_input(client, world, changes, message):
    _login(client, world, "pilote_caf")
    data = {**POST_DATA, "employer": world.ctg.caf_id, **changes}
    response = client.post(_url(world, "edit"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CoordinatorPost.objects.exists() and not HistoryEntry.objects.filter(ctg=world.ctg).exists()


def test_post_edit_refuses_an_employer_outside_the_dossier(client, world):
    _login(client, world, "pilote_caf")
    other_caf = world.other_ctg.caf
    response = client.post(_url(world, "edit"), {**POST_DATA, "employer": other_caf.pk})
    assert response.status_code == 400
    # The message of the one rule of the organisations a dossier names (the services' own).
    assert "« CAF de l&#x27;Aude » n&#x27;est ni du territoire du dossier" in response.content.decode()
    assert not CoordinatorPost.objects.exists()


def test_post_page_shows_the_post_funding_and_reports_to_every_member(client, world):
    post = PostFactory(ctg=world.ctg, person_name="Claire Martin")
    FundingFactory(post=post, year=2025, amount_agreed=22500, advance_paid=11250, balance_paid=11250)
    ReportFactory(post=post, year=2025, priorities="P", status=ActivityReport.Status.ACCEPTED)
    response = _login(client, world, "lecture").get(_url(world, "detail"))
    content = response.content.decode()
    assert "Claire Martin" in content and "22\u202f500,00 €" in content and "Accepté" in content
    assert "Non accordé" in content and "Rapport 2026" in content
    assert "Modifier le poste" not in content and "Ajouter un financement" not in content
    assert "Supprimer" not in content
    caf = _login(client, world, "pilote_caf").get(_url(world, "detail")).content.decode()
    assert "Ajouter un financement" in caf and "Modifier le poste" in caf and "Supprimer" in caf
    coordination = _login(client, world, "coordination").get(_url(world, "detail")).content.decode()
    assert "Modifier le poste" in coordination and "Ajouter un financement" not in coordination


# --- funding ---------------------------------------------------------------------------------------------


FUNDING_DATA = {
    "year": "2026",
    "amount_agreed": "23 000,50",
    "advance_paid": "11500",
    "balance_paid": "",
    "decided_on": "2026-02-10",
}


def test_funding_needs_the_post(client, world):
    response = _login(client, world, "pilote_caf").get(_url(world, "funding_add"))
    assert response.status_code == 404


def test_funding_add_and_edit(client, world):
    post = PostFactory(ctg=world.ctg)
    _login(client, world, "pilote_caf")
    assert 'value="2025"' in client.get(_url(world, "funding_add")).content.decode()
    response = client.post(_url(world, "funding_add"), FUNDING_DATA)
    assert response.status_code == 302
    funding = PostFunding.objects.get(post=post)
    assert funding.amount_agreed == Decimal("23000.50") and funding.balance_paid == 0
    assert (
        funding.decided_on == datetime.date(2026, 2, 10) and funding.created_by == world.users["pilote_caf"]
    )
    edit = _url(world, "funding_edit", funding_pk=funding.pk)
    page = client.get(edit).content.decode()
    assert "Financement CAF du poste pour 2026" in page and 'value="23000,50"' in page
    response = client.post(edit, {**FUNDING_DATA, "balance_paid": "11500,50"})
    assert response.status_code == 302
    funding.refresh_from_db()
    assert funding.remaining == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"year": "2030"}, "période de la CTG (2025-2028)"),
        ({"amount_agreed": "-5"}, "ne peut pas être négatif"),
        ({"advance_paid": "30000"}, "ne peuvent pas dépasser ensemble le montant accordé"),
        ({"amount_agreed": ""}, "Ce champ est obligatoire"),
        ({"amount_agreed": "beaucoup"}, "Saisissez un nombre"),
    ],
)
def test_funding_refuses_bad_input(client, world, changes, message):
    PostFactory(ctg=world.ctg)
    response = _login(client, world, "pilote_caf").post(
        _url(world, "funding_add"), {**FUNDING_DATA, **changes}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not PostFunding.objects.exists()


def test_funding_of_another_dossier_is_not_found(client, world):
    other = FundingFactory(post=PostFactory(ctg=world.other_ctg))
    PostFactory(ctg=world.ctg)
    _login(client, world, "pilote_caf")
    assert client.get(_url(world, "funding_edit", funding_pk=other.pk)).status_code == 404
    assert client.post(_url(world, "funding_delete", funding_pk=other.pk)).status_code == 404
    assert PostFunding.objects.filter(pk=other.pk).exists()


def test_funding_delete(client, world):
    post = PostFactory(ctg=world.ctg)
    kept = FundingFactory(post=post, year=2025)
    ReportFactory(post=post, year=2025, priorities="P", status=ActivityReport.Status.ACCEPTED)
    removed = FundingFactory(post=post, year=2026)
    _login(client, world, "pilote_caf")
    response = client.post(_url(world, "funding_delete", funding_pk=kept.pk), follow=True)
    # The message is escaped like any message (its apostrophe reads &#x27; in the HTML).
    assert "Le rapport d'activité 2025 est accepté" in html.unescape(response.content.decode())
    assert PostFunding.objects.filter(pk=kept.pk).exists()
    response = client.post(_url(world, "funding_delete", funding_pk=removed.pk), follow=True)
    assert "Le financement CAF de 2026 est supprimé." in response.content.decode()
    assert not PostFunding.objects.filter(pk=removed.pk).exists()


# --- report ----------------------------------------------------------------------------------------------


def test_report_page_out_of_the_period(client, world):
    _login(client, world, "lecture")
    assert client.get(_url(world, "report", year=2024)).status_code == 404
    assert client.get(_url(world, "report_pdf", year=2029)).status_code == 404


def test_report_page_without_post(client, world):
    response = _login(client, world, "coordination").get(_url(world, "report", year=2025))
    content = response.content.decode()
    assert response.status_code == 200 and "Renseignez d'abord le poste" in content
    assert "Enregistrer le rapport" not in content
    assert client.post(_url(world, "report_update", year=2025), {"priorities": "P"}).status_code == 404


def test_report_prepare_send_and_accept(client, world):
    post = PostFactory(ctg=world.ctg)
    _login(client, world, "coordination")
    page = client.get(_url(world, "report", year=2025)).content.decode()
    assert "Enregistrer le rapport" in page and "Envoyer le rapport à la CAF" in page
    assert "Accepter le rapport" not in page
    response = client.post(
        _url(world, "report_update", year=2025), {"comments": "Deux COPIL.", "priorities": "Jeunesse."}
    )
    assert response.status_code == 302
    response = client.post(_url(world, "report_send", year=2025))
    assert response.status_code == 302
    report = ActivityReport.objects.get(post=post, year=2025)
    assert report.status == ActivityReport.Status.SENT and report.sent_by == world.users["coordination"]

    _login(client, world, "pilote_caf")
    page = client.get(_url(world, "report", year=2025)).content.decode()
    assert "Accepter le rapport" in page and "Envoyer le rapport" not in page
    response = client.post(_url(world, "report_accept", year=2025))
    assert response.status_code == 400
    assert "Enregistrez d&#x27;abord le financement CAF du poste pour 2025" in response.content.decode()
    FundingFactory(post=post, year=2025)
    assert client.post(_url(world, "report_accept", year=2025)).status_code == 302
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.ACCEPTED and report.accepted_by == world.users["pilote_caf"]
    page = client.get(_url(world, "report", year=2025)).content.decode()
    assert "Enregistrer le rapport" not in page and "Jeunesse." in page and "Accepté le" in page


def test_report_send_without_priorities_is_refused(client, world):
    post = PostFactory(ctg=world.ctg)
    response = _login(client, world, "coordination").post(_url(world, "report_send", year=2026))
    assert response.status_code == 400
    assert "Renseignez les priorités de l&#x27;année suivante" in response.content.decode()
    assert not ActivityReport.objects.filter(post=post).exists()


def test_report_accept_before_sending_is_refused(client, world):
    PostFactory(ctg=world.ctg)
    response = _login(client, world, "pilote_caf").post(_url(world, "report_accept", year=2026))
    assert response.status_code == 400 and "n&#x27;a pas encore été envoyé" in response.content.decode()


def test_accepted_report_update_is_refused(client, world):
    post = PostFactory(ctg=world.ctg)
    ReportFactory(post=post, year=2025, priorities="P", status=ActivityReport.Status.ACCEPTED)
    response = _login(client, world, "coordination").post(
        _url(world, "report_update", year=2025), {"priorities": "Autre", "comments": ""}
    )
    assert response.status_code == 400 and "n&#x27;est plus modifiable" in response.content.decode()
    assert ActivityReport.objects.get(post=post).priorities == "P"


def test_report_documents(client, world):
    post = PostFactory(ctg=world.ctg)
    ReportFactory(post=post, year=2025, priorities="Accueil des 11-14 ans.")
    _login(client, world, "lecture")
    response = client.get(_url(world, "report_pdf", year=2025))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"ctg-{world.ctg.pk}-rapport-activite-poste-2025.pdf" in response["Content-Disposition"]
    response = client.get(_url(world, "report_docx", year=2025))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    paragraphs = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "Accueil des 11-14 ans." in paragraphs

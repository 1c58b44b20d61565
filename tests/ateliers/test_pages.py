"""The ateliers' pages: the list (upcoming and past, month-only dates), the form, the atelier's page (agenda
from the needs-vs-offer rows, registrations shown with consent only, attendance, contributions, dot vote,
findings, documents) and the report PDF."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from ctg.ateliers import services
from ctg.ateliers.models import Atelier, Contribution
from ctg.conventions.models import DatePrecision
from ctg.findings.models import Finding
from ctg.offer.services import structure_create
from ctg.organisations.permissions import Role

from .factories import AtelierFactory, ContributionFactory, FindingFactory, RegistrationFactory

PAYLOAD = "<script>alert('atelier')</script>"


def _client(world, role):
    client = Client()
    client.force_login(world.users[role])
    return client


@pytest.fixture
def pilot(world):
    return _client(world, Role.PILOTE_CAF)


def _url(name, atelier, **kwargs):
    return reverse(f"ateliers:{name}", kwargs={"pk": atelier.ctg_id, "atelier_pk": atelier.pk, **kwargs})


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_list_shows_upcoming_and_past_ateliers_with_month_only_dates(world, pilot):
    AtelierFactory(
        ctg=world.ctg, title="Atelier à venir", date=datetime.date.today() + datetime.timedelta(days=9)
    )
    AtelierFactory(
        ctg=world.ctg,
        title="Atelier passé",
        date=datetime.date(2024, 5, 1),
        date_precision=DatePrecision.MONTH,
    )
    AtelierFactory(ctg=world.other_ctg, title="Atelier voisin")
    response = pilot.get(reverse("ateliers:index", kwargs={"pk": world.ctg.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Atelier à venir") < html.index("Passés") < html.index("Atelier passé")
    assert "mai 2024 (jour non connu)" in html
    assert "Atelier voisin" not in html
    assert 'aria-current="page">Ateliers</a>' in html
    assert "Organiser un atelier" in html
    reader = _client(world, Role.LECTURE).get(reverse("ateliers:index", kwargs={"pk": world.ctg.pk}))
    assert "Organiser un atelier" not in reader.content.decode()


def test_create_an_atelier_by_its_month(world, pilot):
    url = reverse("ateliers:create", kwargs={"pk": world.ctg.pk})
    assert pilot.get(url).status_code == 200
    response = pilot.post(
        url,
        {
            "title": "Parentalité",
            "themes": ["parentalite"],
            "month": "mai 2024",
            "format": "visio",
            "link": "https://visio.exemple.fr/atelier",
            "status": "tenu",
        },
    )
    atelier = Atelier.objects.get(ctg=world.ctg)
    assert response.status_code == 302 and response.url == _url("detail", atelier)
    assert atelier.date == datetime.date(2024, 5, 1) and atelier.month_only
    page = pilot.get(_url("detail", atelier)).content.decode()
    assert "mai 2024 (jour non connu)" in page
    edit = pilot.get(_url("edit", atelier)).content.decode()
    assert 'value="05/2024"' in edit


def test_form_errors_are_shown_and_nothing_is_created(world, pilot):
    url = reverse("ateliers:create", kwargs={"pk": world.ctg.pk})
    response = pilot.post(
        url,
        {
            "title": "X",
            "themes": ["petite_enfance"],
            "date": "2026-05-12",
            "format": "presentiel",
            "status": "prevu",
        },
    )
    assert response.status_code == 400
    assert "Indiquez le lieu de l&#x27;atelier" in response.content.decode()
    outside = world.other_ctg.communes.first()
    response = pilot.post(
        url,
        {
            "title": "X",
            "themes": ["cuisine"],
            "date": "2026-05-12",
            "commune": outside.pk,
            "format": "presentiel",
            "status": "prevu",
        },
    )
    assert response.status_code == 400
    assert not Atelier.objects.exists()


def test_the_agenda_pulls_the_needs_rows_of_the_themes(world, pilot):
    commune = world.ctg.communes.order_by("code").first()
    structure_create(
        actor=None,
        values={
            "type": "eaje_micro_creche",
            "name": "Micro-crèche des Lilas",
            "commune": commune,
            "capacity": 12,
            "source": "saisie",
        },
    )
    atelier = AtelierFactory(ctg=world.ctg, themes=["petite_enfance", "seniors"])
    html = pilot.get(_url("detail", atelier)).content.decode()
    assert "Besoins et offre des thématiques de l'atelier" in html
    assert "Petite enfance (0-3 ans)</th>" in html
    assert "<strong>Places</strong> : 12 places" in html
    assert "non disponible" in html  # the portrait-less territory: demand without figures, with its status
    assert "Enfance (3-11 ans)</th>" not in html
    # Seniors and mobilité have no row in the table: nothing is shown.
    seniors = AtelierFactory(ctg=world.ctg, themes=["seniors", "mobilite"])
    html = pilot.get(_url("detail", seniors)).content.decode()
    assert "Besoins et offre des thématiques" not in html


def test_names_are_shared_only_with_consent(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    RegistrationFactory(atelier=atelier, person_name="Alex Consentant", consent_listed=True)
    RegistrationFactory(atelier=atelier, person_name="Sam Discret", email="sam@exemple.fr")
    partner = _client(world, Role.PARTENAIRE)
    html = partner.get(_url("detail", atelier)).content.decode()
    assert "Alex Consentant" in html and "Sam Discret" not in html and "sam@exemple.fr" not in html
    assert "1 autre personne invitée ou inscrite, non nommée faute d'accord" in html
    html = pilot.get(_url("detail", atelier)).content.decode()
    assert "Sam Discret" in html and "sam@exemple.fr" in html


def test_registration_over_capacity_is_refused_on_the_page(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg, capacity=1)
    RegistrationFactory(atelier=atelier)
    response = pilot.post(
        _url("registration_add", atelier),
        {"inscription-person_name": "Noa", "inscription-status": "inscrit"},
    )
    assert response.status_code == 400
    assert "L&#x27;atelier est complet (1 place)" in response.content.decode()
    assert atelier.registrations.count() == 1
    response = pilot.post(
        _url("registration_add", atelier),
        {
            "inscription-person_name": "Noa",
            "inscription-status": "invite",
            "inscription-consent_listed": "on",
        },
    )
    assert response.status_code == 302
    noa = atelier.registrations.get(person_name="Noa")
    assert noa.consent_listed and noa.consent_listed_at
    response = pilot.post(
        _url("registration_edit", atelier, registration_pk=noa.pk), {"status": "inscrit"}, follow=True
    )
    noa.refresh_from_db()
    assert noa.status == "invite" and noa.consent_listed  # refused: nothing changed
    assert "complet" in response.content.decode()


def test_attendance_page_proposes_the_referents_first(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    referent = world.users[Role.REFERENT_COMMUNAL]
    html = pilot.get(_url("detail", atelier)).content.decode()
    members = html[html.index("Membres du dossier présents") :]
    assert members.index("Référent·e communal·e") < members.index("Partenaire")
    response = pilot.post(_url("attendance", atelier), {"members": [str(referent.pk)]})
    assert response.status_code == 302
    assert atelier.attendances.get().user == referent
    response = pilot.post(_url("attendee_add", atelier), {"present-person_name": "Dominique"})
    assert response.status_code == 302
    assert atelier.attendances.count() == 2


def test_contributions_by_partners(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    partner = _client(world, Role.PARTENAIRE)
    response = partner.post(
        _url("contribution_add", atelier),
        {"contribution-text": f"Pas assez de places {PAYLOAD}", "contribution-theme": "petite_enfance"},
    )
    assert response.status_code == 302
    mine = Contribution.objects.get(atelier=atelier)
    html = partner.get(_url("detail", atelier)).content.decode()
    assert escape(f"Pas assez de places {PAYLOAD}") in html and PAYLOAD not in html
    other = ContributionFactory(atelier=atelier, created_by=world.users[Role.COORDINATION])
    referent = _client(world, Role.REFERENT_COMMUNAL)
    assert referent.post(_url("contribution_delete", atelier, contribution_pk=mine.pk)).status_code == 403
    assert (
        _client(world, Role.LECTURE)
        .post(_url("contribution_add", atelier), {"contribution-text": "x"})
        .status_code
        == 403
    )
    assert partner.post(_url("contribution_delete", atelier, contribution_pk=other.pk)).status_code == 403
    assert partner.post(_url("contribution_delete", atelier, contribution_pk=mine.pk)).status_code == 302
    assert list(atelier.contributions.all()) == [other]


def test_create_a_finding_from_a_contribution_then_propose_an_enjeu(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg, title="Petite enfance", date=datetime.date(2024, 5, 23))
    contribution = ContributionFactory(
        atelier=atelier, text="Aucune crèche à l'ouest", theme="petite_enfance"
    )
    url = _url("finding_create", atelier) + f"?contribution={contribution.pk}"
    form = pilot.get(url).content.decode()
    assert "Aucune crèche à l&#x27;ouest" in form
    assert pilot.get(_url("finding_create", atelier) + "?contribution=abc").status_code == 404
    response = pilot.post(
        url,
        {"kind": "besoin", "title": "Pas de crèche à l'ouest", "weight": "3", "themes": ["petite_enfance"]},
    )
    assert response.status_code == 302
    finding = Finding.objects.get(ctg=world.ctg)
    assert finding.source_label == "Atelier « Petite enfance » du 23 mai 2024" and finding.weight == 3
    html = pilot.get(_url("detail", atelier)).content.decode()
    assert "Constats issus de l'atelier" in html and "Pas de crèche à l&#x27;ouest" in html
    enjeu = reverse("plans:enjeu_from_findings", kwargs={"pk": world.ctg.pk})
    assert f'href="{enjeu}?constats={finding.pk}"' in html
    assert "Proposer un enjeu à partir des constats de l'atelier" in html
    reader = _client(world, Role.LECTURE).get(_url("detail", atelier)).content.decode()
    assert "Proposer un enjeu" not in reader


def test_the_dot_vote_table_is_ranked(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    low = FindingFactory(ctg=world.ctg, title="Peu de gommettes")
    high = FindingFactory(ctg=world.ctg, title="Beaucoup de gommettes")
    for finding, dots in ((low, "2"), (high, "9")):
        response = pilot.post(_url("vote", atelier), {"vote-finding": finding.pk, "vote-dots": dots})
        assert response.status_code == 302
    html = pilot.get(_url("detail", atelier)).content.decode()
    table = html[html.index("Constats classés par nombre de gommettes") :]
    assert table.index("Beaucoup de gommettes") < table.index("Peu de gommettes")
    foreign = FindingFactory(ctg=world.other_ctg)
    response = pilot.post(_url("vote", atelier), {"vote-finding": foreign.pk, "vote-dots": "3"})
    assert response.status_code == 400
    response = pilot.post(_url("vote", atelier), {"vote-finding": low.pk, "vote-dots": "-1"})
    assert response.status_code == 400
    assert sorted(atelier.votes.values_list("dots", flat=True)) == [2, 9]


def test_attachments_are_served_only_through_the_checked_view(world, pilot):
    atelier = AtelierFactory(ctg=world.ctg)
    response = pilot.post(
        _url("attachment_add", atelier),
        {
            "piece-file": SimpleUploadedFile("support.pdf", b"<html>pas un pdf</html>"),
            "piece-title": "Support",
        },
    )
    assert response.status_code == 400
    assert "n&#x27;est pas un PDF valide" in response.content.decode()
    response = pilot.post(
        _url("attachment_add", atelier),
        {"piece-file": SimpleUploadedFile("support.pdf", b"%PDF-1.4\n%%EOF\n"), "piece-title": "Support"},
    )
    assert response.status_code == 302
    document = atelier.attachments.get()
    download = _client(world, Role.LECTURE).get(
        _url("attachment_download", atelier, attachment_pk=document.pk)
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]
    outsider = _client(world, "other_member")
    assert outsider.get(_url("attachment_download", atelier, attachment_pk=document.pk)).status_code == 404


def test_the_report_pdf(world, pilot):
    atelier = AtelierFactory(
        ctg=world.ctg, title="Petite enfance", date=datetime.date(2024, 5, 23), report=f"Synthèse {PAYLOAD}"
    )
    listed = RegistrationFactory(atelier=atelier, person_name="Alex Consentant", consent_listed=True)
    hidden = RegistrationFactory(atelier=atelier, person_name="Sam Discret")
    services.attendance_set(atelier=atelier, actor=None, registrations=[listed.pk, hidden.pk])
    ContributionFactory(atelier=atelier, text="Ouvrir le samedi")
    finding = FindingFactory(ctg=world.ctg, title="Horaires trop courts")
    services.dot_vote_set(atelier=atelier, actor=None, finding=finding, dots=5)
    response = _client(world, Role.LECTURE).get(_url("report_pdf", atelier))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="ctg-')
    text = _pdf_text(response.content)
    assert "Compte rendu de l'atelier « Petite enfance »" in text
    assert "23 mai 2024" in text and "Petite enfance (0-3 ans)" in text
    assert "Alex Consentant" in text and "Sam Discret" not in text
    assert "1 participant·e non nommé·e" in text
    assert "Ouvrir le samedi" in text and "Horaires trop courts" in text
    assert f"Synthèse {PAYLOAD}" in text  # the typed text, literal

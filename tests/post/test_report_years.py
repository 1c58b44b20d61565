"""The activity report is asked only from the post's start to the CTG's end (issue 11, item 8)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ctg.core.models import HistoryEntry
from ctg.notifications.reminders import due_reminders
from ctg.post import report as report_module
from ctg.post import services
from ctg.post.models import ActivityReport
from tests.post.factories import PostFactory, ReportFactory

pytestmark = pytest.mark.django_db


def _url(world, name, **kwargs):
    return reverse(f"post:{name}", kwargs={"pk": world.ctg.pk, **kwargs})


@pytest.fixture
def late_post(world):
    """A post that began in 2027 in a CTG of 2025-2028."""
    return PostFactory(ctg=world.ctg, start_date=datetime.date(2027, 3, 1))


def test_report_years(world, late_post):
    assert report_module.report_years(world.ctg, late_post) == [2027, 2028]
    assert report_module.report_years(world.ctg, None) == [2025, 2026, 2027, 2028]
    early = PostFactory.build(ctg=world.ctg, start_date=datetime.date(2023, 9, 1))
    assert report_module.report_years(world.ctg, early) == [2025, 2026, 2027, 2028]
    assert report_module.report_years(world.ctg, late_post, reported=[2026]) == [2026, 2027, 2028]


def test_pages_ask_no_report_before_the_post(client, world, late_post):
    client.force_login(world.users["coordination"])
    index = client.get(_url(world, "detail")).content.decode()
    assert _url(world, "report", year=2026) not in index and _url(world, "report", year=2027) in index
    assert "avant la prise de poste" in index
    assert "rapport d&#x27;activité 2026" not in index.lower()  # no « Il manque » hint for 2026
    page = client.get(_url(world, "report", year=2027)).content.decode()
    assert _url(world, "report", year=2026) not in page and _url(world, "report", year=2028) in page


def test_missing_hints_start_with_the_post(world, late_post):
    hints = report_module.overview(world.ctg, datetime.date(2028, 6, 1))["missing"]
    reports = [h for h in hints if h.startswith("Le rapport d'activité")]
    assert reports == ["Le rapport d'activité 2027 n'est pas encore envoyé à la CAF."]


@pytest.mark.parametrize("name", ["report", "report_pdf", "report_docx"])
def test_an_earlier_year_is_404(client, world, late_post, name):
    client.force_login(world.users["coordination"])
    assert client.get(_url(world, name, year=2026)).status_code == 404


@pytest.mark.parametrize("name", ["report_update", "report_send", "report_accept"])
def test_an_earlier_year_creates_nothing(client, world, late_post, name):
    client.force_login(world.users["pilote_caf" if name == "report_accept" else "coordination"])
    before = HistoryEntry.objects.count()
    response = client.post(_url(world, name, year=2026), {"priorities": "P", "comments": "C"})
    assert response.status_code == 404
    assert not ActivityReport.objects.exists() and HistoryEntry.objects.count() == before


def test_the_service_refuses_an_earlier_year(world, late_post):
    with pytest.raises(ValidationError) as error:
        services.report_get_or_create(post=late_post, actor=world.users["coordination"], year=2026)
    assert "le poste a commencé le 01/03/2027" in str(error.value)
    assert not ActivityReport.objects.exists()


def test_an_existing_earlier_report_stays_readable(client, world, late_post):
    ReportFactory(post=late_post, year=2026, priorities="Ancien rapport.")
    client.force_login(world.users["lecture"])
    response = client.get(_url(world, "report", year=2026))
    assert response.status_code == 200 and "Ancien rapport." in response.content.decode()


def test_no_reminder_of_a_report_before_the_post(world):
    started = PostFactory(ctg=world.ctg, start_date=datetime.date(2026, 11, 2))
    keys = {r.key for r in due_reminders(datetime.date(2026, 10, 15))}
    assert not any(key.startswith("rapport:") for key in keys)
    keys = {r.key for r in due_reminders(datetime.date(2026, 11, 15))}
    assert f"rapport:{started.pk}:2026" in keys

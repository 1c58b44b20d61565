"""The month field of a milestone (and of a meeting, tests/governance/test_meeting_month.py): a text input
that takes every way of writing a month its help text announces, shows a refused value again as it was
typed, and says in French what to write."""

import datetime

import pytest
from django.urls import reverse

from ctg.conventions.forms import MONTH_HELP, MilestoneForm, parse_month
from ctg.conventions.models import DatePrecision, Milestone
from ctg.core.models import HistoryEntry
from ctg.governance.forms import MeetingForm
from tests.conftest import PASSWORD

OCTOBER = datetime.date(2023, 10, 1)
ACCEPTED = [
    "10/2023",
    "10-2023",
    "2023-10",
    "octobre 2023",
    "Octobre 2023",
    "oct. 2023",
    "Oct 2023",
    "10 / 2023",
]
REFUSED = [
    "octobre",
    "13/2023",
    "00/2023",
    "2023-10-05",
    "05/10/2023",
    "oc. 2023",
    "octobre 23",
    "10/1999",
    "mai.",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_every_announced_way_of_writing_a_month_is_read(text):
    assert parse_month(text) == OCTOBER


@pytest.mark.parametrize(
    ("text", "month"),
    [("janv. 2024", 1), ("févr. 2024", 2), ("fevrier 2024", 2), ("août 2024", 8), ("sept. 2024", 9)],
)
def test_accents_and_usual_abbreviations_are_read(text, month):
    assert parse_month(text) == datetime.date(2024, month, 1)


@pytest.mark.parametrize("text", REFUSED)
def test_anything_else_is_refused_with_the_expected_format(text):
    with pytest.raises(ValueError, match="« 10/2023 »"):
        parse_month(text)


@pytest.mark.parametrize("form_class", [MilestoneForm, MeetingForm])
def test_the_field_is_a_text_input_whose_help_text_names_every_accepted_format(form_class, world):
    form = form_class(ctg=world.ctg) if form_class is MeetingForm else form_class()
    html = str(form["month"])
    assert 'type="text"' in html and 'type="month"' not in html
    assert 'inputmode="text"' in html and 'autocomplete="off"' in html
    assert form.fields["month"].help_text.startswith(MONTH_HELP)
    # The help text announces exactly the accepted formats.
    for example in ("10/2023", "10-2023", "2023-10", "octobre 2023", "oct. 2023"):
        assert f"« {example} »" in MONTH_HELP and parse_month(example) == OCTOBER


def _login(client, world):
    client.login(username=world.users["coordination"].email, password=PASSWORD)
    return client


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_milestone_page_records_each_format(client, world, text):
    response = _login(client, world).post(
        reverse("conventions:milestones", args=[world.ctg.pk]),
        {"kind": "diagnostic", "title": "Lancement du diagnostic", "month": text},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.date, milestone.date_precision) == (OCTOBER, DatePrecision.MONTH)


@pytest.mark.parametrize("text", REFUSED)
def test_a_refused_month_is_shown_again_as_typed_and_nothing_is_saved(client, world, text):
    count = HistoryEntry.objects.count()
    response = _login(client, world).post(
        reverse("conventions:milestones", args=[world.ctg.pk]),
        {"kind": "diagnostic", "title": "Lancement du diagnostic", "month": text},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f'value="{text}"' in page
    assert "« 10/2023 »" in page and "« octobre 2023 »" in page
    assert not Milestone.objects.exists() and HistoryEntry.objects.count() == count


def test_a_saved_month_is_shown_as_the_help_text_writes_it(client, world):
    _login(client, world).post(
        reverse("conventions:milestones", args=[world.ctg.pk]),
        {"kind": "diagnostic", "title": "Lancement du diagnostic", "month": "oct. 2023"},
    )
    milestone = Milestone.objects.get()
    edit = reverse("conventions:milestone_edit", args=[world.ctg.pk, milestone.pk])
    assert 'value="10/2023"' in client.get(edit).content.decode()

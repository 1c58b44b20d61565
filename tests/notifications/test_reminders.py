"""What is due at a date: each kind of reminder on the right days only, and to the right people."""

import datetime

import pytest

from ctg.conventions.models import Phase
from ctg.governance.models import Meeting
from ctg.notifications.models import Notification
from ctg.notifications.reminders import due_reminders, threshold
from ctg.post.models import ActivityReport, PostFunding
from tests.factories import MilestoneFactory

from .helpers import at, make_pilot_member, meeting, post

D = datetime.date


@pytest.fixture(autouse=True)
def other_dossier_ends_later(world):
    """The neighbouring dossier ends later, so that its own end of period stays out of these tests."""
    world.other_ctg.end_year = 2030
    world.other_ctg.save()


def due(today, kind=None):
    return sorted(
        ((r.user.email, r.key) for r in due_reminders(today) if kind is None or r.kind == kind),
    )


def emails(today, kind=None):
    return sorted({email for email, _key in due(today, kind)})


def keys(today, kind=None):
    return sorted({key for _email, key in due(today, kind)})


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(-1, None), (0, 1), (1, 1), (2, 7), (7, 7), (8, None)],
)
def test_threshold_windows(days_left, expected):
    assert threshold(days_left, [7, 1]) == expected


class TestMeetings:
    def test_reminded_seven_days_and_one_day_before(self, world):
        users = world.users
        item = meeting(world.ctg, at(2026, 3, 20), users=[users["referent_communal"]], guests=1)
        assert due(D(2026, 3, 12)) == []
        seven = f"reunion:{item.pk}:202603201000:j-7"
        assert due(D(2026, 3, 13)) == [("coordination@epci.fr", seven), ("referent@commune.fr", seven)]
        assert keys(D(2026, 3, 18)) == [seven]  # a missed run still reminds (same key: once only)
        one = f"reunion:{item.pk}:202603201000:j-1"
        assert keys(D(2026, 3, 19)) == [one]
        assert keys(D(2026, 3, 20)) == [one]
        assert due(D(2026, 3, 21)) == []
        reminder = due_reminders(D(2026, 3, 19))[0]
        assert reminder.kind == Notification.Kind.MEETING
        assert reminder.title == "Réunion demain : COPIL de printemps"
        assert reminder.message == "COPIL le 20/03/2026 à 10:00, Mairie (dossier « CTG du Test 2025-2028 »)."
        assert reminder.url == f"/gouvernance/ctg/{world.ctg.pk}/reunions/{item.pk}/"
        assert due_reminders(D(2026, 3, 13))[0].title == "Réunion dans 7 jours : COPIL de printemps"

    def test_local_day_of_a_late_evening_meeting(self, world):
        item = meeting(world.ctg, at(2026, 3, 20, 23, 30))  # 22:30 UTC: still 20/03 in Paris
        assert keys(D(2026, 3, 19)) == [f"reunion:{item.pk}:202603202330:j-1"]

    @pytest.mark.parametrize("status", [Meeting.Status.CANCELLED, Meeting.Status.HELD])
    def test_cancelled_or_held_meetings_are_not_reminded(self, world, status):
        meeting(world.ctg, at(2026, 3, 20), users=[world.users["referent_communal"]], status=status)
        assert due(D(2026, 3, 13)) == due(D(2026, 3, 19)) == []

    def test_participants_outside_the_dossier_and_inactive_accounts_are_not_reminded(self, world):
        users = world.users
        users["referent_communal"].is_active = False
        users["referent_communal"].save()
        meeting(world.ctg, at(2026, 3, 20), users=[users["other_member"], users["referent_communal"]])
        assert emails(D(2026, 3, 19)) == ["coordination@epci.fr"]

    def test_caf_adviser_participant_of_the_departement_is_reminded(self, world):
        users = world.users
        meeting(world.ctg, at(2026, 3, 20), users=[users["pilote_caf"], users["other_caf"]])
        assert emails(D(2026, 3, 19)) == ["coordination@epci.fr", "pilote@caf.fr"]

    def test_rescheduled_meeting_has_a_new_key(self, world):
        item = meeting(world.ctg, at(2026, 3, 20))
        before = keys(D(2026, 3, 13))
        item.starts_at = at(2026, 3, 27)
        item.save()
        assert keys(D(2026, 3, 13)) == []
        after = keys(D(2026, 3, 20))
        assert after == [f"reunion:{item.pk}:202603271000:j-7"] and after != before


class TestMilestones:
    def test_reminded_fourteen_days_before_to_the_pilots(self, world):
        make_pilot_member(world)
        milestone = MilestoneFactory(ctg=world.ctg, title="Restitution", date=D(2026, 5, 15))
        assert due(D(2026, 4, 30)) == []
        key = f"jalon:{milestone.pk}:20260515:j-14"
        assert due(D(2026, 5, 1)) == [("coordination@epci.fr", key), ("pilote@caf.fr", key)]
        assert keys(D(2026, 5, 15)) == [key]
        assert due(D(2026, 5, 16)) == []
        reminder = due_reminders(D(2026, 5, 1))[0]
        assert reminder.title == "Jalon dans 14 jours : Restitution"
        assert reminder.url == f"/ctg/{world.ctg.pk}/calendrier/"

    def test_done_milestone_is_not_reminded(self, world):
        MilestoneFactory(ctg=world.ctg, date=D(2026, 5, 15), done=True)
        assert due(D(2026, 5, 1)) == []

    def test_moved_milestone_has_a_new_key(self, world):
        milestone = MilestoneFactory(ctg=world.ctg, date=D(2026, 5, 15))
        first = keys(D(2026, 5, 1))
        milestone.date = D(2026, 5, 29)
        milestone.save()
        assert keys(D(2026, 5, 15)) == [f"jalon:{milestone.pk}:20260529:j-14"] != first

    def test_delays_come_from_the_settings(self, world, settings):
        settings.CTG_REMINDER_MILESTONE_DAYS = [30, 3]
        milestone = MilestoneFactory(ctg=world.ctg, date=D(2026, 5, 15))
        assert keys(D(2026, 5, 1)) == [f"jalon:{milestone.pk}:20260515:j-30"]
        assert keys(D(2026, 5, 12)) == [f"jalon:{milestone.pk}:20260515:j-3"]
        assert keys(D(2026, 4, 14)) == []


class TestPeriodEnd:
    def test_reminded_six_and_three_months_before_the_end(self, world):
        ctg = world.ctg
        ctg.created_by = world.users["pilote_caf"]  # the CAF adviser who created the dossier
        ctg.save()
        assert due(D(2028, 7, 3)) == []
        six = f"fin_periode:{ctg.pk}:2028:j-180"
        assert due(D(2028, 7, 4)) == [("coordination@epci.fr", six), ("pilote@caf.fr", six)]
        three = f"fin_periode:{ctg.pk}:2028:j-90"
        assert keys(D(2028, 10, 2)) == [three]
        assert keys(D(2028, 12, 31)) == [three]
        assert due(D(2029, 1, 1)) == []
        reminder = due_reminders(D(2028, 7, 4))[0]
        assert reminder.title == "La CTG « CTG du Test 2025-2028 » prend fin le 31/12/2028"
        assert "dans 180 jours" in reminder.message

    def test_extended_period_is_reminded_again(self, world):
        first = keys(D(2028, 7, 4))
        world.ctg.end_year = 2029
        world.ctg.save()
        assert keys(D(2028, 7, 4)) == []
        assert keys(D(2029, 7, 5)) == [f"fin_periode:{world.ctg.pk}:2029:j-180"] != first

    def test_creator_of_another_caf_or_outside_the_caf_is_not_reminded(self, world):
        world.ctg.created_by = world.users["other_caf"]
        world.ctg.save()
        assert emails(D(2028, 7, 4)) == ["coordination@epci.fr"]


class TestFunding:
    def test_from_the_first_of_october(self, world):
        item = post(world.ctg)
        assert due(D(2026, 9, 30)) == []
        assert keys(D(2026, 10, 1)) == [f"financement:{item.pk}:2027", f"rapport:{item.pk}:2026"]
        assert keys(D(2026, 12, 31)) == [f"financement:{item.pk}:2027", f"rapport:{item.pk}:2026"]
        assert due(D(2027, 1, 15)) == []
        reminders = {r.key: r for r in due_reminders(D(2026, 10, 1))}
        funding = reminders[f"financement:{item.pk}:2027"]
        assert funding.kind == Notification.Kind.FUNDING
        assert funding.title == "Financement 2027 du poste de chargé·e de coopération à enregistrer"
        assert funding.url == f"/gouvernance/ctg/{world.ctg.pk}/poste/"

    def test_not_reminded_once_recorded_and_sent(self, world):
        item = post(world.ctg)
        PostFunding.objects.create(post=item, year=2027, amount_agreed=20000)
        ActivityReport.objects.create(post=item, year=2026, status=ActivityReport.Status.TO_PREPARE)
        assert keys(D(2026, 10, 1)) == [f"rapport:{item.pk}:2026"]
        ActivityReport.objects.filter(post=item).update(status=ActivityReport.Status.SENT)
        assert due(D(2026, 10, 1)) == []

    def test_last_year_of_the_period_and_ended_post(self, world):
        item = post(world.ctg)
        # 2029 is out of the period
        assert keys(D(2028, 10, 1), Notification.Kind.FUNDING) == [f"rapport:{item.pk}:2028"]
        item.end_date = D(2026, 12, 31)
        item.save()
        assert keys(D(2026, 10, 1)) == [f"rapport:{item.pk}:2026"]  # no funding after the post ends
        assert due(D(2027, 10, 1)) == []

    def test_start_day_comes_from_the_settings(self, world, settings):
        settings.CTG_REMINDER_FUNDING_FROM = "09-15"
        post(world.ctg)
        assert due(D(2026, 9, 14)) == []
        assert len(keys(D(2026, 9, 15))) == 2

    def test_bad_start_day_setting(self, world, settings):
        from django.core.exceptions import ImproperlyConfigured

        settings.CTG_REMINDER_FUNDING_FROM = "1er octobre"
        with pytest.raises(ImproperlyConfigured, match="MM-JJ"):
            due_reminders(D(2026, 10, 1))

    def test_recipients_are_the_pilots_only(self, world):
        make_pilot_member(world)
        post(world.ctg)
        assert emails(D(2026, 10, 1)) == ["coordination@epci.fr", "pilote@caf.fr"]


def test_closed_dossier_is_never_reminded(world):
    ctg = world.ctg
    meeting(ctg, at(2028, 7, 5), users=[world.users["referent_communal"]])
    MilestoneFactory(ctg=ctg, date=D(2028, 7, 10))
    post(ctg)
    days = [D(2028, 7, 4), D(2028, 10, 1), D(2028, 10, 2)]
    assert all(due(day) for day in days)
    ctg.phase = Phase.CLOSE
    ctg.save()
    assert [due(day) for day in days] == [[], [], []]


def test_other_dossiers_people_are_never_reminded(world):
    MilestoneFactory(ctg=world.ctg, date=D(2026, 5, 15))
    MilestoneFactory(ctg=world.other_ctg, date=D(2026, 5, 15))
    recipients = {(email, r.ctg.pk) for r in due_reminders(D(2026, 5, 1)) for email in [r.user.email]}
    assert recipients == {("coordination@epci.fr", world.ctg.pk), ("membre@ailleurs.fr", world.other_ctg.pk)}


def test_negative_delay_setting_is_refused(world, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.CTG_REMINDER_MEETING_DAYS = [7, -1]
    with pytest.raises(ImproperlyConfigured, match="nombres de jours positifs"):
        due_reminders(D(2026, 3, 13))

"""Delivery: one notification per person and key, one email each, failed emails retried; the command."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ctg.notifications import reminders
from ctg.notifications.models import Notification
from ctg.notifications.reminders import send_reminders

from .helpers import at, meeting

D = datetime.date
DAY = D(2026, 3, 13)  # seven days before the meeting


@pytest.fixture
def copil(world):
    world.other_ctg.end_year = 2030
    world.other_ctg.save()
    return meeting(world.ctg, at(2026, 3, 20), users=[world.users["referent_communal"]])


def test_run_twice_gives_one_notification_and_one_email_per_person(world, copil, mailoutbox, settings):
    settings.CTG_SITE_URL = "https://ctg.exemple.fr"
    counts = send_reminders(today=DAY)
    assert counts == {"due": 2, "created": 2, "emailed": 2, "failed": 0, "without_email": 0}
    assert sorted(m.to[0] for m in mailoutbox) == ["coordination@epci.fr", "referent@commune.fr"]
    notification = Notification.objects.get(user=world.users["coordination"])
    assert notification.ctg == world.ctg
    assert notification.kind == Notification.Kind.MEETING
    assert notification.emailed_at is not None and notification.read_at is None
    mail = next(m for m in mailoutbox if m.to == ["coordination@epci.fr"])
    assert mail.subject == "[CTG] Réunion dans 7 jours : COPIL de printemps"
    assert f"https://ctg.exemple.fr/gouvernance/ctg/{world.ctg.pk}/reunions/{copil.pk}/" in mail.body
    assert "https://ctg.exemple.fr/notifications/" in mail.body

    again = send_reminders(today=DAY)
    assert again == {"due": 2, "created": 0, "emailed": 0, "failed": 0, "without_email": 0}
    assert send_reminders(today=DAY + datetime.timedelta(days=1))["created"] == 0  # same key, next day
    assert Notification.objects.count() == 2
    assert len(mailoutbox) == 2


def test_rescheduled_meeting_is_reminded_again(world, copil, mailoutbox):
    send_reminders(today=DAY)
    copil.starts_at = at(2026, 3, 27)
    copil.save()
    assert send_reminders(today=D(2026, 3, 20))["created"] == 2
    assert Notification.objects.filter(user=world.users["coordination"]).count() == 2
    assert len(mailoutbox) == 4


def test_failed_email_is_retried_next_run_without_duplicate(world, copil, mailoutbox, monkeypatch):
    real_send_mail = reminders.send_mail
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["recipient_list"])
        if kwargs["recipient_list"] == ["coordination@epci.fr"] and len(calls) <= 2:
            raise OSError("serveur SMTP injoignable")
        return real_send_mail(**kwargs)

    monkeypatch.setattr(reminders, "send_mail", flaky)
    counts = send_reminders(today=DAY)
    assert (counts["created"], counts["emailed"], counts["failed"]) == (2, 1, 1)
    failed = Notification.objects.get(user=world.users["coordination"])
    assert failed.emailed_at is None
    assert [m.to for m in mailoutbox] == [["referent@commune.fr"]]

    counts = send_reminders(today=DAY + datetime.timedelta(days=1))
    assert (counts["created"], counts["emailed"], counts["failed"]) == (0, 1, 0)
    failed.refresh_from_db()
    assert failed.emailed_at is not None
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["coordination@epci.fr", "referent@commune.fr"]
    assert send_reminders(today=DAY + datetime.timedelta(days=2))["emailed"] == 0


def test_notification_read_in_the_app_is_not_emailed_late(world, copil, mailoutbox, monkeypatch):
    monkeypatch.setattr(reminders, "send_mail", lambda **kwargs: (_ for _ in ()).throw(OSError("panne")))
    send_reminders(today=DAY)
    Notification.objects.update(read_at=at(2026, 3, 13, 12))
    monkeypatch.undo()
    assert send_reminders(today=DAY)["emailed"] == 0
    assert mailoutbox == []


def test_person_without_email_is_skipped(world, copil, mailoutbox):
    type(world.users["referent_communal"]).objects.filter(pk=world.users["referent_communal"].pk).update(
        email=""
    )
    counts = send_reminders(today=DAY)
    assert (counts["created"], counts["emailed"], counts["without_email"]) == (2, 1, 1)
    assert [m.to for m in mailoutbox] == [["coordination@epci.fr"]]
    assert Notification.objects.get(user=world.users["referent_communal"]).emailed_at is None


def test_concurrent_creation_keeps_one_notification(world, copil, mailoutbox):
    """A notification already there (another run) is not duplicated (unique user + key)."""
    key = f"reunion:{copil.pk}:202603201000:j-7"
    Notification.objects.create(
        user=world.users["coordination"], key=key, kind="reunion", title="Déjà là", ctg=world.ctg
    )
    counts = send_reminders(today=DAY)
    assert counts["created"] == 1
    assert Notification.objects.filter(user=world.users["coordination"]).get().title == "Déjà là"
    assert len(mailoutbox) == 2  # the existing one had not been emailed yet


def test_overlapping_runs_email_each_notification_once(world, copil, mailoutbox, monkeypatch):
    """A second run that starts while the first one is sending (here: from inside the first email) finds the
    notifications claimed and emails nothing: each person gets one email."""
    real_send_mail = reminders.send_mail
    nested = []

    def send_and_overlap(**kwargs):
        if not nested:
            nested.append(None)
            nested[0] = send_reminders(today=DAY)
        return real_send_mail(**kwargs)

    monkeypatch.setattr(reminders, "send_mail", send_and_overlap)
    first = send_reminders(today=DAY)
    # The first run claimed one notification and was sending it when the second run started: the second
    # run emailed the other one, and the first run then found it claimed.
    assert (first["emailed"], nested[0]["emailed"]) == (1, 1)
    assert sorted(m.to[0] for m in mailoutbox) == ["coordination@epci.fr", "referent@commune.fr"]
    assert all(n.emailed_at is not None for n in Notification.objects.all())


def test_claim_of_a_run_that_died_is_taken_again_after_the_delay(world, copil, mailoutbox, settings):
    settings.CTG_REMINDER_CLAIM_MINUTES = 60
    send_reminders(today=DAY, dry_run=False)
    mailoutbox.clear()
    Notification.objects.update(emailed_at=None, email_claimed_at=timezone.now())  # a run is sending
    assert send_reminders(today=DAY)["emailed"] == 0
    assert mailoutbox == []
    Notification.objects.update(email_claimed_at=timezone.now() - datetime.timedelta(minutes=61))
    assert send_reminders(today=DAY)["emailed"] == 2
    assert len(mailoutbox) == 2


def test_failed_send_releases_its_claim(world, copil, mailoutbox, monkeypatch):
    monkeypatch.setattr(reminders, "send_mail", lambda **kwargs: (_ for _ in ()).throw(OSError("panne")))
    assert send_reminders(today=DAY)["failed"] == 2
    assert not Notification.objects.filter(email_claimed_at__isnull=False).exists()


class TestCommand:
    def test_date_option(self, world, copil, mailoutbox, capsys):
        call_command("send_reminders", "--date", "2026-03-13")
        out = capsys.readouterr().out
        assert "2 notification(s) créée(s), 2 courriel(s) envoyé(s)" in out
        assert "Créée : coordination@epci.fr — Réunion dans 7 jours : COPIL de printemps" in out
        call_command("send_reminders", "--date", "2026-03-13")
        assert "0 notification(s) créée(s), 0 courriel(s) envoyé(s)" in capsys.readouterr().out
        assert len(mailoutbox) == 2

    def test_without_date_uses_today(self, world, copil, mailoutbox, capsys, monkeypatch):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: DAY)
        call_command("send_reminders")
        assert "2 rappel(s) dus, 2 notification(s) créée(s)" in capsys.readouterr().out

    def test_dry_run_saves_and_sends_nothing(self, world, copil, mailoutbox, capsys):
        call_command("send_reminders", "--date", "2026-03-13", "--dry-run")
        out = capsys.readouterr().out
        assert "À créer : referent@commune.fr — Réunion dans 7 jours : COPIL de printemps" in out
        assert "Simulation : 2 rappel(s) dus, 2 notification(s) à créer" in out
        assert not Notification.objects.exists()
        assert mailoutbox == []
        call_command("send_reminders", "--date", "2026-03-13")
        call_command("send_reminders", "--date", "2026-03-13", "--dry-run")
        assert "0 notification(s) à créer" in capsys.readouterr().out

    @pytest.mark.parametrize("value", ["13/03/2026", "2026-02-30", "demain"])
    def test_bad_date(self, world, copil, mailoutbox, value):
        with pytest.raises(CommandError, match=f"Date invalide « {value} » : attendu AAAA-MM-JJ"):
            call_command("send_reminders", "--date", value)
        assert not Notification.objects.exists()
        assert mailoutbox == []

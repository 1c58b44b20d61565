"""The daily reminders as a job (issue 15): `ctg send_reminders --enqueue` puts them in the queue, the worker
sends them through the same function as the command; a failed email makes the job try again, and the new
attempt re-sends only that email."""

import datetime

import pytest
from django.core.management import call_command

from ctg.jobs import services
from ctg.jobs.models import Job
from ctg.notifications import reminders
from ctg.notifications.models import Notification
from tests.notifications.helpers import at, meeting

from .worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)
DAY = datetime.date(2026, 3, 13)  # seven days before the meeting


@pytest.fixture
def copil(world, monkeypatch):
    monkeypatch.setattr(services, "RETRY_DELAYS", (0,))
    world.other_ctg.end_year = 2030
    world.other_ctg.save()
    return meeting(world.ctg, at(2026, 3, 20), users=[world.users["referent_communal"]])


def test_the_command_enqueues_and_the_worker_sends(world, copil, mailoutbox, capsys):
    call_command("send_reminders", "--date", DAY.isoformat(), "--enqueue")
    job = Job.objects.get(kind="reminders")
    assert "mis en file" in capsys.readouterr().out
    assert job.status == Job.Status.PENDING and not Notification.objects.exists()

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts) == (Job.Status.DONE, 100, 1)
    assert job.result_label.startswith("2 rappel(s) dus, 2 notification(s) créée(s), 2 courriel(s) envoyé(s)")
    assert sorted(m.to[0] for m in mailoutbox) == ["coordination@epci.fr", "referent@commune.fr"]


def test_a_failed_email_is_retried_by_the_job(world, copil, mailoutbox, monkeypatch):
    real_send_mail = reminders.send_mail
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["recipient_list"])
        if kwargs["recipient_list"] == ["coordination@epci.fr"] and len(calls) <= 2:
            raise OSError("serveur SMTP injoignable")
        return real_send_mail(**kwargs)

    monkeypatch.setattr(reminders, "send_mail", flaky)
    call_command("send_reminders", "--date", DAY.isoformat(), "--enqueue")
    run_worker()
    job = Job.objects.get(kind="reminders")
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["coordination@epci.fr", "referent@commune.fr"]

"""Reminders in Chromium: after `send_reminders` for a meeting to come, the coordination sees the unread count
in the header, opens the list (axe-core), marks the notification as read and the count is gone."""

import datetime

from ctg.notifications.models import Notification
from ctg.notifications.reminders import send_reminders
from tests.conftest import PASSWORD
from tests.notifications.helpers import at, meeting

from .axe import assert_accessible


def test_meeting_reminder_in_the_browser(transactional_db, world, page, live_server, login, mailoutbox):
    copil = meeting(world.ctg, at(2026, 3, 20), users=[world.users["referent_communal"]])
    send_reminders(today=datetime.date(2026, 3, 19))
    milestone_title = "Jalon dans 14 jours : Restitution"
    Notification.objects.create(
        user=world.users["coordination"], key="test:jalon", kind="jalon", title=milestone_title
    )
    login(world.users["coordination"].email, PASSWORD)

    header_link = page.get_by_role("link", name="Notifications 2 non lues", exact=True)
    assert header_link.is_visible()
    with page.expect_navigation():
        header_link.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    assert page.get_by_role("heading", name="Non lues (2)").is_visible()
    reminder = page.get_by_role("link", name="Réunion demain : COPIL de printemps")
    assert reminder.is_visible()
    assert reminder.get_attribute("href") == f"/gouvernance/ctg/{world.ctg.pk}/reunions/{copil.pk}/"
    assert_accessible(page, "Liste des notifications")

    with page.expect_navigation():
        page.get_by_role("button", name="Marquer comme lue : Réunion demain : COPIL de printemps").click()
    assert "marquée comme lue" in page.locator(".fr-alert, .fr-notice").first.inner_text()
    assert page.get_by_role("heading", name="Non lues (1)").is_visible()
    assert page.get_by_role("heading", name="Déjà lues").is_visible()
    assert page.get_by_role("link", name="Notifications 1 non lue", exact=True).is_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Tout marquer comme lu").click()
    assert page.get_by_text("Aucune notification non lue.").is_visible()
    assert page.get_by_role("link", name="Notifications", exact=True).is_visible()
    assert_accessible(page, "Notifications toutes lues")
    assert not Notification.objects.filter(user=world.users["coordination"], read_at__isnull=True).exists()

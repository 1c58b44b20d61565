"""The notification list, marking as read (own notifications only) and the unread count in the header."""

import pytest
from django.urls import reverse

from ctg.notifications.models import Notification
from tests.factories import UserFactory


def notify(user, key, title="Jalon dans 14 jours : Restitution", **values):
    return Notification.objects.create(
        user=user, key=key, kind=Notification.Kind.MILESTONE, title=title, url="/ctg/1/calendrier/", **values
    )


@pytest.fixture
def mine(world):
    user = world.users["coordination"]
    return {
        "old": notify(user, "a", title="Ancienne notification"),
        "new": notify(user, "b", title="Réunion demain : COPIL", message="COPIL le 20/03/2026 à 10:00."),
    }


@pytest.fixture
def other(world):
    return notify(world.users["partenaire"], "c", title="Notification d'une autre personne")


def test_list_shows_own_notifications_unread_first(client, world, mine, other):
    from django.utils import timezone

    mine["old"].read_at = timezone.now()
    mine["old"].save()
    client.force_login(world.users["coordination"])
    response = client.get(reverse("notifications:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Notification d&#x27;une autre personne" not in html
    assert html.index("Non lues (1)") < html.index("Réunion demain : COPIL") < html.index("Déjà lues")
    assert html.index("Déjà lues") < html.index("Ancienne notification")
    assert "COPIL le 20/03/2026 à 10:00." in html
    assert 'href="/ctg/1/calendrier/"' in html
    assert [n.title for n in response.context["unread"]] == ["Réunion demain : COPIL"]
    assert html.count("Marquer comme lue") == 1


def test_empty_list(client, world):
    client.force_login(world.users["lecture"])
    response = client.get(reverse("notifications:list"))
    assert "Aucune notification non lue." in response.content.decode()


def test_mark_one_as_read(client, world, mine):
    client.force_login(world.users["coordination"])
    response = client.post(reverse("notifications:read", args=[mine["new"].pk]), follow=True)
    assert response.redirect_chain == [(reverse("notifications:list"), 302)]
    assert "marquée comme lue" in response.content.decode()
    mine["new"].refresh_from_db()
    mine["old"].refresh_from_db()
    assert mine["new"].read_at is not None and mine["old"].read_at is None
    first = mine["new"].read_at
    client.post(reverse("notifications:read", args=[mine["new"].pk]))
    mine["new"].refresh_from_db()
    assert mine["new"].read_at == first  # reading again keeps the first date


def test_cannot_mark_someone_elses_notification(client, world, other):
    client.force_login(world.users["coordination"])
    response = client.post(reverse("notifications:read", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_unknown_notification_and_get_method(client, world, mine):
    client.force_login(world.users["coordination"])
    assert client.post(reverse("notifications:read", args=[999999])).status_code == 404
    assert client.get(reverse("notifications:read", args=[mine["new"].pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    mine["new"].refresh_from_db()
    assert mine["new"].read_at is None


def test_mark_all_as_read_only_touches_own(client, world, mine, other):
    client.force_login(world.users["coordination"])
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "2 notification(s) marquée(s) comme lue(s)." in response.content.decode()
    assert not Notification.objects.filter(user=world.users["coordination"], read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "Aucune notification non lue." in response.content.decode()


def test_header_shows_the_unread_count(client, world, mine):
    client.force_login(world.users["coordination"])
    html = client.get(reverse("home")).content.decode()
    assert 'id="header-notifications"' in html
    assert '2<span class="fr-sr-only"> non lues</span>' in html
    client.post(reverse("notifications:read", args=[mine["new"].pk]))
    html = client.get(reverse("home")).content.decode()
    assert '1<span class="fr-sr-only"> non lue</span>' in html
    client.post(reverse("notifications:read_all"))
    html = client.get(reverse("home")).content.decode()
    assert 'id="header-notifications"' in html and "non lue" not in html


def test_no_header_link_for_anonymous_people(client, db):
    html = client.get(reverse("home")).content.decode()
    assert 'id="header-notifications"' not in html


def test_context_processor_counts_in_one_query(rf, world, mine, django_assert_num_queries):
    from ctg.notifications.context_processors import notifications

    request = rf.get("/")
    request.user = world.users["coordination"]
    with django_assert_num_queries(1):
        assert notifications(request) == {"unread_notifications": 2}
    request.user = UserFactory()
    assert notifications(request) == {"unread_notifications": 0}

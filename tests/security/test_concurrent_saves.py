"""Two people save the same fiche at the same moment: the second gets the 409 conflict page, on SQLite as on
PostgreSQL — never a 500 « database is locked ».

The audit's round: both load the fiche (same version) and press « Enregistrer » together. On SQLite with
the default deferred transactions, both read, then both try to write; the second cannot upgrade its lock and
fails at once, whatever the busy timeout. With IMMEDIATE transactions the second waits for the first to
commit, then reads the new version and answers the conflict.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from ctg.organisations.permissions import Role
from ctg.plans import services
from ctg.plans.models import FicheAction
from tests.plans.factories import OperationalObjectiveFactory

ROUNDS = 6


def _post_together(clients, url, payloads):
    """Each client posts its payload; all start from one barrier. Returns the status codes in order."""
    barrier = threading.Barrier(len(clients))
    statuses = [None] * len(clients)
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=30)
            statuses[index] = clients[index].post(url, payloads[index]).status_code
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return statuses


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_a_fiche_give_one_save_and_one_conflict(world):
    coordination, pilot = world.users[Role.COORDINATION], world.users[Role.PILOTE_CAF]
    objective = OperationalObjectiveFactory(strategic__enjeu__ctg=world.ctg)
    fiche = services.fiche_create(
        ctg=world.ctg, actor=coordination, title="Micro-crèche", objectives=[objective]
    )
    url = reverse("plans:fiche_edit", kwargs={"pk": world.ctg.pk, "fiche_pk": fiche.pk})
    clients = []
    for user in (coordination, pilot):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)

    for round_number in range(ROUNDS):
        version = FicheAction.objects.get(pk=fiche.pk).version
        payloads = [
            {
                "title": f"Micro-crèche, tour {round_number}, par {who}",
                "objectives": [objective.pk],
                "all_communes": "toutes",
                "status": "a_venir",
                "priority": "moyenne",
                "version": version,
            }
            for who in ("la coordination", "la CAF")
        ]
        statuses = _post_together(clients, url, payloads)
        assert sorted(statuses) == [302, 409], f"tour {round_number} : {statuses}"
        stored = FicheAction.objects.get(pk=fiche.pk)
        assert stored.version == version + 1
        winner = statuses.index(302)
        assert stored.title == payloads[winner]["title"]

"""The dossier's history page, paginated and filtered (issue 15, item 4), renders in Chromium and passes
axe-core (no serious or critical violation): the first page of 120 lines with its pagination, the last page
reached from the pagination, the page filtered from the form, and the page with an invalid filter and its
message."""

import datetime

from django.utils import timezone

from ctg.core.models import Action, HistoryEntry
from tests.conftest import PASSWORD

from .axe import assert_accessible


def test_history_pages_are_accessible(transactional_db, world, page, live_server, login):
    ctg = world.ctg
    pilot = world.users["pilote_caf"]
    base = timezone.make_aware(datetime.datetime(2026, 3, 1, 9, 0))
    entries = HistoryEntry.objects.bulk_create(
        HistoryEntry(
            ctg=ctg,
            actor=pilot if n % 2 else world.users["coordination"],
            action=Action.FICHE if n % 3 else Action.MILESTONE,
            summary=f"Ligne {n}",
            changes={"title": [f"Titre {n}", f"Titre {n + 1}"]},
        )
        for n in range(120)
    )
    for n, entry in enumerate(entries):
        entry.at = base + datetime.timedelta(hours=n)
    HistoryEntry.objects.bulk_update(entries, ["at"])
    url = f"{live_server.url}/ctg/{ctg.pk}/historique/"

    login(pilot.email, PASSWORD)
    assert page.goto(url).status == 200
    assert page.get_by_role("heading", name="Historique", exact=True).is_visible()
    assert page.get_by_text("120 modifications — page 1 sur 3").is_visible()
    assert page.locator("tbody tr").count() == 50
    assert_accessible(page, "Historique, page 1")

    page.get_by_role("navigation", name="Pagination").get_by_role("link", name="Dernière page").click()
    page.wait_for_url(f"{url}?page=3")
    assert page.locator("tbody tr").count() == 20
    assert page.locator("tbody tr").first.get_by_text("Ligne 19").is_visible()
    assert_accessible(page, "Historique, dernière page")

    assert page.goto(url).status == 200
    page.get_by_label("Élément modifié").select_option(Action.MILESTONE)
    page.get_by_label("Auteur").select_option(str(pilot.pk))
    page.get_by_role("button", name="Filtrer", exact=True).click()
    page.wait_for_url(f"{url}?*")
    assert page.get_by_text("20 modifications correspondant aux filtres").is_visible()
    assert_accessible(page, "Historique filtré")

    assert page.goto(f"{url}?du=2026-03-10&au=2026-03-01").status == 400
    assert page.get_by_text("La date de fin précède la date de début.").is_visible()
    assert page.locator("tbody tr").count() == 50  # the invalid range is ignored
    assert_accessible(page, "Historique avec un filtre invalide")

"""The dossier's history page (issue 15, item 4): 50 lines a page, newest first, filters by kind of item,
person and dates, the CSV of the filtered lines; a page costs the same queries for 100 or 5,000 lines."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ctg.core.models import Action, HistoryEntry
from tests.factories import MilestoneFactory, UserFactory


@pytest.fixture
def pilot_client(client, world):
    client.force_login(world.users["pilote_caf"])
    return client


def add_entries(ctg, count, *, actor=None, action=Action.MILESTONE, start=0):
    """`count` lines « Ligne n » (n from `start`), the n-th n seconds after 1 March 2026 9:00."""
    base = timezone.make_aware(datetime.datetime(2026, 3, 1, 9, 0))
    for n in range(start, start + count):
        entry = HistoryEntry.objects.create(ctg=ctg, actor=actor, action=action, summary=f"Ligne {n}")
        HistoryEntry.objects.filter(pk=entry.pk).update(at=base + datetime.timedelta(seconds=n))


def bulk_lines(ctg, count, *, actor=None, start=0):
    """Many lines at once, the n-th n seconds after 1 March 2026 (set in the insert: fast for 5,000)."""
    base = timezone.make_aware(datetime.datetime(2026, 3, 1, 9, 0))
    entries = HistoryEntry.objects.bulk_create(
        HistoryEntry(ctg=ctg, actor=actor, action=Action.MILESTONE, summary=f"Ligne {n}")
        for n in range(start, start + count)
    )
    # auto_now_add set « now » on insert: the dates are set after, in batches.
    for n, entry in enumerate(entries):
        entry.at = base + datetime.timedelta(seconds=start + n)
    HistoryEntry.objects.bulk_update(entries, ["at"], batch_size=500)
    return entries


def rows(html: str) -> list[str]:
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<td>(Ligne \d+)", body)


def url(ctg, **params):
    from urllib.parse import urlencode

    base = reverse("conventions:history", args=[ctg.pk])
    return f"{base}?{urlencode(params)}" if params else base


def test_first_page_has_50_lines_newest_first_and_the_count(pilot_client, world):
    bulk_lines(world.ctg, 120)
    response = pilot_client.get(url(world.ctg))
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(html) == [f"Ligne {n}" for n in range(119, 69, -1)]
    assert "120 modifications" in html and "page 1 sur 3" in html
    assert 'aria-label="Pagination"' in html and 'aria-current="page" title="Page 1"' in html
    assert 'href="?page=2"' in html
    assert 'fr-pagination__link--first" aria-disabled="true" role="link">Première page' in html
    # The pages of a filtered history keep the filters.
    filtered = pilot_client.get(url(world.ctg, action=Action.MILESTONE)).content.decode()
    assert 'href="?action=jalon&amp;page=2"' in filtered
    last = pilot_client.get(url(world.ctg, page=3)).content.decode()
    assert rows(last) == [f"Ligne {n}" for n in range(19, -1, -1)]


def test_a_page_costs_the_same_queries_for_100_and_5000_lines(pilot_client, world):
    milestone = MilestoneFactory(ctg=world.ctg)
    caused = {"cause_type": "conventions.milestone", "cause_id": milestone.pk}

    def queries():
        # The newest lines have a cause, so that the page loads causes in both cases.
        start = HistoryEntry.objects.filter(ctg=world.ctg).count()
        HistoryEntry.objects.bulk_create(
            HistoryEntry(
                ctg=world.ctg,
                actor=world.users["pilote_caf"],
                action=Action.MILESTONE,
                summary=f"Causée {start + n}",
                **caused,
            )
            for n in range(3)
        )
        pilot_client.get(url(world.ctg))
        with CaptureQueriesContext(connection) as captured:
            response = pilot_client.get(url(world.ctg))
        assert response.status_code == 200
        assert len(rows(response.content.decode())) + response.content.decode().count("<td>Causée") == 50
        return len(captured.captured_queries)

    bulk_lines(world.ctg, 100, actor=world.users["coordination"])
    small = queries()
    bulk_lines(world.ctg, 4900, actor=world.users["pilote_caf"], start=100)
    large = queries()
    assert 5 < small == large, (small, large)
    assert HistoryEntry.objects.filter(ctg=world.ctg).count() == 5006


def test_page_100_of_5000_lines_and_pages_beyond(pilot_client, world):
    bulk_lines(world.ctg, 5000)
    html = pilot_client.get(url(world.ctg, page=100)).content.decode()
    assert rows(html) == [f"Ligne {n}" for n in range(49, -1, -1)]
    assert "5000 modifications" in html and "page 100 sur 100" in html
    # Beyond the last page: the last page (a link kept from a longer history still lands somewhere).
    for beyond in ("101", "99999999999999999999999"):
        response = pilot_client.get(url(world.ctg, page=beyond))
        assert response.status_code == 200 and rows(response.content.decode())[0] == "Ligne 49"
    # Not a number: the first page.
    for junk in ("abc", "", "1.5", "<script>"):
        response = pilot_client.get(url(world.ctg, page=junk))
        assert response.status_code == 200 and rows(response.content.decode())[0] == "Ligne 4999"


def test_filters_by_item_person_and_dates(pilot_client, world):
    ctg = world.ctg
    pilot, coordinator = world.users["pilote_caf"], world.users["coordination"]
    add_entries(ctg, 3, actor=pilot, action=Action.MILESTONE, start=0)
    add_entries(ctg, 2, actor=coordinator, action=Action.FICHE, start=10)
    add_entries(ctg, 1, actor=None, action=Action.STATUS, start=20)
    HistoryEntry.objects.filter(summary="Ligne 0").update(
        at=timezone.make_aware(datetime.datetime(2026, 1, 15, 12, 0))
    )
    HistoryEntry.objects.filter(summary="Ligne 1").update(
        at=timezone.make_aware(datetime.datetime(2026, 2, 10, 23, 30))
    )

    def shown(**params):
        response = pilot_client.get(url(ctg, **params))
        assert response.status_code == 200
        return rows(response.content.decode())

    assert shown(action=Action.FICHE) == ["Ligne 11", "Ligne 10"]
    assert shown(auteur=pilot.pk) == ["Ligne 2", "Ligne 1", "Ligne 0"]
    assert shown(auteur="systeme") == ["Ligne 20"]
    assert shown(du="2026-02-01", au="2026-02-10") == ["Ligne 1"]  # the whole of the last day
    assert shown(au="2026-01-31") == ["Ligne 0"]
    assert shown(du="2026-03-01", auteur=pilot.pk) == ["Ligne 2"]
    assert shown(action=Action.MILESTONE, auteur=coordinator.pk) == []
    html = pilot_client.get(url(ctg, action=Action.FICHE)).content.decode()
    assert "2 modifications correspondant aux filtres" in html and "Effacer les filtres" in html
    # The people offered are those of the history: neither another dossier's nor anyone else.
    options = html.split('name="auteur"', 1)[1].split("</select>", 1)[0]
    assert f'value="{pilot.pk}"' in options and f'value="{coordinator.pk}"' in options
    assert f'value="{world.users["other_member"].pk}"' not in options


@pytest.mark.parametrize(
    "params, field_message",
    [
        ({"action": "n-importe-quoi"}, "Sélectionnez un choix valide"),
        ({"auteur": "abc"}, "Sélectionnez un choix valide"),
        ({"auteur": "999999"}, "Sélectionnez un choix valide"),
        ({"du": "2026-13-45"}, "Saisissez une date valide"),
        ({"du": "0001-01-01"}, "Indiquez une date entre"),
        ({"au": "9999-12-31"}, "Indiquez une date entre"),
        ({"du": "2026-03-10", "au": "2026-03-01"}, "La date de fin précède la date de début"),
        ({"du": "<script>alert(1)</script>"}, "Saisissez une date valide"),
    ],
)
def test_invalid_filters_are_ignored_with_a_french_message(pilot_client, world, params, field_message):
    add_entries(world.ctg, 3, actor=world.users["pilote_caf"])
    before = list(HistoryEntry.objects.order_by("pk").values_list("pk", "at", "summary"))
    response = pilot_client.get(url(world.ctg, **params))
    assert response.status_code == 400
    html = response.content.decode()
    assert field_message in html and "Un filtre n'est pas valide : il n'est pas appliqué" in html
    assert rows(html) == ["Ligne 2", "Ligne 1", "Ligne 0"]  # the filter is ignored
    assert "<script>alert" not in html
    assert list(HistoryEntry.objects.order_by("pk").values_list("pk", "at", "summary")) == before


def test_a_person_of_another_dossier_shows_none_of_its_lines(pilot_client, world):
    """An id of another dossier (its author, its item) never shows that dossier's history."""
    other_member = world.users["other_member"]
    HistoryEntry.objects.create(
        ctg=world.other_ctg,
        actor=other_member,
        action=Action.FICHE,
        summary="Ailleurs",
        item_type="fiche",
        item_id=77,
    )
    add_entries(world.ctg, 2, actor=world.users["pilote_caf"])
    response = pilot_client.get(url(world.ctg, auteur=other_member.pk))
    assert response.status_code == 400 and "Ailleurs" not in response.content.decode()
    response = pilot_client.get(url(world.ctg, element="fiche-77"))
    assert response.status_code == 200 and "Ailleurs" not in response.content.decode()
    assert "Aucune modification ne correspond à ces filtres" in response.content.decode()
    csv_text = pilot_client.get(url(world.ctg, export="csv")).content.decode("utf-8-sig")
    assert "Ailleurs" not in csv_text


def test_csv_of_the_filtered_history(pilot_client, world):
    pilot = world.users["pilote_caf"]
    add_entries(world.ctg, 60, actor=pilot, action=Action.MILESTONE)
    HistoryEntry.objects.create(
        ctg=world.ctg,
        actor=pilot,
        action=Action.FICHE,
        summary='=HYPERLINK("http://example.com","x")',
        changes={"title": ["Avant", "=1+1"]},
    )
    response = pilot_client.get(url(world.ctg, action=Action.MILESTONE, export="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="ctg-{world.ctg.pk}-historique.csv"' in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Date", "Auteur", "Élément", "Modification", "Détail", "Cause"]
    assert len(lines) == 61  # every line the filter keeps, not one page
    assert lines[1][3] == "Ligne 59" and lines[1][2] == "Jalon" and lines[1][1] == str(pilot)
    fiche = list(
        csv.reader(
            io.StringIO(
                pilot_client.get(url(world.ctg, action=Action.FICHE, export="csv")).content.decode(
                    "utf-8-sig"
                )
            ),
            delimiter=";",
        )
    )
    assert fiche[1][3].startswith("'=HYPERLINK")  # never run as a formula
    assert "« =1+1 »" in fiche[1][4]
    # The page links to the CSV of the same filters.
    html = pilot_client.get(url(world.ctg, action=Action.MILESTONE)).content.decode()
    assert "action=jalon&amp;export=csv" in html


def test_user_text_is_escaped(pilot_client, world):
    HistoryEntry.objects.create(
        ctg=world.ctg,
        actor=UserFactory(first_name="<b>Zoé</b>", last_name="<i>X</i>"),
        action=Action.FICHE,
        summary="<script>alert('x')</script>",
        changes={"title": ["<em>a</em>", "<img src=x>"]},
    )
    html = pilot_client.get(url(world.ctg)).content.decode()
    assert "<script>alert" not in html and "<img src=x>" not in html and "<b>Zoé</b>" not in html
    assert "&lt;script&gt;alert" in html and "&lt;b&gt;Zoé&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "role, expected",
    [("pilote_caf", 200), ("coordination", 200), ("lecture", 403), ("other_member", 404), ("other_caf", 404)],
)
def test_who_reads_the_history_and_its_csv(client, world, role, expected):
    add_entries(world.ctg, 2, actor=world.users["pilote_caf"])
    client.force_login(world.users[role])
    assert client.get(url(world.ctg, page=2, action=Action.MILESTONE)).status_code == expected
    response = client.get(url(world.ctg, export="csv"))
    assert response.status_code == expected
    if expected != 200:
        assert "Ligne" not in response.content.decode(errors="replace")

import re

import pytest
from django.urls import reverse

from ctg.territories.models import Commune

HTMX = {"HX-Request": "true"}


def assert_accessible_page(html):
    assert html.count("<h1") == 1
    assert html.count("<table") == html.count("<caption")
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels


@pytest.mark.django_db
class TestSearchPage:
    def test_empty_page(self, client, territories):
        response = client.get(reverse("territories:search"))

        assert response.status_code == 200
        html = response.content.decode()
        assert '<label class="fr-label" for="territory-search-input">' in html
        assert 'id="territory-search-input"' in html
        assert f'hx-get="{reverse("territories:suggestions")}"' in html
        assert 'hx-trigger="input changed delay:250ms, search"' in html
        assert response.context["nav"] == "territories"
        assert_accessible_page(html)

    def test_full_results_without_javascript(self, client, territories):
        response = client.get(reverse("territories:search"), {"q": "albi"})

        html = response.content.decode()
        assert "<html" in html
        assert 'href="/territoires/commune/81004/"' in html
        assert 'href="/territoires/epci/248100737/"' in html
        assert "49\xa0531" in html  # French thousands separator
        assert response.context["title"] == "Territoires : « albi »"
        assert_accessible_page(html)

    def test_no_result(self, client, territories):
        response = client.get(reverse("territories:search"), {"q": "zzz"})
        assert "Aucun territoire ne correspond à « zzz »" in response.content.decode()

    def test_suggestions_fragment(self, client, territories):
        response = client.get(reverse("territories:suggestions"), {"q": "saint"}, headers=HTMX)

        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert "<h1" not in html
        assert "2 suggestions pour « saint »" in html
        assert html.index("Saint-Jean") < html.index("Saint-Juéry")  # more populated first

    def test_search_page_asked_by_htmx_answers_the_fragment(self, client, territories):
        response = client.get(reverse("territories:search"), {"q": "albi"}, headers=HTMX)
        html = response.content.decode()
        assert "<html" not in html
        assert 'href="/territoires/commune/81004/"' in html

    def test_suggestions_without_javascript_go_to_the_search_page(self, client, territories):
        response = client.get(reverse("territories:suggestions"), {"q": "albi"})
        assert response.status_code == 302
        assert response["Location"] == "/territoires/?q=albi"

    def test_public(self, client, territories):
        assert client.get(reverse("territories:commune", args=["81004"])).status_code == 200


@pytest.mark.django_db
class TestCommunePage:
    def test_detail(self, client, territories):
        response = client.get(reverse("territories:commune", args=["81004"]))

        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Albi</h1>" in html
        assert 'href="/territoires/epci/248100737/"' in html
        assert 'href="/territoires/departement/81/"' in html
        assert "Occitanie" in html
        assert "81000" in html
        assert "81050" in html and "Cambon" in html and "Commune déléguée" in html
        breadcrumb = response.context["breadcrumb_data"]
        assert breadcrumb["links"] == [
            {"url": "/territoires/", "title": "Territoires"},
            {"url": "/territoires/departement/81/", "title": "Tarn (81)"},
        ]
        assert breadcrumb["current"] == "Albi"
        assert_accessible_page(html)

    def test_corsican_code_and_island_without_epci(self, client, territories):
        assert client.get("/territoires/commune/2A004/").status_code == 200
        html = client.get("/territoires/commune/22016/").content.decode()
        assert "n'appartient à aucun EPCI" in html

    def test_former_code_redirects_permanently(self, client, territories):
        response = client.get(reverse("territories:commune", args=["81050"]))
        assert response.status_code == 301
        assert response["Location"] == "/territoires/commune/81004/"

    def test_unknown_code(self, client, territories):
        assert client.get(reverse("territories:commune", args=["99999"])).status_code == 404

    def test_obsolete_commune_shows_its_successor(self, client, territories):
        Commune.objects.create(
            code="81050", name="Cambon", departement_id="81", region_id="76", is_active=False
        )
        html = client.get("/territoires/commune/81050/").content.decode()
        assert "Plus en vigueur" in html
        assert 'href="/territoires/commune/81004/"' in html


@pytest.mark.django_db
class TestEpciPage:
    def test_members_total_and_departements(self, client, territories):
        response = client.get(reverse("territories:epci", args=["200066124"]))

        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>CC Tarn-Agout</h1>" in html
        assert "Communauté de communes" in html
        assert 'href="/territoires/commune/81140/"' in html and 'href="/territoires/commune/31023/"' in html
        assert response.context["members_population"] == 11145 + 640
        assert "11\xa0785" in html
        assert [(d.code, d.member_count) for d in response.context["departements"]] == [("31", 1), ("81", 1)]
        assert "s'étend sur 2 départements" in html
        assert_accessible_page(html)

    def test_unknown_siren(self, client, territories):
        assert client.get(reverse("territories:epci", args=["123456789"])).status_code == 404


@pytest.mark.django_db
class TestDepartementPage:
    def test_detail(self, client, territories):
        response = client.get(reverse("territories:departement", args=["81"]))

        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Tarn (81)</h1>" in html
        assert response.context["commune_count"] == 3
        assert response.context["population"] == 49531 + 6980 + 11145
        epcis = {e.siren: (e.member_count, e.total_count) for e in response.context["epcis"]}
        assert epcis == {"248100737": (2, 2), "200066124": (1, 2)}
        assert "1 sur 2" in html
        assert [c.code for c in response.context["page_obj"]] == ["81004", "81140", "81271"]
        assert "fr-pagination" not in html
        assert_accessible_page(html)

    def test_communes_are_paginated(self, client, territories):
        Commune.objects.bulk_create(
            Commune(code=f"22{n:03d}", name=f"Commune {n:03d}", departement_id="22", region_id="53")
            for n in range(100, 250)
        )
        response = client.get(reverse("territories:departement", args=["22"]), {"page": 2})

        assert response.status_code == 200
        page = response.context["page_obj"]
        assert (page.number, page.paginator.count, len(page.object_list)) == (2, 151, 51)
        html = response.content.decode()
        assert 'class="fr-pagination"' in html
        assert "?page=1" in html

    def test_unknown_code(self, client, territories):
        assert client.get(reverse("territories:departement", args=["00"])).status_code == 404

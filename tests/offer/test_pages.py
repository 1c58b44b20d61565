"""The offer of services in the dossier's « Diagnostic » tab: the list and its filters, the CSV and XLSX
exports (formulas neutralised, text escaped), the page of a structure, and the territory that bounds them."""

import csv
import datetime
import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ctg.offer.models import Structure
from ctg.offer.services import structure_create
from tests.matrix_helpers import MEMBER_ROLES

INJECTION = '=HYPERLINK("http://evil.example","clic")'
SCRIPT = "<script>alert(1)</script>"


def make(commune, name, type="france_services", **values) -> Structure:
    return structure_create(
        actor=None,
        values={
            "type": type,
            "name": name,
            "commune": commune,
            "source": "saisie",
            "last_update": datetime.date(2025, 3, 14),
            **values,
        },
    )


@pytest.fixture
def offer(world):
    """Four structures in the dossier's communes, one in the other dossier's territory."""
    first, second, _third = world.ctg.communes.order_by("code")
    other_commune = world.other_ctg.communes.get()
    structures = {
        "fs": make(
            first,
            "France services du Test",
            opening_hours="Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00",
            public="Tout public",
            source="anct-france-services",
            source_id="4242",
        ),
        "creche": make(second, "Crèche Les Lutins", type="eaje_creche", public="Enfants de 0 à 3 ans"),
        "planned": make(
            second,
            "Micro-crèche de la zone",
            type="eaje_micro_creche",
            status=Structure.Status.PLANNED,
            expected_opening=datetime.date(2027, 9, 1),
        ),
        "missing": make(
            first,
            "Centre social du Bourg",
            type="centre_social",
            missing_from_source=True,
            missing_since=datetime.date(2025, 6, 1),
        ),
        "outside": make(other_commune, "France services voisine"),
    }
    return structures


def _login(client, world, role="lecture"):
    client.force_login(world.users[role])


def _list(client, world, **params):
    return client.get(reverse("offer:list", args=[world.ctg.pk]), params)


def _names(response) -> list[str]:
    return [row["structure"].name for row in response.context["rows"]]


def test_the_list_shows_the_structures_of_the_dossier_s_territory_only(client, world, offer):
    _login(client, world)
    response = _list(client, world)
    assert response.status_code == 200
    assert sorted(_names(response)) == sorted(
        ["France services du Test", "Crèche Les Lutins", "Micro-crèche de la zone", "Centre social du Bourg"]
    )
    page = response.content.decode()
    assert "4 structures" in page
    assert "France services voisine" not in page
    # Absent from its source: said, not hidden; hours in French; source and its date.
    assert "Absente de la dernière source depuis le 01/06/2025" in page
    assert "lun.-ven. 09:00-12:00, 13:30-17:00 ; sam. 09:00-12:00" in page
    assert "Liste des France Services de l&#x27;ANCT" in page
    assert "mise à jour le 14/03/2025" in page
    assert "ouverture prévue le 01/09/2027" in page
    assert reverse("offer:structure", args=[world.ctg.pk, offer["fs"].pk]) in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"champ": "petite_enfance"}, {"Crèche Les Lutins", "Micro-crèche de la zone"}),
        ({"type": "centre_social"}, {"Centre social du Bourg"}),
        ({"public": "Tout public"}, {"France services du Test"}),
        ({"statut": "en_projet"}, {"Micro-crèche de la zone"}),
        ({"champ": "petite_enfance", "statut": "ouvert"}, {"Crèche Les Lutins"}),
    ],
)
def test_each_filter_narrows_the_list(client, world, offer, params, expected):
    _login(client, world)
    response = _list(client, world, **params)
    assert set(_names(response)) == expected
    page = response.content.decode()
    assert f"{len(expected)} structure" in page and "correspondant aux filtres, sur 4" in page
    # The exports hold what the page shows: their links carry the filters.
    query = "?" + urlencode(params)
    assert response.context["csv_url"] == reverse("offer:csv", args=[world.ctg.pk]) + query
    assert response.context["xlsx_url"] == reverse("offer:xlsx", args=[world.ctg.pk]) + query


def test_the_commune_filter_offers_the_territory_s_communes_only(client, world, offer):
    _login(client, world)
    first = world.ctg.communes.order_by("code").first()
    response = _list(client, world, commune=first.code)
    assert set(_names(response)) == {"France services du Test", "Centre social du Bourg"}
    options = dict(next(f for f in response.context["form"] if f["name"] == "commune")["options"])
    assert set(options) == set(world.ctg.communes.values_list("code", flat=True))
    # A commune of another territory is not an option: the filter is ignored, the list is the whole one.
    other = world.other_ctg.communes.get().code
    response = _list(client, world, commune=other)
    assert len(_names(response)) == 4 and not response.context["filtered"]


def test_unknown_filter_values_are_ignored(client, world, offer):
    _login(client, world)
    response = _list(client, world, type="inconnu", statut="<b>", champ="x")
    assert len(_names(response)) == 4
    assert not response.context["filtered"]
    assert "<b>" not in response.content.decode()


def test_a_territory_without_structures_says_so(client, world):
    _login(client, world)
    page = _list(client, world).content.decode()
    assert "0 structure" in page and "Aucune structure n'est recensée" in page


def test_the_diagnostic_tab_links_to_the_offer(client, world):
    _login(client, world)
    page = client.get(reverse("diagnostics:ctg", args=[world.ctg.pk])).content.decode()
    assert f'href="{reverse("offer:list", args=[world.ctg.pk])}"' in page
    assert "Sections du diagnostic" in page


def test_names_are_escaped_in_the_pages(client, world, offer):
    first = world.ctg.communes.order_by("code").first()
    hostile = make(first, SCRIPT, public=SCRIPT)
    _login(client, world)
    for url in (
        reverse("offer:list", args=[world.ctg.pk]),
        reverse("offer:structure", args=[world.ctg.pk, hostile.pk]),
    ):
        page = client.get(url).content.decode()
        assert SCRIPT not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_export_holds_the_filtered_list_with_formulas_neutralised(client, world, offer):
    first = world.ctg.communes.order_by("code").first()
    make(first, INJECTION, type="centre_social", public="+33 cmd")
    _login(client, world)
    response = client.get(reverse("offer:csv", args=[world.ctg.pk]), {"type": "centre_social"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"ctg-{world.ctg.pk}-offre-de-services.csv" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header[:6] == ["Type (code)", "Type", "Champ d'intervention", "Nom", "Code commune", "Commune"]
    by_name = {row[3]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_name) == {"Centre social du Bourg", "'" + INJECTION}
    hostile = by_name["'" + INJECTION]
    assert hostile["Public"] == "'+33 cmd"
    bourg = by_name["Centre social du Bourg"]
    assert bourg["Type (code)"] == "centre_social"
    assert bourg["Code commune"] == first.code and bourg["Commune"] == first.name
    assert bourg["Absente de la dernière source"] == "oui"
    assert bourg["Statut"] == "Ouvert" and bourg["Source"] == "saisie"
    assert bourg["Dernière mise à jour"] == "14/03/2025"


def test_the_csv_export_without_filter_holds_every_structure_of_the_territory(client, world, offer):
    _login(client, world)
    _header, *rows = _csv_rows(client.get(reverse("offer:csv", args=[world.ctg.pk])))
    assert {row[3] for row in rows} == {
        "France services du Test",
        "Crèche Les Lutins",
        "Micro-crèche de la zone",
        "Centre social du Bourg",
    }
    fs = next(row for row in rows if row[3] == "France services du Test")
    assert "4242" in fs and "anct-france-services" in fs
    assert "Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00" in fs


def test_the_xlsx_export_holds_text_cells_never_formulas(client, world, offer):
    first = world.ctg.communes.order_by("code").first()
    make(first, INJECTION, type="centre_social")
    _login(client, world)
    response = client.get(reverse("offer:xlsx", args=[world.ctg.pk]), {"champ": "animation_vie_sociale"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"ctg-{world.ctg.pk}-offre-de-services.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = {row[3].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"Centre social du Bourg", INJECTION}
    name_cell = rows[INJECTION][3]
    assert name_cell.data_type == "s" and name_cell.quotePrefix
    assert rows["Centre social du Bourg"][header.index("Code commune")].value == first.code
    assert rows["Centre social du Bourg"][header.index("Absente de la dernière source")].value == "oui"
    updated = rows["Centre social du Bourg"][header.index("Dernière mise à jour")]
    assert updated.value == datetime.datetime(2025, 3, 14) and updated.number_format == "DD/MM/YYYY"


def test_the_structure_page_shows_the_structure(client, world, offer):
    _login(client, world)
    response = client.get(reverse("offer:structure", args=[world.ctg.pk, offer["fs"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "France services du Test" in page and "France Services" in page
    assert "Accès aux droits et inclusion numérique" in page
    assert '<th scope="row">lundi</th><td>09:00-12:00, 13:30-17:00</td>' in page
    assert '<th scope="row">dimanche</th><td>fermé</td>' in page
    assert "identifiant 4242" in page and "14/03/2025" in page
    assert "Structure créée : France services du Test" in page
    missing = client.get(reverse("offer:structure", args=[world.ctg.pk, offer["missing"].pk]))
    assert "Absente de la dernière liste de sa source depuis le 01/06/2025" in missing.content.decode()


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_a_structure_outside_the_territory_is_not_found_from_the_dossier(client, world, offer, role):
    _login(client, world, role)
    url = reverse("offer:structure", args=[world.ctg.pk, offer["outside"].pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("offer:structure", args=[world.ctg.pk, 999_999])).status_code == 404


def test_another_dossier_s_people_do_not_reach_this_dossier_s_offer(client, world, offer):
    """The other dossier's member: 404 on this dossier's URLs; from their own dossier, this dossier's
    structure is not found either, and their list holds their territory's structure only."""
    _login(client, world, "other_member")
    ctg, other = world.ctg.pk, world.other_ctg.pk
    for url in (
        reverse("offer:list", args=[ctg]),
        reverse("offer:csv", args=[ctg]),
        reverse("offer:xlsx", args=[ctg]),
        reverse("offer:structure", args=[ctg, offer["fs"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("offer:structure", args=[other, offer["fs"].pk])).status_code == 404
    assert client.get(reverse("offer:structure", args=[other, offer["outside"].pk])).status_code == 200
    assert _names(client.get(reverse("offer:list", args=[other]))) == ["France services voisine"]
    _header, *rows = _csv_rows(client.get(reverse("offer:csv", args=[other])))
    assert [row[3] for row in rows] == ["France services voisine"]


def test_the_pages_change_nothing(client, world, offer):
    before = list(Structure.objects.order_by("pk").values())
    _login(client, world, "pilote_caf")
    for url in (
        reverse("offer:list", args=[world.ctg.pk]),
        reverse("offer:csv", args=[world.ctg.pk]),
        reverse("offer:xlsx", args=[world.ctg.pk]),
        reverse("offer:structure", args=[world.ctg.pk, offer["fs"].pk]),
    ):
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 405
    assert list(Structure.objects.order_by("pk").values()) == before


def test_a_long_list_is_paged_and_keeps_its_filters(client, world, offer, monkeypatch):
    from ctg.offer import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    _login(client, world)
    response = _list(client, world, champ="petite_enfance", page=2)
    # Two structures of petite enfance: one page; the whole list: two pages, each link keeps the filter.
    assert response.context["page_obj"].paginator.num_pages == 1
    response = _list(client, world, statut="ouvert")
    assert response.context["count"] == 3 and len(_names(response)) == 2
    page = response.content.decode()
    assert "page 1 sur 2" in page
    assert "statut=ouvert&amp;page=2" in page or "page=2&amp;statut=ouvert" in page
    second = _list(client, world, statut="ouvert", page=2)
    assert len(_names(second)) == 1

"""The comparison of the EPCI of a département and the comparable territories, through their pages: who sees
what (two départements), the statuses of the figures (never a secret as 0), the sort, the exports, bad input
and user text escaped."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ctg.diagnostics import comparable
from ctg.diagnostics.importers import import_dataset
from ctg.organisations.models import Organisation
from ctg.territories.models import Epci
from tests.factories import OrganisationFactory, UserFactory

RP_HEADER = (
    "CODGEO;P22_POP0014;P22_POP1529;P22_POP3044;P22_POP4559;P22_POP6074;P22_POP7589;P22_POP90P;"
    "C22_COUPAENF;C22_FAMMONO"
)


@pytest.fixture
def store(world, settings, tmp_path):
    """A statistics store of the world's communes: the census with one commune's age band blank (the CC du
    Test partial), FiLoSoFi with the only commune of the CC Voisine secret."""
    settings.DATA_DIR = tmp_path
    comparable.reset()
    test_communes = sorted(world.ctg.communes.values_list("code", flat=True))
    voisine = world.other_ctg.communes.get().code
    rp = [RP_HEADER]
    for index, code in enumerate(test_communes):
        first = "" if index == 0 else "200"
        rp.append(f"{code};{first};150;200;200;150;80;20;90;30")
    rp.append(f"{voisine};300;200;250;250;200;90;10;120;40")
    (tmp_path / "rp.csv").write_text("\n".join(rp) + "\n", encoding="utf-8")
    filosofi = ["CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;TP6021;PPSOC21"]
    filosofi += [f"{code};400;900;21000;12,0;5,0" for code in test_communes]
    filosofi.append(f"{voisine};30;60;s;s;s")
    (tmp_path / "cc_filosofi_2021_COM.csv").write_text("\n".join(filosofi) + "\n", encoding="utf-8")
    import_dataset(tmp_path / "rp.csv", kind="rp_dossier_complet", year=2022)
    import_dataset(tmp_path / "cc_filosofi_2021_COM.csv")
    yield
    comparable.reset()


def _get(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, url
    return response


def test_a_caf_sees_the_comparison_of_its_departement_only(client, world):
    tarn_url = reverse("dashboard:comparison", args=["81"])
    aude_url = reverse("dashboard:comparison", args=["11"])
    page = _get(client, world.users["pilote_caf"], tarn_url).content.decode()
    assert "CC du Test" in page and "CC Voisine" not in page
    _get(client, world.users["pilote_caf"], aude_url, 404)
    page = _get(client, world.users["other_caf"], aude_url).content.decode()
    assert "CC Voisine" in page and "CC du Test" not in page
    _get(client, world.users["other_caf"], tarn_url, 404)
    for name in ("comparison_csv", "comparison_xlsx"):
        _get(client, world.users["other_caf"], reverse(f"dashboard:{name}", args=["81"]), 404)
    _get(client, world.users["coordination"], tarn_url, 403)
    _get(client, world.users["pilote_caf"], reverse("dashboard:comparison", args=["2A"]), 404)  # not in base


def test_the_departements_services_read_their_departement_and_a_data_manager_every_one(client, world):
    tarn = world.ctg.communes.first().departement
    service = OrganisationFactory(kind=Organisation.Kind.SERVICE_DEPARTEMENT, departement=tarn, name="PMI")
    reader = UserFactory(email="pmi@tarn.fr", organisation=service)
    _get(client, reader, reverse("dashboard:comparison", args=["81"]))
    _get(client, reader, reverse("dashboard:comparison", args=["11"]), 404)
    _get(client, reader, reverse("dashboard:comparable", args=[world.ctg.epci_id]))
    manager = UserFactory(email="admin@plateforme.fr", is_superuser=True, is_staff=True)
    _get(client, manager, reverse("dashboard:comparison", args=["11"]))


def test_the_figures_keep_their_status_never_a_secret_as_zero(client, world, store):
    page = _get(
        client, world.users["other_caf"], reverse("dashboard:comparison", args=["11"])
    ).content.decode()
    # The CC Voisine's only commune is secret in FiLoSoFi: the median says so, it is not 0 €.
    row = page[page.index("CC Voisine") :]
    row = row[: row.index("</tr>")]
    assert "Secret statistique" in row and "0\u00a0€" not in row
    page = _get(
        client, world.users["pilote_caf"], reverse("dashboard:comparison", args=["81"])
    ).content.decode()
    row = page[page.index("CC du Test") :]
    row = row[: row.index("</tr>")]
    assert "Partiel" in row  # one commune without its age bands
    assert "Notes du tableau" in page and "partiel :" in page
    # A median does not aggregate over three communes: not available, and why, under the table.
    assert "agrège pas sur plusieurs communes" in page


def test_the_table_sorts_on_the_server_and_refuses_a_junk_key(client, world, store):
    url = reverse("dashboard:comparison", args=["81"])
    second = Epci.objects.create(siren="200000001", name="CA Grande", nature=Epci.Nature.CA)
    commune = world.ctg.communes.order_by("code").last()
    commune.pk = None
    commune.code, commune.name, commune.epci, commune.population = "81850", "Grandeville", second, 50_000
    commune.save()
    page = _get(client, world.users["pilote_caf"], f"{url}?tri=population&ordre=desc").content.decode()
    assert 'aria-sort="descending"' in page
    # Grandeville has no census row: the CA Grande has no population, so it comes last in either order.
    assert page.index("CC du Test") < page.index("CA Grande")
    page = _get(client, world.users["pilote_caf"], f"{url}?tri=nom&ordre=asc").content.decode()
    assert page.index("CA Grande") < page.index("CC du Test")
    for query in ("tri=junk", "ordre=sideways", "tri=<script>", "tri=population&ordre=1"):
        _get(client, world.users["pilote_caf"], f"{url}?{query}", 400)
        csv_url = reverse("dashboard:comparison_csv", args=["81"])
        _get(client, world.users["pilote_caf"], f"{csv_url}?{query}", 400)


def test_the_exports_hold_the_figures_their_statuses_and_no_formula(client, world, store):
    Epci.objects.filter(siren=world.ctg.epci_id).update(name='=HYPERLINK("http://x")')
    response = _get(client, world.users["pilote_caf"], reverse("dashboard:comparison_csv", args=["81"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:3] == ["Code", "Territoire", "Niveau"] and header[-1] == "Statut des données"
    epci_row = next(r for r in rows if r[0] == world.ctg.epci_id)
    assert epci_row[1].startswith("'=")  # never run as a formula
    assert "partiel" in epci_row[-1]
    assert [r[2] for r in rows[1:]] == ["EPCI", "Département", "France"]
    response = _get(client, world.users["pilote_caf"], reverse("dashboard:comparison_xlsx", args=["81"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_user_text_is_escaped(client, world):
    Epci.objects.filter(siren=world.ctg.epci_id).update(name="<script>alert(1)</script>")
    for url in (
        reverse("dashboard:comparison", args=["81"]),
        reverse("dashboard:comparable", args=[world.ctg.epci_id]),
        reverse("dashboard:comparable_search") + "?q=%3Cscript%3Ealert(1)",
    ):
        page = _get(client, world.users["pilote_caf"], url).content.decode()
        assert "<script>alert(1)" not in page


def test_any_caf_searches_any_epci_of_france(client, world, store):
    url = reverse("dashboard:comparable", args=[world.other_ctg.epci_id])
    page = _get(client, world.users["pilote_caf"], url).content.decode()  # an Aude EPCI for the Tarn's CAF
    assert "Territoires comparables à CC Voisine" in page
    assert "CC du Test" in page  # its only neighbour here, with the distance and the figures side by side
    assert "Distance" in page and "Les chiffres côte à côte" in page
    # Its income is secret and its density has no contour: the page says which features were missing.
    assert "Caractéristiques manquantes pour CC Voisine" in page
    assert "secret statistique" in page
    search = reverse("dashboard:comparable_search")
    page = _get(client, world.users["other_caf"], f"{search}?q=Test").content.decode()
    assert reverse("dashboard:comparable", args=[world.ctg.epci_id]) in page


def test_bad_codes_are_not_found(client, world):
    user = world.users["pilote_caf"]
    commune = world.ctg.communes.first().code
    for code in ("999999999", commune, "81", "2481000x1", "0" * 40):
        _get(client, user, reverse("dashboard:comparable", args=[code]), 404)
    Epci.objects.filter(siren=world.other_ctg.epci_id).update(is_active=False)
    _get(client, user, reverse("dashboard:comparable", args=[world.other_ctg.epci_id]), 404)
    search = reverse("dashboard:comparable_search")
    page = _get(client, user, f"{search}?q={commune}").content.decode()
    assert "Aucune intercommunalité ne correspond" in page  # a commune is not compared here
    _get(client, world.users["partenaire"], search, 403)

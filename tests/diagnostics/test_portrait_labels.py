"""The portrait names its datasets with the catalogue's labels (never a raw key such as « bpe : millésime »),
and the map offers only the indicators it can draw commune by commune."""

import re

import pytest
from django.urls import reverse

from ctg.diagnostics.catalogue import DATASET_LABELS, INDICATORS, SOURCES, Kind
from ctg.diagnostics.importers import import_datasets
from ctg.diagnostics.models import DatasetImport
from ctg.diagnostics.portrait import build_portrait, resolve_territory
from ctg.diagnostics.presentation import map_choices

from .conftest import write
from .test_portrait_views import EPCI_SIREN, portrait_data  # noqa: F401

# A file of each other kind, for the communes of the EPCI of `portrait_data` (Albi, Saint-Juéry, Lavaur).
OTHER_FILES = [
    ("inseecaf2021.csv", ['"iris_code";"note";"a";"am";"arsas"', '"810040101";"0";900;120;80']),
    ("BPE24.csv", ["AN;DEPCOM;TYPEQU", "2024;81004;D502", "2024;81004;D502", "2024;81271;D502"]),
    (
        "txcouv_pe_com.csv",
        [
            "annee;numcom;txcouv_com;pl_psu_col_com;pl_hors_psu_col_com",
            "2023;81004;61.5;700;50",
            "2023;81140;48,0;90;0",
        ],
    ),
    (
        "txcouv_pe_epci.csv",
        ["annee;numepci;txcouv_epci;pl_psu_col_epci;pl_hors_psu_col_epci", f"2023;{EPCI_SIREN};58.2;800;60"],
    ),
    (
        "txcouv_pe_dep.csv",
        ["annee;numdep;txcouv_dep;pl_psu_col_dep;pl_hors_psu_col_dep", "2023;81;55.0;3000;200"],
    ),
    ("NivComTotal2014.csv", ["Communes;Codes_Insee;NB_Pers_par_Foyer_Alloc", "ALBI;81004;25000"]),
    ("BASE_TD_FILO_IRIS_2021_DEC.csv", ["IRIS;DEC_MED21;DEC_TP6021", "810040101;16230;43,0"]),
]


def test_every_dataset_kind_has_a_label():
    assert set(DATASET_LABELS) == set(DatasetImport.Kind.values) == set(SOURCES)
    for kind, label in DATASET_LABELS.items():
        assert label and kind not in label and label[0].isupper(), kind


def _options(html: str) -> list[str]:
    select = html.split('<select class="fr-select" id="carte" name="carte">', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]+)"', select)


def test_the_portrait_names_every_dataset_with_its_label(client, portrait_data, tmp_path):  # noqa: F811
    for name, lines in OTHER_FILES:
        import_datasets(write(tmp_path, name, lines))
    assert set(DatasetImport.objects.values_list("kind", flat=True)) == set(DatasetImport.Kind.values)
    portrait = build_portrait(resolve_territory(EPCI_SIREN))
    assert {"rp_dossier_complet", "filosofi_com", "caf_iris", "bpe", "caf_txcouv_com", "caf_commune"} <= set(
        portrait.datasets
    )
    html = client.get(reverse("diagnostics:territory", args=[EPCI_SIREN])).content.decode()
    for kind, year in portrait.datasets.items():
        assert f"{DATASET_LABELS[kind]} : millésime {year}" in html, kind
    assert not re.search(r"<li>[a-z_]+ : millésime", html)
    assert "Base permanente des équipements : millésime 2024" in html
    assert "bpe : millésime" not in html and "caf_txcouv_com" not in html
    # Every dataset now loaded: the map offers the crèches and the childcare coverage, by commune.
    options = _options(html)
    assert {"taux_couverture_accueil_jeune_enfant", "places_eaje", "equipements_D502_pour_10000"} <= set(
        options
    )
    html = client.get(
        reverse("diagnostics:territory", args=[EPCI_SIREN]), {"carte": "taux_couverture_accueil_jeune_enfant"}
    ).content.decode()
    assert "Taux de couverture global de l'accueil du jeune enfant par commune" in html
    assert "Albi : 61,5" in html and "Saint-Juéry : donnée absente du fichier" in html  # not in the Cnaf file


def test_the_map_offers_only_what_it_can_draw(client, portrait_data):  # noqa: F811
    """Census and FiLoSoFi only: no CAF, childcare or BPE file, and no BPE column in the census file."""
    url = reverse("diagnostics:territory", args=[EPCI_SIREN])
    options = _options(client.get(url).content.decode())
    assert options[0] == "population" and {"part_moins_15_ans", "taux_pauvrete", "revenu_median_uc"} <= set(
        options
    )
    excluded = {
        ind.id
        for ind in INDICATORS
        if ind.kind == Kind.EVOLUTION or ind.dataset in {"caf_iris", "caf_txcouv_com", "bpe", "caf_commune"}
    }
    assert "taux_couverture_accueil_jeune_enfant" in excluded and "equipements_D502_pour_10000" in excluded
    assert not excluded & set(options)
    assert set(options) == {ind.id for ind in map_choices(build_portrait(resolve_territory(EPCI_SIREN)))}
    # An indicator the map leaves out is not drawn: the default one is.
    html = client.get(url, {"carte": "taux_couverture_accueil_jeune_enfant"}).content.decode()
    assert (
        "Part des moins de 15 ans par commune" in html and "accueil du jeune enfant par commune" not in html
    )


def test_no_map_choice_without_any_dataset(client, referential, stats_dir):
    html = client.get(reverse("diagnostics:territory", args=["81"])).content.decode()
    assert 'id="carte"' not in html and "Carte des communes" in html


@pytest.mark.parametrize("kind", sorted(DATASET_LABELS))
def test_dataset_sources_name_the_year(kind):
    assert "{year}" in SOURCES[kind]

"""Figures published for a level (Cnaf coverage rates of an EPCI or a département) are used as published,
never rebuilt from communes; equipment counts come from the BPE file."""

import pytest

from ctg.diagnostics.importers import import_datasets
from ctg.diagnostics.portrait import build_portrait, resolve_territory
from tests.diagnostics.conftest import write
from tests.factories import CommuneFactory, DepartementFactory, EpciFactory


@pytest.fixture
def territory(db, stats_dir, tmp_path):
    tarn = DepartementFactory(code="81", name="Tarn")
    epci = EpciFactory(siren="248100737", name="CA de l'Albigeois")
    CommuneFactory(code="81004", name="Albi", epci=epci, departement=tarn, population=50000)
    CommuneFactory(code="81257", name="Saint-Juéry", epci=epci, departement=tarn, population=7000)
    CommuneFactory(code="81065", name="Castres", departement=tarn, population=40000)
    files = [
        (
            "dossier_complet.csv",
            ["CODGEO;P22_POP;P16_POP", "81004;50000;49000", "81257;7000;6900", "81065;40000;41000"],
        ),
        (
            "BPE24.csv",
            ["AN;DEPCOM;TYPEQU", "2024;81004;D502", "2024;81004;D502", "2024;81257;D502", "2024;81065;D307"],
        ),
        (
            "txcouv_pe_com.csv",
            [
                "annee;numcom;txcouv_com;pl_psu_col_com;pl_hors_psu_col_com",
                "2023;81004;61.5;700;50",
                "2023;81065;70,0;500;0",
            ],
        ),
        (
            "txcouv_pe_epci.csv",
            [
                "annee;numepci;txcouv_epci;pl_psu_col_epci;pl_hors_psu_col_epci",
                "2023;248100737;58.2;800;60",
                "2023;XX;195.8;1;1",
            ],
        ),
        (
            "txcouv_pe_dep.csv",
            ["annee;numdep;txcouv_dep;pl_psu_col_dep;pl_hors_psu_col_dep", "2023;81;55.0;3000;200"],
        ),
    ]
    for name, lines in files:
        import_datasets(write(tmp_path, name, lines))
    return epci


def test_a_commune_takes_its_own_published_rate_and_bpe_counts(territory):
    portrait = build_portrait(resolve_territory("81004"))
    rate = portrait.result("taux_couverture_accueil_jeune_enfant")
    assert (rate.value.value, rate.value.status, rate.value.year) == (61.5, "ok", 2023)
    assert rate.references["departement"].value == 55.0  # the département's own published figure
    assert portrait.result("places_eaje").value.value == 750
    creches = portrait.result("equipements_D502")
    assert (creches.value.value, creches.value.year) == (2, 2024)
    assert creches.source == "Insee, base permanente des équipements (BPE 2024)"
    assert portrait.result("equipements_D502_pour_10000").value.value == pytest.approx(2 / 50000 * 10000)


def test_an_epci_takes_the_published_figure_not_a_sum_of_communes(territory):
    portrait = build_portrait(resolve_territory("248100737"))
    rate = portrait.result("taux_couverture_accueil_jeune_enfant")
    assert (rate.value.value, rate.value.status) == (58.2, "ok")
    assert rate.comparison.startswith("Le taux de couverture global de l'accueil du jeune enfant (58,2")
    assert "est supérieur à celui du département (55,0" in rate.comparison
    assert (
        portrait.result("places_eaje").value.value == 860
    )  # published for the EPCI, not 750 from Albi alone
    density = portrait.result("equipements_D502_pour_10000")
    assert density.value.value == pytest.approx(3 / 57000 * 10000)
    assert density.references["departement"].value == pytest.approx(3 / 97000 * 10000)


def test_a_departement_takes_its_published_rate(territory):
    rate = build_portrait(resolve_territory("81")).result("taux_couverture_accueil_jeune_enfant")
    assert (rate.value.value, rate.value.status) == (55.0, "ok")


def test_an_epci_absent_from_the_published_file_is_not_rebuilt(territory):
    other = EpciFactory(siren="200066124", name="CA Gaillac-Graulhet")
    CommuneFactory(code="81099", name="Gaillac", epci=other, population=15000)
    rate = build_portrait(resolve_territory("200066124")).result("taux_couverture_accueil_jeune_enfant")
    # No row for it in the published file: « absent », neither secret nor blank.
    assert (rate.value.value, rate.value.status) == (None, "absent")
    assert "absent du fichier publié" in rate.value.note

"""Place names in French sentences (ctg.territories.french): articles, elisions, contractions."""

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from ctg.territories import french
from ctg.territories.importer import import_territories
from ctg.territories.models import Commune, Departement

SHARED_COG = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "cog-decoupage-administratif"


@pytest.mark.parametrize(
    ("name", "tncc", "article", "de", "a"),
    [
        ("Haute-Vienne", 3, "la Haute-Vienne", "de la Haute-Vienne", "à la Haute-Vienne"),
        ("Le Vigen", 2, "le Vigen", "du Vigen", "au Vigen"),
        ("Aureil", 1, "Aureil", "d'Aureil", "à Aureil"),
        ("Les Cars", 4, "les Cars", "des Cars", "aux Cars"),
        ("L'Isle-Jourdain", 5, "l'Isle-Jourdain", "de l'Isle-Jourdain", "à l'Isle-Jourdain"),
        ("Limoges", 0, "Limoges", "de Limoges", "à Limoges"),
        ("Calvados", 2, "le Calvados", "du Calvados", "au Calvados"),
        ("Landes", 4, "les Landes", "des Landes", "aux Landes"),
        ("Ain", 5, "l'Ain", "de l'Ain", "à l'Ain"),
        ("Aux Marais", 6, "aux Marais", "des Marais", "aux Marais"),
        ("Los Masos", 8, "los Masos", "de los Masos", "à los Masos"),
        (
            "Hautecourt-Romanèche",
            1,
            "Hautecourt-Romanèche",
            "d'Hautecourt-Romanèche",
            "à Hautecourt-Romanèche",
        ),
        # The name's own article wins over a code that forgets it (the COG gives La Réunion 0).
        ("La Réunion", 0, "la Réunion", "de la Réunion", "à la Réunion"),
    ],
)
def test_articles_from_the_insee_code(name, tncc, article, de, a):
    assert french.with_article(name, tncc) == article
    assert french.of(name, tncc) == de
    assert french.to(name, tncc) == a


@pytest.mark.parametrize(
    ("name", "de"),
    [
        ("Le Vigen", "du Vigen"),
        ("Les Cars", "des Cars"),
        ("L'Isle-Jourdain", "de l'Isle-Jourdain"),
        ("La Boisse", "de la Boisse"),
        ("Aureil", "d'Aureil"),
        ("Écully", "d'Écully"),
        ("Limoges", "de Limoges"),
        ("  Saint-Just   le-Martel ", "de Saint-Just le-Martel"),
        ("Labalme", "de Labalme"),
    ],
)
def test_unknown_code_falls_back_on_the_name(name, de):
    assert french.of(name, None) == de
    assert french.of(name, 99) == de


def test_territories_and_organisations():
    aureil = SimpleNamespace(name="Aureil", type_liaison=1)
    vigen = SimpleNamespace(name="Le Vigen", type_liaison=2)
    cars = SimpleNamespace(name="Les Cars", type_liaison=4)
    haute_vienne = SimpleNamespace(name="Haute-Vienne", type_liaison=3)
    assert french.commune_label(aureil) == "la commune d'Aureil"
    assert french.commune_label(vigen) == "la commune du Vigen"
    assert french.commune_of(aureil) == "de la commune d'Aureil"
    assert french.commune_organisation_name(vigen) == "Commune du Vigen"
    assert french.commune_organisation_name(aureil) == "Commune d'Aureil"
    assert french.departement_council_name(haute_vienne) == "Conseil départemental de la Haute-Vienne"
    assert french.communes_of([aureil, vigen, cars]) == "des communes d'Aureil, du Vigen et des Cars"
    assert french.communes_label([aureil, vigen]) == "les communes d'Aureil et du Vigen"
    assert french.communes_label([cars]) == "la commune des Cars"
    assert french.communes_label([("Limoges", 0), ("Panazol", 0)]) == "les communes de Limoges et Panazol"


@pytest.mark.parametrize(
    ("name", "nature", "article", "de"),
    [
        ("CC du Val de Vienne", "CC", "la CC du Val de Vienne", "de la CC du Val de Vienne"),
        (
            "Communauté de communes Noblat",
            "CC",
            "la Communauté de communes Noblat",
            "de la Communauté de communes Noblat",
        ),
        ("Limoges Métropole", "CU", "Limoges Métropole", "de Limoges Métropole"),
        ("Métropole de Lyon", "MET69", "la Métropole de Lyon", "de la Métropole de Lyon"),
        (
            "Eurométropole de Strasbourg",
            "METRO",
            "l'Eurométropole de Strasbourg",
            "de l'Eurométropole de Strasbourg",
        ),
        ("Annecy Agglo", "CA", "Annecy Agglo", "d'Annecy Agglo"),
    ],
)
def test_epci_article_from_the_first_word(name, nature, article, de):
    assert french.epci_with_article(name, nature) == article
    assert french.epci_of(name, nature) == de


@pytest.mark.parametrize(
    ("preposition", "phrase", "expected"),
    [
        ("de", "les communes d'Aureil et du Vigen", "des communes d'Aureil et du Vigen"),
        ("de", "la commune d'Aureil", "de la commune d'Aureil"),
        ("de", "le territoire", "du territoire"),
        ("de", "l'EPCI", "de l'EPCI"),
        ("De", "les Cars", "Des Cars"),
        ("à", "les communes", "aux communes"),
        ("à", "le Vigen", "au Vigen"),
        ("de", "Le Vigen", "du Vigen"),
        ("de", "La Boisse", "de la Boisse"),
        ("de", "Aureil", "d'Aureil"),
        ("pour", "les communes", "pour les communes"),
    ],
)
def test_contract(preposition, phrase, expected):
    assert french.contract(preposition, phrase) == expected


def test_template_filters_escape_and_agree():
    template = Template(
        "{% load territories %}{{ d|de_nom }} / {{ c|de_commune }} / {{ c|avec_article }} / "
        '{{ "de"|contracte:phrase }}'
    )
    html = template.render(
        Context(
            {
                "d": SimpleNamespace(name="Haute-Vienne", type_liaison=3),
                "c": SimpleNamespace(name="Le <Vigen>", type_liaison=2),
                "phrase": "les communes",
            }
        )
    )
    assert html == ("de la Haute-Vienne / de la commune du &lt;Vigen&gt; / le &lt;Vigen&gt; / des communes")


@pytest.mark.django_db
def test_import_stores_the_type_liaison(cog_source):
    import_territories(cog_source, progress=False)
    assert Departement.objects.exclude(type_liaison=None).exists()
    assert Commune.objects.exclude(type_liaison=None).exists()
    tarn = Departement.objects.get(code="81")
    assert (tarn.type_liaison, tarn.name_of) == (2, "du Tarn")


# Wrong French: « de » before an article or a vowel, a capital article after « de », a double space.
_WRONG = re.compile(
    r"\b[Dd]e (le|les|Le|La|Les|L'|L’)\b|\b[Dd]e [AEIOUYÀÂÉÈÊÎÏÔÛŒ]|\b[Dd]e [aeiouyéèêàâîôû]|  "
)


def _sweep(items):
    problems = []
    for item in items:
        name, tncc = item["nom"], item.get("typeLiaison")
        phrases = [
            french.of(name, tncc),
            "la commune " + french.of(name, tncc),
            french.with_article(name, tncc),
        ]
        for phrase in phrases:
            if _WRONG.search(phrase) or phrase != phrase.strip():
                problems.append((name, tncc, phrase))
    return problems


@pytest.mark.shared_data
def test_every_commune_and_departement_of_france():
    if not (SHARED_COG / "communes.json").is_file():
        pytest.skip(f"Données partagées absentes : {SHARED_COG}")
    communes = [
        c for c in json.loads((SHARED_COG / "communes.json").read_text()) if c["type"] == "commune-actuelle"
    ]
    departements = json.loads((SHARED_COG / "departements.json").read_text())
    assert len(communes) > 34000 and len(departements) > 100
    assert _sweep(communes) == []
    assert _sweep(departements) == []
    # And a few the INSEE code decides.
    by_name = {(c["nom"], c["departement"]): c for c in communes}
    assert french.of("Aureil", by_name["Aureil", "87"]["typeLiaison"]) == "d'Aureil"
    assert french.of("Le Vigen", by_name["Le Vigen", "87"]["typeLiaison"]) == "du Vigen"
    by_code = {d["code"]: d for d in departements}
    assert french.of(by_code["87"]["nom"], by_code["87"]["typeLiaison"]) == "de la Haute-Vienne"
    assert french.of(by_code["14"]["nom"], by_code["14"]["typeLiaison"]) == "du Calvados"


@pytest.mark.django_db
def test_territory_pages_name_the_place_in_french(client):
    from django.urls import reverse

    from tests.factories import CommuneFactory, DepartementFactory, EpciFactory

    haute_vienne = DepartementFactory(code="87", name="Haute-Vienne", type_liaison=3)
    epci = EpciFactory(name="CC du Val de Vienne")
    vigen = CommuneFactory(name="Le Vigen", type_liaison=2, departement=haute_vienne, epci=epci)
    vigen.former_codes.create(code="87999", name="Ancienne", kind="deleguee")
    html = client.get(reverse("territories:commune", args=[vigen.code])).content.decode()
    assert "rattachés au Vigen" in html and "à Le Vigen" not in html
    html = client.get(reverse("territories:epci", args=[epci.siren])).content.decode()
    assert "communes membres de la CC du Val de Vienne" in html


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("CAF du Tarn", "de la CAF du Tarn"),
        ("Conseil départemental de la Haute-Vienne", "du Conseil départemental de la Haute-Vienne"),
        ("Commune d'Aureil", "de la Commune d'Aureil"),
        ("Communauté de communes du Test", "de la Communauté de communes du Test"),
        ("Association Familles en Albigeois", "de l'Association Familles en Albigeois"),
        ("Limoges Métropole", "de Limoges Métropole"),
        ("Enfance & Co", "d'Enfance & Co"),
        ("MSA Midi-Pyrénées Nord", "de la MSA Midi-Pyrénées Nord"),
    ],
)
def test_organisation_of(name, expected):
    assert french.organisation_of(name) == expected


@pytest.mark.django_db
def test_epci_page_says_which_departements_it_covers(client):
    from django.urls import reverse

    from tests.factories import CommuneFactory, DepartementFactory, EpciFactory

    haute_vienne = DepartementFactory(code="87", name="Haute-Vienne", type_liaison=3)
    epci = EpciFactory(name="CC du Val de Vienne")
    CommuneFactory(name="Aureil", type_liaison=1, departement=haute_vienne, epci=epci)
    html = client.get(reverse("territories:epci", args=[epci.siren])).content.decode()
    assert "Départements couverts par la CC du Val de Vienne" in html


def test_organisation_with_article_and_body_of():
    assert french.organisation_with_article("Communauté de communes du Test") == (
        "la Communauté de communes du Test"
    )
    assert french.organisation_with_article("Limoges Métropole") == "Limoges Métropole"
    assert french.body_of("Comité de pilotage") == "du Comité de pilotage"
    assert french.body_of("Atelier") == "de l'Atelier"


@pytest.mark.django_db
def test_rows_imported_before_the_code_get_it_on_the_next_load(cog_source):
    from ctg.territories.models import TerritoryImport

    import_territories(cog_source, progress=False)
    Commune.objects.update(type_liaison=None)
    Departement.objects.update(type_liaison=None)
    # The last import was made by the previous importer: its hash differs, so the files are read again.
    TerritoryImport.objects.update(source_hash="importer-version-1")
    result = import_territories(cog_source, progress=False)
    assert not result.skipped and result.counts["communes"].updated == Commune.objects.count()
    assert not Commune.objects.filter(type_liaison=None).exists()
    assert Departement.objects.get(code="81").type_liaison == 2


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [9, -1, "3", True])
def test_a_wrong_type_liaison_is_refused(tmp_path, cog_data, bad):
    from ctg.territories.importer import TerritorySourceError
    from tests.territories.conftest import write_cog_source

    cog_data["communes"][0]["typeLiaison"] = bad
    with pytest.raises(TerritorySourceError, match="typeLiaison.*entier de 0 à 8"):
        import_territories(write_cog_source(tmp_path / "bad", cog_data), progress=False)
    assert not Commune.objects.exists()


@pytest.mark.django_db
def test_a_missing_type_liaison_is_unknown(tmp_path, cog_data):
    from tests.territories.conftest import write_cog_source

    for commune in cog_data["communes"]:
        commune.pop("typeLiaison", None)
    import_territories(write_cog_source(tmp_path / "none", cog_data), progress=False)
    assert not Commune.objects.exclude(type_liaison=None).exists()

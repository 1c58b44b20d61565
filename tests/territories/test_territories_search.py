import pytest

from ctg.territories.models import Commune
from ctg.territories.selectors import resolve_commune_code, resolve_commune_codes, search_territories
from ctg.territories.text import normalize


def found(q, **kwargs):
    return [(result.kind, result.code) for result in search_territories(q, **kwargs)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Juéry", "saint juery"),
        ("L'Abergement-Clémenciat", "l abergement clemenciat"),
        ("Île-de-Bréhat", "ile de brehat"),
        ("Œuilly", "oeuilly"),
        ("  CC de St-Gildas  ", "cc de saint gildas"),
        ("", ""),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_normalize_keeps_the_word_being_typed():
    assert normalize("st", partial=True) == "st"  # maybe "Strasbourg"
    assert normalize("st jean", partial=True) == "saint jean"


@pytest.mark.django_db
class TestSearch:
    def test_by_name_exact_name_first(self, territories):
        assert found("albi")[:2] == [("commune", "81004"), ("epci", "248100737")]

    def test_accent_case_and_hyphen_free(self, territories):
        assert found("SAINT JUERY") == [("commune", "81271")]
        assert found("saint-juéry") == [("commune", "81271")]
        assert found("brehat") == [("commune", "22016")]
        assert found("st jean") == [("commune", "31488")]

    def test_prefix_before_word_prefix_before_contains(self, territories):
        Commune.objects.create(
            code="81999", name="Saintes-Croix", departement_id="81", region_id="76", population=10
        )
        Commune.objects.create(
            code="81998", name="Toussaint", departement_id="81", region_id="76", population=99999
        )
        Commune.objects.create(
            code="81997", name="Montagne-Saint", departement_id="81", region_id="76", population=5
        )
        # Same rank: most populated first. Prefix, then a word starting with "saint", then "saint" inside.
        assert found("saint") == [
            ("commune", "31488"),
            ("commune", "81271"),
            ("commune", "81999"),
            ("commune", "81997"),
            ("commune", "81998"),
        ]

    def test_by_insee_code(self, territories):
        assert found("2A004")[0] == ("commune", "2A004")
        assert found("2a004")[0] == ("commune", "2A004")
        assert found("81004")[0] == ("commune", "81004")

    def test_by_postal_code(self, territories):
        assert found("20090") == [("commune", "2A004")]
        assert found("81000") == [("commune", "81004")]

    def test_by_siren(self, territories):
        assert found("200066124") == [("epci", "200066124")]

    def test_departement_by_code_then_its_communes(self, territories):
        assert found("81") == [
            ("departement", "81"),
            ("commune", "81004"),
            ("commune", "81140"),
            ("commune", "81271"),
        ]

    def test_departement_by_name(self, territories):
        assert found("corse") == [("departement", "2A")]
        assert found("tarn") == [("departement", "81"), ("epci", "200066124")]

    def test_only_territories_in_force(self, territories):
        Commune.objects.filter(code="81004").update(is_active=False)
        assert ("commune", "81004") not in found("albi")
        assert found("81004") == []

    def test_limit(self, territories):
        assert len(found("a", limit=3)) == 0  # one letter: too vague
        assert len(found("a")) == 0
        assert found("au") == [("departement", "31"), ("epci", "243100633"), ("commune", "81140")]
        assert found("au", limit=2) == [("departement", "31"), ("epci", "243100633")]
        assert len(found("81", limit=2)) == 2

    def test_nothing(self, territories):
        assert found("") == []
        assert found("zzz") == []

    def test_result_carries_a_link_and_a_label(self, territories):
        albi = search_territories("albi")[0]
        assert albi.url == "/territoires/commune/81004/"
        assert albi.kind_label == "Commune"
        assert albi.detail == "Tarn (81) · 81000"
        assert albi.population == 49531


@pytest.mark.django_db
class TestResolveCommuneCode:
    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            ("81004", "81004"),  # current
            ("81050", "81004"),  # commune déléguée
            ("31999", "31023"),  # commune associée
            ("81321", "81140"),  # ancien code
            ("2a004", "2A004"),
            (" 81004 ", "81004"),
        ],
    )
    def test_resolves(self, territories, code, expected):
        assert resolve_commune_code(code).code == expected

    def test_leading_zero_lost_by_a_spreadsheet(self, territories):
        Commune.objects.create(
            code="01001", name="L'Abergement-Clémenciat", departement_id="81", region_id="76"
        )
        assert resolve_commune_code("1001").code == "01001"
        assert resolve_commune_code(1001).code == "01001"

    def test_unknown(self, territories):
        assert resolve_commune_code("99999") is None
        assert resolve_commune_code("") is None
        assert resolve_commune_code(None) is None

    def test_obsolete_commune_gives_way_to_the_one_that_absorbed_it(self, territories):
        Commune.objects.create(
            code="81050", name="Cambon", departement_id="81", region_id="76", is_active=False
        )
        assert resolve_commune_code("81050").code == "81004"

    def test_many_codes_at_once(self, territories, django_assert_max_num_queries):
        with django_assert_max_num_queries(3):
            mapping = resolve_commune_codes(["81004", "81050", "31999", "99999", "2a004"])
        assert mapping == {"81004": "81004", "81050": "81004", "31999": "31023", "2a004": "2A004"}

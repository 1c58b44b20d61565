"""The notes under the portrait's tables (references not computed: département, région, France) say, as the
status line of a figure does, which communes are absent from the file (and why) apart from those whose value
the source withheld (secret statistique): never « 14 communes sur 19 sans donnée (secret statistique) » when
13 are absent and 1 secret. Page, PDF and CSV alike."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from ctg.diagnostics.catalogue import BY_ID
from ctg.diagnostics.engine import DEPARTEMENT_NOT_IMPORTED, NOT_SPLIT, PARTIEL, SECRET, Coverage, Value
from ctg.diagnostics.pdf import render_portrait_html
from ctg.diagnostics.portrait import Territory, _reference, build_portrait, resolve_territory
from ctg.diagnostics.presentation import reference_cells, reference_notes

from .test_honest_statuses import (  # noqa: F401
    LIMOGES_METROPOLE,
    caf,
    caf_with_published_parts,
    france,
    plain,
)

TERRITORY = Territory("248719312", "epci", "Limoges Métropole", ["87085"], 1, ["87"], "75")


def _value(status, coverage: Coverage) -> Value:
    return Value(None, status, 0.0, 2021, communes_with_data=coverage.with_data, communes=coverage.communes,
                 detail=coverage)  # fmt: skip


def _note(reference) -> str:
    class Result:
        indicator = BY_ID["allocataires"]
        references = {"departement": reference}

    rows = [{"references": reference_cells(Result, TERRITORY)}]
    return reference_notes(rows)[0]["text"]


def test_absent_and_secret_communes_are_told_apart():
    coverage = Coverage(19, 0, ((NOT_SPLIT, 13),), secret=1, unpublished=5)
    reference = _reference("departement", "87", "Haute-Vienne", _value("non_disponible", coverage),
                           BY_ID["allocataires"])  # fmt: skip
    assert reference.detail == (
        "13 communes absentes du fichier (communes non découpées en IRIS) ; "
        "1 commune soumise au secret statistique ; 5 communes sans valeur publiée"
    )
    assert _note(reference) == f"Référence départementale non calculée : {reference.detail}."
    assert "sans donnée" not in reference.reason


@pytest.mark.parametrize(
    ("secret", "absent", "words"),
    [
        (1, 1, "1 commune absente du fichier (commune non découpée en IRIS) ; 1 commune soumise au secret"),
        (
            2,
            3,
            "3 communes absentes du fichier (communes non découpées en IRIS) ; 2 communes soumises au secret",
        ),
    ],
)
def test_the_words_agree_with_their_number(secret, absent, words):
    coverage = Coverage(10, 10 - secret - absent, ((NOT_SPLIT, absent),), secret=secret, population_share=0.5)
    value = Value(
        7.0, PARTIEL, 0.5, 2021, communes_with_data=coverage.with_data, communes=10, detail=coverage
    )
    assert _reference("region", "75", "Nouvelle-Aquitaine", value, BY_ID["allocataires"]).detail == (
        words + " statistique"
    )


def test_a_level_blanked_or_not_in_its_file_says_which():
    secret = Value(None, SECRET, None, 2021, note="secret statistique : valeur masquée par la source")
    assert _reference("departement", "87", "Haute-Vienne", secret, BY_ID["allocataires"]).detail == (
        "valeur du niveau masquée par la source (secret statistique)"
    )
    absent = Value(None, "absent", None, 2021, note="absent du fichier : territoire absent du fichier publié")
    assert _reference("departement", "87", "Haute-Vienne", absent, BY_ID["allocataires"]).detail == (
        "niveau absent du fichier publié"
    )
    departement = Coverage(4, 0, ((DEPARTEMENT_NOT_IMPORTED, 4),))
    assert _reference(
        "france", None, "France", _value("absent", departement), BY_ID["allocataires"]
    ).detail == ("4 communes absentes du fichier (leur département n'est pas dans le fichier importé)")


def _notes(html: str) -> list[str]:
    return [plain(re.sub(r"<[^>]+>", "", n)) for n in re.findall(r'id="notes-[^"]+">(.*?)</div>', html, re.S)]


@pytest.mark.shared_data
@pytest.mark.django_db
def test_the_page_and_the_pdf_notes_match_the_status_line(caf_with_published_parts):  # noqa: F811
    """Limoges Métropole on the real Insee-Cnaf file cut to three départements: the références of the CAF
    figures (Haute-Vienne, Nouvelle-Aquitaine, France) are not computed; their notes say the communes absent
    from the file and why, the secret ones apart, in the status line's words."""
    html = Client().get(reverse("diagnostics:territory", args=[LIMOGES_METROPOLE])).content.decode()
    portrait = build_portrait(resolve_territory(LIMOGES_METROPOLE))
    reference = portrait.result("allocataires").references["departement"]
    assert reference.value is None
    departement = " ".join(_notes(html))
    assert plain(reference.detail) in departement
    assert "absentes du fichier (communes non découpées en IRIS)" in departement
    assert "sans donnée" not in departement and "sans donnée (secret statistique)" not in html
    # The status line of the territory's own figure splits them with the same words.
    assert "absentes du fichier (communes non découpées en IRIS)" in plain(
        portrait.result("allocataires").value.caveat
    )
    pdf = plain(render_portrait_html(portrait))
    notes = re.findall(r'<p class="small">(?:<sup>\d+</sup> )?(Référence [^<]*)</p>', pdf)
    assert f"Référence départementale non calculée : {plain(reference.detail)}." in notes
    assert not [n for n in notes if "sans donnée" in n]

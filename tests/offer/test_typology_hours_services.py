"""The typology of the offer, the `opening_hours` subset, and the services every write goes through."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ctg.conventions.models import Field
from ctg.offer import opening_hours, typology
from ctg.offer.importers import import_offer
from ctg.offer.models import Structure, StructureEvent
from ctg.offer.selectors import hours_text
from ctg.offer.services import structure_create, structure_update
from tests.factories import UserFactory

from .conftest import write_list

# --- Typology -----------------------------------------------------------------------------------------------


def test_every_type_serves_a_ctg_field_and_the_issue_s_types_are_there():
    assert all(item.field in Field.values for item in typology.TYPES)
    for code in (
        "eaje_creche",
        "eaje_micro_creche",
        "eaje_multi_accueil",
        "mam",
        "assistantes_maternelles",
        "rpe",
        "laep",
        "alsh",
        "accueil_jeunes",
        "pij",
        "centre_social",
        "evs",
        "france_services",
        "ccas",
        "cias",
        "pmi",
        "mediation_familiale",
        "mission_locale",
        "ecole_maternelle",
        "bibliotheque",
    ):
        assert code in typology.BY_CODE, code
    fields = {item.field for item in typology.TYPES}
    for field in ("petite_enfance", "enfance", "jeunesse", "parentalite", "animation_vie_sociale"):
        assert field in fields
    assert {"acces_droits", "logement", "handicap"} <= fields
    assert typology.BY_CODE["assistantes_maternelles"].counted


def test_outside_nomenclatures():
    # The BPE counts every EAJE under D502.
    assert {item.code for item in typology.by_bpe("D502")} == {
        "eaje",  # what a BPE row comes in as (ctg.offer.bpe), its kind unknown
        "eaje_creche",
        "eaje_micro_creche",
        "eaje_multi_accueil",
        "eaje_creche_familiale",
    }
    assert all(len(code) == 4 and code[0].isupper() for item in typology.TYPES for code in item.bpe)
    # data·inclusion has no EAJE, RPE, LAEP nor ALSH.
    for code in ("eaje_creche", "eaje_micro_creche", "eaje_multi_accueil", "rpe", "laep", "alsh"):
        assert typology.BY_CODE[code].data_inclusion == ()
    assert [item.code for item in typology.by_data_inclusion("france-service")] == ["france_services"]
    assert [item.code for item in typology.by_data_inclusion("ccas-cias")] == ["ccas", "cias"]


def test_the_structure_type_choices_are_the_typology():
    assert Structure._meta.get_field("type").choices == typology.choices()


# --- opening_hours --------------------------------------------------------------------------------------


def test_a_week_is_written_in_the_opening_hours_syntax_and_read_back():
    week = {
        "Mo": [("09:00", "12:00"), ("13:30", "17:00")],
        "Tu": [("09:00", "12:00"), ("13:30", "17:00")],
        "We": [("09:00", "12:00"), ("13:30", "17:00")],
        "Th": [],
        "Fr": [("09:00", "12:00")],
        "Sa": [("09:00", "12:00")],
    }
    text = opening_hours.format_week(week)

    assert text == "Mo-We 09:00-12:00,13:30-17:00; Fr,Sa 09:00-12:00"
    assert opening_hours.parse(text) == {**week, "Th": [], "Su": []}
    assert opening_hours.format_week({}) == ""


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Mo-Fr 08:00-12:00",
        "Mo,We,Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00",
        "Mo-Su 00:00-24:00",
        "Su off",
    ],
)
def test_valid_opening_hours(text):
    assert opening_hours.validate(text) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Lu-Ve 09:00-12:00", "jours invalides « Lu-Ve »"),
        ("Mo-Fr 9h-12h", "heure invalide « 9h »"),
        ("Mo 09:00-25:00", "heure invalide « 25:00 »"),
        ("Mo 14:00-12:00", "la fin doit suivre le début"),
        ("Fr-Mo 09:00-12:00", "à l'envers"),
        ("Mo-Fr", "sans horaires"),
        ("Mo 09:00-12:00;", "règle vide"),
        ("24/7", "jour invalide"),
        ("Mo 09:00", "plage horaire invalide"),
    ],
)
def test_invalid_opening_hours_are_refused_in_french(text, message):
    with pytest.raises(opening_hours.OpeningHoursError, match=message):
        opening_hours.parse(text)


def test_overlapping_spans_are_merged():
    assert opening_hours.merge_spans([("08:30", "12:00"), ("08:30", "17:00")]) == [("08:30", "17:00")]
    assert opening_hours.merge_spans([("13:30", "16:30"), ("09:00", "12:30"), ("09:00", "12:30")]) == [
        ("09:00", "12:30"),
        ("13:30", "16:30"),
    ]


# --- Services -----------------------------------------------------------------------------------------------


def _values(commune, **extra):
    return {
        "type": "eaje_micro_creche",
        "name": "Micro-crèche Les Petits Pas",
        "commune": commune,
        "capacity": 12,
        "public": "Enfants de 10 semaines à 3 ans",
        "ages": "0-3 ans",
        "opening_hours": "Mo-Fr 07:30-18:30",
        "source": "saisie",
        **extra,
    }


def test_a_structure_entered_by_hand_records_who_created_and_changed_it(referential):
    albi = referential.communes.get(code="81004")
    person = UserFactory(email="conseillere@caf81.fr")

    structure = structure_create(actor=person, values=_values(albi))

    assert (structure.created_by, structure.source_id, structure.last_update is not None) == (
        person,
        "",
        True,
    )
    event = structure.events.get()
    assert (event.kind, event.actor, event.changes["capacity"]) == (
        StructureEvent.Kind.CREATED,
        person,
        ["", "12"],
    )

    changes = structure_update(structure, actor=person, values={"capacity": 10, "name": structure.name})

    assert changes == {"capacity": ["12", "10"]}
    latest = structure.events.first()
    assert (latest.kind, latest.summary) == (
        StructureEvent.Kind.UPDATED,
        "Structure modifiée : Micro-crèche Les Petits Pas (capacité (places))",
    )
    assert structure_update(structure, actor=person, values={"capacity": 10}) == {}
    assert structure.events.count() == 2
    with pytest.raises(ValueError, match="jamais supprimée"):
        structure.delete()
    assert Structure.objects.filter(pk=structure.pk).exists()


def test_a_planned_structure_needs_its_expected_opening_and_bad_hours_are_refused(referential):
    albi = referential.communes.get(code="81004")

    with pytest.raises(ValidationError):
        structure_create(actor=None, values=_values(albi, status=Structure.Status.PLANNED))
    with pytest.raises(opening_hours.OpeningHoursError):
        structure_create(actor=None, values=_values(albi, opening_hours="du lundi au vendredi"))

    assert not Structure.objects.exists() and not StructureEvent.objects.exists()
    planned = structure_create(
        actor=None, values=_values(albi, status=Structure.Status.PLANNED, expected_opening="2027-09-01")
    )
    assert planned.status == "en_projet"
    with transaction.atomic(), pytest.raises(IntegrityError):
        Structure.objects.filter(pk=planned.pk).update(expected_opening=None)


def test_two_structures_cannot_share_a_source_id(referential, good_list):
    import_offer([good_list])
    albi = referential.communes.get(code="81004")

    with pytest.raises(ValidationError):
        structure_create(actor=None, values=_values(albi, source="anct-france-services", source_id="1"))
    # Entered by hand, without a source id: as many as needed.
    structure_create(actor=None, values=_values(albi))
    structure_create(actor=None, values=_values(albi))
    assert Structure.objects.filter(source="saisie").count() == 2


def test_the_same_list_saved_with_crlf_or_lf_is_the_same(referential, tmp_path):
    from .conftest import good_rows, site

    rows = [*good_rows(), site(id_fs="4", commentaire="Sur rendez-vous\nle samedi")]
    import_offer([write_list(tmp_path, rows, "lf.csv")])
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes((tmp_path / "lf.csv").read_bytes().replace(b"\n", b"\r\n"))

    record, _plan = import_offer([crlf])

    assert (record.updated, record.unchanged) == (0, 4)
    assert Structure.objects.get(source_id="4").hours_note == "Sur rendez-vous\nle samedi"


@pytest.mark.parametrize(
    "text",
    ["24/7", "Mo-Fr 09:00-12:00; PH off", 'Mo-Fr 09:00-12:00 "sur rendez-vous"', "Jul-Aug Mo-Fr 10:00-18:00"],
)
def test_the_whole_openstreetmap_syntax_is_accepted_and_shown_as_written(text):
    """Beyond the weekly subset, what the OpenStreetMap parser reads is valid; pages show it as written."""
    assert opening_hours.validate(text) == text
    assert hours_text(text) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Lu-Ve 9h-12h", "jours invalides « Lu-Ve »"),
        ("Mo 25:00-26:00", "heure invalide « 25:00 »"),
        ("Mo 09:00-12:00;", "règle vide"),
        ("tous les jours", "jour invalide"),
    ],
)
def test_what_the_openstreetmap_parser_refuses_is_named_in_french(text, message):
    with pytest.raises(opening_hours.OpeningHoursError, match=message):
        opening_hours.validate(text)

"""The renewal that carries the past forward: signatories to sign again, governance bodies and members, the
coordinator post for a new period, the unfinished fiches linked to their history and their indicators whose
baseline becomes the last realised value; the person's choices carried exactly; refusals write nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from ctg.conventions import renewal, services
from ctg.conventions.models import Ctg, Phase, Signatory
from ctg.core.models import HistoryEntry
from ctg.governance.models import Body, BodyMember
from ctg.governance.services import body_create, member_add
from ctg.plans.models import FicheAction, IndicatorValue, PlanIndicator
from ctg.plans.services.indicators import indicator_create, indicator_value_set
from ctg.post.models import CoordinatorPost
from ctg.post.services import post_set
from tests.factories import SignatoryFactory
from tests.plans.factories import FicheFactory


@pytest.fixture
def past(world):
    """The world's CTG (2025-2028) in its évaluation, with what a first CTG leaves."""
    ctg, actor = world.ctg, world.users["coordination"]
    SignatoryFactory(ctg=ctg, organisation=ctg.caf, signed_on=datetime.date(2025, 3, 1))
    copil = body_create(ctg=ctg, actor=actor, kind=Body.Kind.COPIL, name="COPIL de la CTG")
    member_add(body=copil, actor=actor, organisation=ctg.caf, person_name="Camille Directrice")
    post_set(
        ctg=ctg,
        actor=actor,
        person_name="Alex Coordinatrice",
        employer=ctg.caf,
        fte=Decimal("0.8"),
        start_date=datetime.date(2025, 1, 1),
    )
    ongoing = FicheFactory(
        ctg=ctg, title="Relais petite enfance itinérant", status=FicheAction.Status.EN_COURS
    )
    done = FicheFactory(ctg=ctg, title="Guide des services", status=FicheAction.Status.REALISEE)
    dropped = FicheFactory(ctg=ctg, title="Ludothèque", status=FicheAction.Status.ABANDONNEE)
    places = indicator_create(
        fiche=ongoing, actor=actor, label="Places d'accueil", baseline_value=Decimal("40"), baseline_year=2024
    )
    indicator_value_set(indicator=places, actor=actor, year=2026, kind="realised", value="48")
    indicator_value_set(indicator=places, actor=actor, year=2027, kind="realised", value="52")
    indicator_value_set(indicator=places, actor=actor, year=2028, kind="target", value="60")
    untouched = indicator_create(
        fiche=ongoing, actor=actor, label="Familles reçues", baseline_value=Decimal("7")
    )
    Ctg.objects.filter(pk=ctg.pk).update(phase=Phase.EVALUATION)
    ctg.refresh_from_db()
    return {
        "ctg": ctg,
        "copil": copil,
        "ongoing": ongoing,
        "done": done,
        "dropped": dropped,
        "places": places,
        "untouched": untouched,
    }


def _counts():
    return (
        Ctg.objects.count(),
        HistoryEntry.objects.count(),
        Signatory.objects.count(),
        Body.objects.count(),
        BodyMember.objects.count(),
        CoordinatorPost.objects.count(),
        FicheAction.objects.count(),
        PlanIndicator.objects.count(),
    )


def test_the_renew_page_offers_every_group_checked(past):
    keys = renewal.all_keys(renewal.options(past["ctg"]))
    signatory = past["ctg"].signatories.get()
    assert {
        f"signatory:{signatory.pk}",
        f"body:{past['copil'].pk}",
        "post",
        f"fiche:{past['ongoing'].pk}",
        f"indicator:{past['places'].pk}",
        f"indicator:{past['untouched'].pk}",
    } == keys  # the finished and abandoned fiches are not offered


def test_a_renewal_carries_everything_by_default(past, world):
    actor = world.users["pilote_caf"]
    new = services.ctg_renew(ctg=past["ctg"], actor=actor)
    assert (new.start_year, new.end_year, new.previous) == (2029, 2032, past["ctg"])
    # The signatories, to sign again.
    signatory = new.signatories.get()
    assert signatory.organisation == past["ctg"].caf and signatory.signed_on is None
    assert not new.is_signed
    # The bodies and their members.
    body = new.bodies.get()
    assert body.name == "COPIL de la CTG"
    assert list(body.members.values_list("person_name", flat=True)) == ["Camille Directrice"]
    # The post, for a new period.
    post = CoordinatorPost.objects.get(ctg=new)
    assert (post.person_name, post.fte, post.start_date) == (
        "Alex Coordinatrice",
        Decimal("0.80"),
        datetime.date(2029, 1, 1),
    )
    # The unfinished fiche only, linked to the one it continues, under copies of its enjeu and objectives.
    fiche = new.fiches.get()
    assert (fiche.title, fiche.carried_from, fiche.status) == (
        "Relais petite enfance itinérant",
        past["ongoing"],
        FicheAction.Status.EN_COURS,
    )
    assert fiche.objectives.get().strategic.enjeu.ctg == new
    # Its indicators: the baseline is the last realised value and its year, or the old baseline.
    places = fiche.indicators.get(label="Places d'accueil")
    assert (places.baseline_value, places.baseline_year) == (Decimal("52"), 2027)
    assert not IndicatorValue.objects.filter(indicator=places).exists()  # targets stay with their period
    assert fiche.indicators.get(label="Familles reçues").baseline_value == Decimal("7")
    # History in both dossiers.
    new_lines = list(new.history.values_list("summary", flat=True))
    old_lines = list(past["ctg"].history.values_list("summary", flat=True))
    assert any("reprise de « CTG du Test 2025-2028 »" in line for line in new_lines)
    assert any("Renouvelée par « CTG du Test 2029-2032 »" in line for line in old_lines)
    assert any("renouvelée en « CTG du Test 2029-2032 »" in line for line in old_lines)


def test_a_renewal_carries_exactly_the_chosen_items(past, world):
    new = services.ctg_renew(
        ctg=past["ctg"],
        actor=world.users["pilote_caf"],
        choices=[f"fiche:{past['ongoing'].pk}", f"indicator:{past['places'].pk}"],
    )
    assert not new.signatories.exists() and not new.bodies.exists()
    assert not CoordinatorPost.objects.filter(ctg=new).exists()
    assert list(new.fiches.get().indicators.values_list("label", flat=True)) == ["Places d'accueil"]


def test_no_choice_carries_only_the_members_and_partners(past, world):
    new = services.ctg_renew(ctg=past["ctg"], actor=world.users["pilote_caf"], choices=[])
    assert not new.fiches.exists() and not new.signatories.exists() and not new.enjeux.exists()
    assert new.memberships.count() == past["ctg"].memberships.count()


@pytest.mark.parametrize(
    "choices, start, message",
    [
        (["fiche:999999"], None, "ne peuvent pas être repris"),
        (["n'importe quoi"], None, "ne peuvent pas être repris"),
        (["post", "post:1"], None, "ne peuvent pas être repris"),
        ("indicator-alone", None, "qu'avec sa fiche"),
        ("other-fiche", None, "ne peuvent pas être repris"),
        ("done-fiche", None, "ne peuvent pas être repris"),
        (None, 2027, "chevauche 2027-2030"),
        (None, 3000, "comprise entre"),
    ],
)
def test_refusals_write_nothing(past, world, choices, start, message):
    if choices == "indicator-alone":
        choices = [f"indicator:{past['places'].pk}"]
    elif choices == "other-fiche":
        choices = [f"fiche:{FicheFactory(ctg=world.other_ctg).pk}"]
    elif choices == "done-fiche":
        choices = [f"fiche:{past['done'].pk}"]
    before = _counts()
    with pytest.raises(ValidationError, match=message):
        services.ctg_renew(
            ctg=past["ctg"], actor=world.users["pilote_caf"], start_year=start, choices=choices
        )
    assert _counts() == before


def test_a_second_renewal_is_refused_and_writes_nothing(past, world):
    services.ctg_renew(ctg=past["ctg"], actor=world.users["pilote_caf"])
    before = _counts()
    with pytest.raises(ValidationError, match="déjà été renouvelée"):
        services.ctg_renew(ctg=past["ctg"], actor=world.users["pilote_caf"], choices=[])
    assert _counts() == before


def test_the_command_dry_run_writes_nothing_then_renews(past, world, capsys):
    before = _counts()
    call_command("renew", str(past["ctg"].pk), "--dry-run")
    out = capsys.readouterr().out
    assert "Serait repris : Relais petite enfance itinérant" in out
    assert "Serait repris : Guide des services" not in out
    assert "Aucune écriture" in out
    assert _counts() == before
    call_command("renew", str(past["ctg"].pk), "--start-year", "2030", "--user", "pilote@caf.fr")
    new = Ctg.objects.get(previous=past["ctg"])
    assert (new.start_year, new.end_year) == (2030, 2033)
    assert new.fiches.get().carried_from == past["ongoing"]
    assert set(new.history.values_list("actor", flat=True)) == {world.users["pilote_caf"].pk}
    with pytest.raises(CommandError, match="déjà été renouvelée"):
        call_command("renew", str(past["ctg"].pk))
    with pytest.raises(CommandError, match="Aucun dossier"):
        call_command("renew", "999999")


def test_a_renewed_dossier_exports_without_its_link_to_the_previous_fiches(past, world):
    """The archive of a renewed CTG: the carried-over fiche's link to the previous CTG's fiche stays on this
    instance (ctg.transfer.schema.OMITTED), the fiche itself travels."""
    from ctg.transfer.export import export_data

    new = services.ctg_renew(ctg=past["ctg"], actor=world.users["pilote_caf"])
    assert new.fiches.get().carried_from == past["ongoing"]
    data, _files = export_data(new)
    fiches = data["objects"]["plans.ficheaction"]
    assert [fiche["title"] for fiche in fiches] == [past["ongoing"].title]
    assert all("carried_from" not in fiche for fiche in fiches)

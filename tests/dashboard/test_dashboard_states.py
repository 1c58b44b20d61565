"""The rules of the dashboard without a database: the state of a CTG, the CTG that stands for an EPCI, the
département of attachment of an EPCI across départements, the filters and years refused."""

import datetime

import pytest

from ctg.conventions.models import Phase
from ctg.dashboard.dashboard import (
    BadFilter,
    Candidate,
    State,
    add_months,
    check_year,
    clean_filters,
    ctg_state,
    current_ctg,
    home_departement,
)

TODAY = datetime.date(2026, 12, 6)


def state(signed=True, end_year=2028, phase=Phase.MISE_EN_OEUVRE, today=TODAY):
    return ctg_state(signed=signed, end_year=end_year, phase=phase, today=today)


def test_unsigned_is_in_preparation_whatever_its_phase():
    for phase in (
        Phase.PREPARATION,
        Phase.DIAGNOSTIC,
        Phase.PLAN_ACTION,
        Phase.MISE_EN_OEUVRE,
        Phase.EVALUATION,
    ):
        assert state(signed=False, phase=phase) == State.PREPARATION


def test_signed_in_any_phase_counts_by_its_period():
    # An accord-cadre signed while the diagnostic runs is in force.
    assert state(phase=Phase.DIAGNOSTIC, end_year=2029) == State.SIGNED
    assert state(phase=Phase.PREPARATION, end_year=2029) == State.SIGNED


def test_expiring_within_twelve_months_both_ends_included():
    # The period ends on 31 December of its last year.
    assert state(end_year=2026) == State.EXPIRING  # 25 days left
    assert state(end_year=2027) == State.SIGNED  # 31/12/2027 is more than 12 months after 06/12/2026
    assert state(end_year=2027, today=datetime.date(2026, 12, 31)) == State.EXPIRING  # exactly 12 months
    assert state(end_year=2027, today=datetime.date(2026, 12, 30)) == State.SIGNED
    assert state(end_year=2026, today=datetime.date(2026, 12, 31)) == State.EXPIRING  # last day


def test_expired_after_its_period_or_when_closed():
    assert state(end_year=2025) == State.EXPIRED
    assert state(end_year=2026, today=datetime.date(2027, 1, 1)) == State.EXPIRED
    # « Terminée » ends it whatever its period or signature.
    assert state(end_year=2030, phase=Phase.CLOSE) == State.EXPIRED
    assert state(signed=False, end_year=2030, phase=Phase.CLOSE) == State.EXPIRED


def test_unsigned_after_its_period_stays_in_preparation():
    # Never in force: not « échue ».
    assert state(signed=False, end_year=2022) == State.PREPARATION


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert add_months(datetime.date(2026, 12, 6), 12) == datetime.date(2027, 12, 6)
    assert add_months(datetime.date(2028, 2, 29), 12) == datetime.date(2029, 2, 28)
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)


def c(state, start, end, ref=None):
    return Candidate(state, start, end, ref or f"{state}-{start}")


def test_an_ended_ctg_with_its_renewal_in_preparation_shows_the_renewal():
    chosen, renewal = current_ctg([c(State.EXPIRED, 2019, 2022), c(State.PREPARATION, 2023, 2026)], 2026)
    assert chosen.state == State.PREPARATION and chosen.start_year == 2023
    assert renewal is None


def test_a_ctg_in_force_wins_and_names_its_renewal_in_preparation():
    chosen, renewal = current_ctg(
        [c(State.EXPIRING, 2023, 2026), c(State.PREPARATION, 2027, 2030), c(State.EXPIRED, 2019, 2022)], 2026
    )
    assert chosen.state == State.EXPIRING
    assert renewal.start_year == 2027


def test_the_ctg_running_this_year_before_one_signed_for_later():
    chosen, _ = current_ctg([c(State.SIGNED, 2027, 2030), c(State.EXPIRING, 2023, 2026)], 2026)
    assert chosen.start_year == 2023
    chosen, _ = current_ctg([c(State.SIGNED, 2028, 2031), c(State.SIGNED, 2027, 2030)], 2026)
    assert chosen.start_year == 2027  # none runs yet: the next to start


def test_the_latest_expired_and_none():
    chosen, _ = current_ctg([c(State.EXPIRED, 2015, 2018), c(State.EXPIRED, 2019, 2022)], 2026)
    assert chosen.end_year == 2022
    assert current_ctg([], 2026) == (None, None)


def test_home_departement_of_an_epci_across_departements():
    # CC Tarn-Agout (SIREN 200034023): 20 communes in the Tarn, 1 in Haute-Garonne.
    tarn_agout = [("81", 29252)] * 1 + [("31", 670)]
    assert home_departement(tarn_agout, "200034023") == "81"
    # CC Aux sources du Canal du Midi: SIREN 243100567 names Haute-Garonne, where its seat (Revel) is.
    members = [("31", 13504), ("81", 7992), ("11", 268)]
    assert home_departement(members, "243100567") == "31"
    # A SIREN « 24 » whose département holds no member is not read.
    assert home_departement([("81", 10), ("82", 20)], "241100001") == "82"
    # Equal population: most communes, then the smallest code.
    assert home_departement([("82", 50), ("81", 25), ("81", 25)]) == "81"
    assert home_departement([("82", 50), ("81", 50)]) == "81"
    # Unknown populations count as none.
    assert home_departement([("82", None), ("81", 1)]) == "81"
    assert home_departement([]) is None


def test_filters_checked():
    assert clean_filters({"etat": "signee", "echeance": "2026", "champ": "jeunesse", "other": "x"}) == {
        "etat": "signee",
        "echeance": 2026,
        "champ": "jeunesse",
    }
    assert clean_filters({"etat": "", "echeance": "", "champ": ""}) == {}
    assert clean_filters(None) == {}


@pytest.mark.parametrize(
    "filters",
    [
        {"etat": "zz"},
        {"etat": "<script>"},
        {"champ": "cuisine"},
        {"echeance": "abc"},
        {"echeance": "1999"},
        {"echeance": "2101"},
        {"echeance": "-2026"},
        {"echeance": "20260"},
        {"echeance": "２０２６"},  # full-width digits
    ],
)
def test_junk_filters_refused(filters):
    with pytest.raises(BadFilter):
        clean_filters(filters)


def test_years_out_of_range_refused():
    assert check_year("2026") == 2026
    assert check_year(2000) == 2000
    for value in ("1999", "2101", "0", "", "20 26", "2026.0"):
        with pytest.raises(BadFilter):
            check_year(value)

"""The pure parts of bench/survey.py (the load run itself is a benchmark, run by hand: no timing here)."""

import importlib.util
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "bench" / "survey.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_survey", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_percentile(bench):
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == pytest.approx(50.5)
    assert bench.percentile(values, 99) == pytest.approx(99.01)
    assert bench.percentile([3.0], 95) == 3.0 and bench.percentile([], 50) == 0.0
    assert bench.percentile([10.0, 0.0], 50) == 5.0  # order of the samples does not matter


def test_schedule_is_the_rate_times_the_minutes_evenly_spaced(bench):
    offsets = bench.schedule(500, 5)
    assert len(offsets) == 2500 and offsets[0] == 0.0
    assert offsets[1] == pytest.approx(0.12) and offsets[-1] == pytest.approx(299.88)
    assert len(bench.schedule(500, 0.5)) == 250


def test_reconcile_finds_lost_doubled_and_stray_markers(bench):
    run = "abc"
    accepted = [bench.marker(i, run) for i in range(4)]
    stored = [accepted[0], accepted[1], accepted[1], accepted[3], bench.marker(9, run)]
    check = bench.reconcile(accepted, stored)
    assert check["lost"] == [accepted[2]]
    assert check["doubled"] == [accepted[1]]
    assert check["stray"] == [bench.marker(9, run)]
    assert (check["accepted"], check["stored"]) == (4, 5)
    clean = bench.reconcile(accepted, list(accepted))
    assert clean["lost"] == clean["doubled"] == clean["stray"] == []


def test_markers_and_addresses_are_unique(bench):
    assert len({bench.marker(i, "r") for i in range(3000)}) == 3000
    addresses = {bench.address(i) for i in range(3000)}
    assert len(addresses) == 3000 and bench.address(258) == "10.0.1.2"


def test_the_form_is_read_for_its_hidden_fields_and_cookie(bench):
    html = (
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="tok">\n'
        '<input type="hidden" name="horodatage" value="stamp:1">'
    )
    assert bench.hidden_fields(html) == {"csrfmiddlewaretoken": "tok", "horodatage": "stamp:1"}
    headers = ["sessionid=x; Path=/", "csrftoken=abc; expires=Thu; Path=/; SameSite=Lax"]
    assert bench.cookie_value(headers, "csrftoken") == "abc"
    assert bench.cookie_value(headers, "missing") == ""

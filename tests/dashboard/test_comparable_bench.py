"""bench/caf.py, the README's command, run in its --fast mode (the Tarn's référentiel, 3 repeats) on a
throwaway data folder; and its pure parts. No timing is asserted: the figures are the bench's to print."""

import importlib.util
from pathlib import Path

import pytest

from tests.benches import run_bench

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "bench" / "caf.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_caf", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_percentile_and_verdict(bench):
    values = [float(v) for v in range(1, 101)]
    assert bench.percentile(values, 50) == pytest.approx(50.5)
    assert bench.percentile(values, 95) == pytest.approx(95.05)
    assert bench.percentile([], 95) == 0.0 and bench.percentile([7.0], 95) == 7.0
    assert bench.verdict(150, 200) == "objectif ≤ 200 ms atteint"
    assert bench.verdict(250, 200) == "objectif ≤ 200 ms NON atteint"


@pytest.mark.shared_data
def test_the_bench_runs_in_its_fast_mode(tmp_path):
    if not bench_data_present():
        pytest.skip("../shared/data absent")
    out = run_bench(PATH, "--fast", tmpdir=tmp_path)  # the bench's throwaway data folder lands there
    # The dashboard's figures, or its absence said (another part of issue 14 builds it).
    assert "build_dashboard (30 CTG)" in out or "tableau de bord : non disponible" in out
    assert "recherche sur 16 EPCI" in out and "ms p95" in out and "objectif ≤ 200 ms" in out
    assert "comparaison des EPCI du Tarn" in out and "HTTP 200" in out
    nearest = next(line for line in out.splitlines() if "plus proches de la CA de l'Albigeois" in line)
    assert "CA de Castres Mazamet" in nearest and "CA Gaillac-Graulhet" in nearest


def bench_data_present() -> bool:
    return (ROOT.parent / "shared" / "data" / "example-81-tarn").is_dir()

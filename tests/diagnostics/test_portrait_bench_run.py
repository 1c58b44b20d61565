"""bench/portrait.py, the README's command, on the France-wide files of ../shared/data with one repeat: the
portrait of the Albigeois, the indicators of every EPCI in one batch, the raw DuckDB scan, the page, the PDF.
Nothing about speed is asserted (the bench prints the figures and whether its targets are met); what is
asserted is that every measurement ran and the scratch folder is removed."""

from pathlib import Path

import pytest

from tests.benches import run_bench

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


@pytest.mark.shared_data
def test_the_portrait_bench_of_the_readme_runs_on_the_shared_files(tmp_path):
    if not SHARED.is_dir():
        pytest.skip(f"Données partagées absentes : {SHARED}")
    assert ".venv/bin/python bench/portrait.py" in (ROOT / "README.md").read_text("utf-8")
    out = run_bench(ROOT / "bench" / "portrait.py", "--repeat", "1", tmpdir=tmp_path, timeout=900)
    assert "page du portrait (serveur)" in out and "(HTTP 200)" in out
    assert "PDF du portrait, 1er / à chaud" in out
    assert "ratio lot complet / un EPCI" in out and "objectifs :" in out
    assert not list(tmp_path.glob("ctg-bench-*")), "the scratch folder is removed"

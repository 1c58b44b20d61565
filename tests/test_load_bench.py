"""bench/load/run.py, the README's load command, in its --fast mode: `make serve` on a throwaway SQLite
folder, a few locust users of each kind, the closed loops. Nothing about speed is asserted (bench/ prints
the figures); what is asserted is that every phase ran, answered without error and was measured on the
server side too."""

import json
from pathlib import Path

from tests.benches import run_bench

ROOT = Path(__file__).resolve().parent.parent


def test_the_load_bench_runs_in_its_fast_mode(tmp_path):
    out = run_bench(ROOT / "bench" / "load" / "run.py", "--fast", tmpdir=tmp_path, timeout=900)
    figures = json.loads(out.strip().splitlines()[-1])
    assert set(figures) == {"mixed", "portrait", "closed"}
    for phase, values in figures.items():
        assert values["requests"] > 0 and values["failures"] == 0, (phase, values)
        assert values["server_p95_ms"] == values["server_p95_ms"], (phase, "no request logged by the server")
    assert not list(tmp_path.glob("ctg-load-*")), "the scratch folder is removed"

"""bench/load/run.py, the README's load command, in its --fast mode: `make serve` on a throwaway SQLite
folder, a few locust users of each kind, the closed loops. Nothing about speed is asserted (bench/ prints
the figures); what is asserted is that every phase ran, answered without error and was measured on the
server side too."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_load_bench_runs_in_its_fast_mode(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST", "CTG_DATA_DIR"))
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["TMPDIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load" / "run.py"), "--fast"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures) == {"mixed", "portrait", "closed"}
    for phase, values in figures.items():
        assert values["requests"] > 0 and values["failures"] == 0, (phase, values)
        assert values["server_p95_ms"] == values["server_p95_ms"], (phase, "no request logged by the server")
    assert not list(tmp_path.glob("ctg-load-*")), "the scratch folder is removed"

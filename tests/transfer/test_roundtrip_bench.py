"""bench/transfer_roundtrip.py, the README's command: three throwaway instances (SQLite, PostgreSQL, SQLite),
the demo's two dossiers exported and imported from one to the next, and the archives compared. Always on a
throwaway PostgreSQL cluster of its own (DATABASE_URL removed), so that it runs the same in both CI suites."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_round_trip_bench_of_the_readme_finds_identical_exports(postgres_readable_tmp):
    assert ".venv/bin/python bench/transfer_roundtrip.py" in (ROOT / "README.md").read_text("utf-8")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST", "CTG_DATA_DIR"))
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["TMPDIR"] = str(postgres_readable_tmp)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "transfer_roundtrip.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "SQLite → PostgreSQL → SQLite : exports identiques" in result.stdout
    files = re.search(r"dossier courant — fichiers : (\d+)", result.stdout)
    assert files and int(files.group(1)) > 0, "the demo's files crossed the three instances too"

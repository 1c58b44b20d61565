"""bench/transfer_roundtrip.py, the README's command: three throwaway instances (SQLite, PostgreSQL, SQLite),
the demo's two dossiers exported and imported from one to the next, and the archives compared. Always on a
throwaway PostgreSQL cluster of its own (DATABASE_URL removed), so that it runs the same in both CI suites."""

import re
from pathlib import Path

from tests.benches import run_bench

ROOT = Path(__file__).resolve().parents[2]


def test_the_round_trip_bench_of_the_readme_finds_identical_exports(postgres_readable_tmp):
    assert ".venv/bin/python bench/transfer_roundtrip.py" in (ROOT / "README.md").read_text("utf-8")
    out = run_bench(ROOT / "bench" / "transfer_roundtrip.py", tmpdir=postgres_readable_tmp, timeout=900)
    assert "SQLite → PostgreSQL → SQLite : exports identiques" in out
    files = re.search(r"dossier courant — fichiers : (\d+)", out)
    assert files and int(files.group(1)) > 0, "the demo's files crossed the three instances too"

"""bench/survey.py, the README's load command, in a short run: a throwaway PostgreSQL cluster (DATABASE_URL
removed, so that it runs the same in both CI suites), gunicorn, 30 answers in 15 s through the real form.
Nothing about speed is asserted (the bench prints the figures); what is asserted is that every accepted answer
is in the database once and nothing else is (the bench exits 1 otherwise)."""

import re
from pathlib import Path

from tests.benches import run_bench

ROOT = Path(__file__).resolve().parents[2]


def test_the_survey_load_bench_of_the_readme_loses_and_doubles_nothing(postgres_readable_tmp):
    assert ".venv/bin/python bench/survey.py" in (ROOT / "README.md").read_text("utf-8")
    out = run_bench(
        ROOT / "bench" / "survey.py",
        *("--rate", "120", "--minutes", "0.25", "--workers", "4", "--think", "0.2"),
        *("--gunicorn-workers", "1"),
        tmpdir=postgres_readable_tmp,
    )
    accepted = int(re.search(r"acceptées \(302 → merci\) : (\d+)", out).group(1))
    assert accepted > 0
    assert f"en base : {accepted} ; perdues : 0 ; doublées : 0 ; en trop : 0" in out
    assert not list(postgres_readable_tmp.glob("ctg-bench-survey-*")), "the scratch folder is removed"

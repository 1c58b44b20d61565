"""bench/survey.py, the README's load command, in a short run: a throwaway PostgreSQL cluster (DATABASE_URL
removed, so that it runs the same in both CI suites), gunicorn, 30 answers in 15 s through the real form.
Nothing about speed is asserted (the bench prints the figures); what is asserted is that every accepted answer
is in the database once and nothing else is (the bench exits 1 otherwise)."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_survey_load_bench_of_the_readme_loses_and_doubles_nothing(postgres_readable_tmp):
    assert ".venv/bin/python bench/survey.py" in (ROOT / "README.md").read_text("utf-8")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST", "CTG_DATA_DIR"))
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["TMPDIR"] = str(postgres_readable_tmp)
    command = [sys.executable, str(ROOT / "bench" / "survey.py"), "--rate", "120", "--minutes", "0.25"]
    command += ["--workers", "4", "--think", "0.2", "--gunicorn-workers", "1"]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    accepted = int(re.search(r"acceptées \(302 → merci\) : (\d+)", result.stdout).group(1))
    assert accepted > 0
    assert f"en base : {accepted} ; perdues : 0 ; doublées : 0 ; en trop : 0" in result.stdout
    assert not list(postgres_readable_tmp.glob("ctg-bench-survey-*")), "the scratch folder is removed"

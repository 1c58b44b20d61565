"""Running a bench script of bench/ as the README shows it, from a test (the bench prints figures; the test
asserts what ran)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_bench(script: Path, *arguments: str, tmpdir: Path, timeout: int = 600, **env: str) -> str:
    """Runs `script` with `arguments` in a process of its own, from the project's folder, with the suite's
    environment less what points at the suite's own database and data (DATABASE_URL, CTG_DATA_DIR, the pytest
    and Django settings) plus `env`; its throwaway folders land in `tmpdir` (TMPDIR). Asserts that it exits
    with 0 and returns what it printed."""
    skipped = ("DATABASE_URL", "PYTEST", "CTG_DATA_DIR", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(skipped)}
    environment.update(env, TMPDIR=str(tmpdir))
    result = subprocess.run(
        [sys.executable, str(script), *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout

"""bench/documents.py, the README's command, on the smallest dossier (12 fiches, one process per
document): nothing about speed is asserted (the bench prints the figures); what is asserted is that it builds
the dossier, measures each document in its own process, prints a row per document with its figures and the
machine's reference, and removes its throwaway database."""

import re
from pathlib import Path

from tests.benches import run_bench

ROOT = Path(__file__).resolve().parents[2]


def test_the_documents_bench_of_the_readme_runs(tmp_path):
    assert "bench/documents.py [--sizes 12,100,500] [--repeat 3]" in (ROOT / "README.md").read_text("utf-8")
    out = run_bench(
        ROOT / "bench" / "documents.py",
        *("--sizes", "12", "--repeat", "1", "--docs", "convention-pdf,bilan-docx"),
        tmpdir=tmp_path,
        DJANGO_SETTINGS_MODULE="ctg.settings",
    )
    assert "dossier de 12 fiches construit" in out
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^(convention-pdf|bilan-docx)\s+12\s.*$", out, re.M)}
    assert set(rows) == {"convention-pdf", "bilan-docx"}
    for row in rows.values():
        figures = re.findall(r"(\d+\.\d+)s", row)
        assert len(figures) == 5 and all(float(f) > 0 for f in figures), row  # data, render, total, CPU, réf.
        assert re.search(r"\d+ Mo\s+\d+ Ko", row), row
    assert "cible mémoire ≤ 300 Mo" in out and "réf. = une boucle Python fixe" in out
    assert not list(tmp_path.glob("ctg-bench-documents-*")), "the throwaway database is removed"

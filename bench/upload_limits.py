"""Benchmark of the limits on uploaded plan files (ctg/datafiles.py): how fast, and in how much memory,
hostile files are refused, and what reading a valid workbook costs.

Measures, for each file, the whole path up to the database (`exchange.read_workbook` for a workbook,
`datafiles.load_json` for JSON; both the web form and `ctg plan_import` go through them): median time of
--repeat runs and the peak of Python allocations (tracemalloc). Files:
  - the audit's zip bomb: a valid plan workbook, about 1 Mo, whose sheet XML or shared strings hold one text
    of 1 Gio (before the limits: 50 s and 8 Go before being refused);
  - a bomb that lies about its size (64 Mio of text declared as 4 Kio), a 20 Mio text compressed ~1000 times;
  - JSON nested 10,000 levels and 5,000,000 levels (10 Mo), JSON with one text of 2 million characters;
  - valid plan workbooks, empty and with --rows rows of « Valeurs », for comparison.
With --compare, also openpyxl loading a bomb of --compare-mib Mio with no limit (what the import used to do).
Target: every refusal under 0.1 s and 20 Mo (the unit test asserts 1 s and 200 Mo).

Usage: .venv/bin/python bench/upload_limits.py [--repeat N] [--compare] [--compare-mib 64]
"""

import argparse
import io
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctg.settings")


def measure(function, repeat: int):
    """(median seconds of `repeat` runs, peak bytes of Python allocations in one more run, outcome) of
    `function()`; tracemalloc slows allocations down, so the timed runs go without it."""

    def run():
        try:
            function()
            return "accepté"
        except Exception as error:  # the refusal is the expected outcome
            messages = getattr(error, "messages", [str(error)])
            return f"refusé : {messages[0][:110]}"

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        outcome = run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak, outcome


def large_workbook(rows: int) -> bytes:
    """A plan workbook whose « Valeurs » sheet has `rows` rows (the largest sheet of a real plan)."""
    from openpyxl import Workbook

    from ctg.exchange.layout import SHEETS

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.append([header for header, _, _ in columns])
        if name == "Valeurs":
            for index in range(rows):
                sheet.append(
                    [f"1.1.{index // 40 + 1}", "1", 2025 + index % 4, "cible", index, "saisie", "Caf"]
                )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare", action="store_true", help="openpyxl without limits, on a smaller bomb")
    parser.add_argument("--compare-mib", type=int, default=64)
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the large valid workbook")
    args = parser.parse_args()

    import django

    django.setup()
    from ctg import datafiles
    from ctg.exchange.parse import read_workbook
    from tests.security import plan_files

    start = time.perf_counter()
    bombs = {part: plan_files.audit_bomb(part) for part in ("sheet", "sharedStrings")}
    built = time.perf_counter() - start
    valid = plan_files.plan_workbook()
    lying = plan_files.huge_string_xlsx(valid, size=64 << 20, part="sharedStrings", declared=4096)
    ratio = plan_files.huge_string_xlsx(valid, size=20 << 20, part="sheet")
    large = large_workbook(args.rows)
    deep = b'{"format": "ctg-plan", "enjeux": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    deepest = b"[" * 5_000_000 + b"]" * 5_000_000
    long_text = b'{"format": "ctg-plan", "version": 1, "notes": "' + b"A" * 2_000_000 + b'"}'

    cases = [
        ("bombe 1 Gio (feuille)", bombs["sheet"], lambda d: read_workbook(d, "bombe.xlsx")),
        (
            "bombe 1 Gio (sharedStrings)",
            bombs["sharedStrings"],
            lambda d: read_workbook(d, "b.xlsx"),
        ),
        ("bombe à taille mentie (64 Mio)", lying, lambda d: read_workbook(d, "b.xlsx")),
        ("texte de 20 Mio (ratio)", ratio, lambda d: read_workbook(d, "b.xlsx")),
        ("JSON imbriqué 10 000 niveaux", deep, lambda d: datafiles.load_json(d, "plan.json")),
        ("JSON imbriqué 5 000 000 niveaux", deepest, lambda d: datafiles.load_json(d, "plan.json")),
        ("JSON, un texte de 2 M car.", long_text, lambda d: datafiles.load_json(d, "plan.json")),
        ("classeur valide (vide)", valid, lambda d: read_workbook(d, "plan.xlsx")),
        (f"classeur valide, {args.rows} valeurs", large, lambda d: read_workbook(d, "plan.xlsx")),
    ]
    print(f"Bombes construites en {built:.2f} s ({len(bombs['sheet']) / 1e6:.2f} Mo sur disque chacune).")
    print(f"{'fichier':34} {'taille':>10} {'temps (méd.)':>13} {'pic Python':>11}  résultat")
    for label, data, function in cases:
        seconds, peak, outcome = measure(lambda: function(data), args.repeat)  # noqa: B023
        print(
            f"{label:34} {len(data) / 1e6:8.2f} Mo {seconds * 1000:10.2f} ms {peak / 1e6:8.2f} Mo  {outcome}"
        )

    if args.compare:
        from openpyxl import load_workbook

        size = args.compare_mib << 20
        bomb = plan_files.huge_string_xlsx(valid, size=size, part="sharedStrings")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        def unprotected():
            workbook = load_workbook(io.BytesIO(bomb), read_only=True)
            workbook.close()

        seconds, peak, _ = measure(unprotected, 1)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"Sans limites, openpyxl sur une bombe de {args.compare_mib} Mio ({len(bomb) / 1e6:.2f} Mo) : "
            f"{seconds:.2f} s, pic Python {peak / 1e6:.0f} Mo, RSS max +{(after - before) / 1024:.0f} Mo "
            f"(linéaire : × {1024 // args.compare_mib} pour 1 Gio)."
        )
    print(f"RSS max du processus : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} Mo.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

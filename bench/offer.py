"""Benchmark of the BPE import into the inventory of the offer of services, at national size.

Writes, in a scratch CTG_DATA_DIR, a synthetic BPE file in the « ensemble » geolocated layout (REG, DEP,
DEPCOM, DCIRIS, AN, TYPEQU, LAMBERT_X, LAMBERT_Y, QUALITE_XY; ``;``, LF) of --rows rows (default 2.85 million,
the size of the national BPE), on the real communes of the COG 2026 when ../shared/data holds them, with the
mapped types (D502, C107) at about their national share; then measures, in one run:
  - the streamed read and check of the whole file (`ctg.offer.bpe.read_files`): seconds, rows/s;
  - the preview (`ctg.offer.importers.preview`: read, place on communes, plan per département);
  - the import of the mapped rows (`import_offer`, SQLite of the scratch directory), then a second import of
    the same file (idempotent: nothing created);
  - the peak RSS of the process (resource.getrusage) after each step.
Targets: read/preview ≤ 60 s and peak RSS ≤ 1 GB. Figures and ratios are printed, nothing is asserted.

Usage: .venv/bin/python bench/offer.py [--rows 2850000] [--no-import]
"""

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COG = ROOT.parent / "shared" / "data" / "cog-decoupage-administratif"
HEADER = "REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;LAMBERT_X;LAMBERT_Y;QUALITE_XY"
# National shares, roughly: EAJE (D502) about 0.6 %, écoles maternelles (C107) about 0.5 % of the equipment.
MAPPED = {"D502": 0.006, "C107": 0.005}
TARGET_SECONDS, TARGET_BYTES = 60.0, 1 << 30


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def communes() -> list[tuple[str, str, str]]:
    """(region, département, commune) of the metropolitan communes in force (Lambert 93 covers them)."""
    path = COG / "communes.json"
    if path.is_file():
        rows = json.loads(path.read_text(encoding="utf-8"))
        found = [
            (row["region"], row["departement"], row["code"])
            for row in rows
            if row["type"] == "commune-actuelle" and row.get("zone") == "metro"
        ]
        if found:
            return found
    return [("76", "81", f"81{n:03d}") for n in range(1, 325)]


def write_file(path: Path, rows: int, seed: int = 12) -> dict:
    rng = random.Random(seed)
    places = communes()
    other_types = [f"{letter}{n:03d}" for letter in "ABCDEFG" for n in range(101, 130)]
    other_types = [code for code in other_types if code not in MAPPED]
    expected = dict.fromkeys(MAPPED, 0)
    thresholds = []
    total = 0.0
    for code, share in MAPPED.items():
        total += share
        thresholds.append((total, code))
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(HEADER + "\n")
        buffer = []
        for _ in range(rows):
            region, departement, code = places[rng.randrange(len(places))]
            draw = rng.random()
            kind = next((c for limit, c in thresholds if draw < limit), None)
            if kind is None:
                kind = other_types[rng.randrange(len(other_types))]
            else:
                expected[kind] += 1
            x = f"{rng.uniform(150_000, 1_200_000):.1f}"
            y = f"{rng.uniform(6_100_000, 7_100_000):.1f}"
            buffer.append(f"{region};{departement};{code};{code}0000;2024;{kind};{x};{y};Bonne\n")
            if len(buffer) >= 10_000:
                handle.write("".join(buffer))
                buffer.clear()
        handle.write("".join(buffer))
    return expected


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=2_850_000)
    parser.add_argument("--no-import", action="store_true", help="skip the referential and the import")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="ctg-bench-offer-"))
    try:
        os.environ["CTG_DATA_DIR"] = str(scratch)
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctg.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        from ctg.offer import bpe
        from ctg.offer.importers import import_offer, preview

        path = scratch / "BPE24.csv"
        started = time.perf_counter()
        expected = write_file(path, args.rows)
        size = path.stat().st_size
        print(
            f"Fichier synthétique : {args.rows:,} lignes, {size / 1e6:.0f} Mo, écrit en "
            f"{time.perf_counter() - started:.1f} s ; types retenus attendus : {expected}"
        )
        print(f"RSS de pointe au départ : {peak_rss() / 1e6:.0f} Mo")

        started = time.perf_counter()
        reader = bpe.read_files([path])
        read_seconds = time.perf_counter() - started
        kept = len(reader.rows)
        print(
            f"Lecture en flux + contrôle : {read_seconds:.1f} s, "
            f"{reader.rows_read / read_seconds:,.0f} lignes/s, {kept:,} lignes retenues "
            f"({kept / reader.rows_read:.2%}), RSS de pointe {peak_rss() / 1e6:.0f} Mo"
        )
        if reader.rows_read != args.rows or kept != sum(expected.values()):
            print(f"ATTENTION : {reader.rows_read:,} lignes lues, {kept:,} retenues : comptes inattendus")
        del reader

        figures = {"lecture": read_seconds}
        if not args.no_import:
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            from ctg.territories.importer import import_territories

            import_territories(COG, progress=False)
            print(f"Référentiel COG chargé en {time.perf_counter() - started:.1f} s")

            started = time.perf_counter()
            plan = preview([path])
            figures["aperçu"] = time.perf_counter() - started
            print(
                f"Aperçu (lecture, communes, plan par département) : {figures['aperçu']:.1f} s, "
                f"{len(plan.create):,} à créer dans {len(plan.by_departement)} départements, "
                f"RSS de pointe {peak_rss() / 1e6:.0f} Mo"
            )
            del plan
            started = time.perf_counter()
            record, _plan = import_offer([path], imported_as="bench")
            figures["import"] = time.perf_counter() - started
            print(
                f"Import : {figures['import']:.1f} s, {record.created:,} structures créées, "
                f"RSS de pointe {peak_rss() / 1e6:.0f} Mo"
            )
            started = time.perf_counter()
            record, _plan = import_offer([path], imported_as="bench")
            figures["réimport"] = time.perf_counter() - started
            print(
                f"Réimport du même fichier : {figures['réimport']:.1f} s, créées {record.created}, "
                f"mises à jour {record.updated}, inchangées {record.unchanged:,}"
            )
        worst = max(figures.values())
        rss = peak_rss()
        print(
            f"Cibles : ≤ {TARGET_SECONDS:.0f} s par étape (pire {worst:.1f} s, "
            f"ratio {worst / TARGET_SECONDS:.2f}) ; RSS ≤ {TARGET_BYTES / 2**30:.0f} Gio "
            f"(pointe {rss / 2**30:.2f} Gio, ratio {rss / TARGET_BYTES:.2f})"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

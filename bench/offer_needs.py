"""Benchmark of needs versus offer and of the white zones (issue 12, item 4) on the real Tarn data.

Loads, into a scratch CTG_DATA_DIR and database, the real COG of ../shared/data, the Tarn census, FiLoSoFi and
Insee-Cnaf extracts (example-81-tarn) and the real ANCT France Services list, with the Tarn commune contours
(example-81-tarn/*.geojson), then prints:
  - needs versus offer of one EPCI (default: the one of Albi), cold and warm (median of repeated runs);
  - the white zones of every commune of the Tarn, for every type found, cold (contours read) and warm.
Targets on a 2-core machine: needs versus offer of an EPCI ≤ 100 ms warm, white zones of a département ≤ 1 s.
Figures are printed, nothing is asserted.

Usage: .venv/bin/python bench/offer_needs.py [--epci SIREN] [--distance KM] [--repeat N]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TARN = SHARED / "example-81-tarn"


def timed(function, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epci", default="", help="SIREN de l'EPCI (par défaut celui d'Albi)")
    parser.add_argument("--distance", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    if not TARN.exists():
        print(f"Données introuvables : {SHARED}", file=sys.stderr)
        return 2

    scratch = tempfile.mkdtemp(prefix="ctg-bench-needs-")
    os.environ["CTG_DATA_DIR"] = scratch
    os.environ["CTG_CONTOURS_DIR"] = str(TARN)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctg.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from ctg.diagnostics.importers import import_dataset
    from ctg.diagnostics.portrait import resolve_territory
    from ctg.offer import needs
    from ctg.offer.importers import import_offer
    from ctg.territories.importer import import_territories
    from ctg.territories.models import Commune

    settings.CTG_CONTOURS_DIR = str(TARN)
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    import_territories(source=SHARED / "cog-decoupage-administratif", progress=False)
    for name in ("dossier_complet_light_81.csv", "cc_filosofi_2021_COM_81.csv", "inseecaf2021_81.csv"):
        import_dataset(TARN / name)
    import_offer([SHARED / "anct-france-services" / "liste-fs.csv"])
    print(f"chargement (COG, Tarn, France Services)   {time.perf_counter() - start:8.2f} s")

    siren = args.epci or Commune.objects.get(code="81004").epci_id
    epci = resolve_territory(siren)
    cold, rows = timed(lambda: needs.needs_versus_offer(epci), 1)
    warm, rows = timed(lambda: needs.needs_versus_offer(epci), args.repeat)
    print(f"besoins et offre, {epci.name} ({len(epci.communes)} communes)")
    print(f"  à froid                                  {cold * 1000:8.1f} ms")
    print(f"  à chaud (médiane de {args.repeat})                   {warm * 1000:8.1f} ms   (cible ≤ 100 ms)")
    for row in rows:
        offer = row.offer[0]
        rate = f" ; {row.rate.label} : {row.rate.text} [{row.rate.status}]" if row.rate else ""
        print(f"    {row.label} : {offer.text} structures{rate}")

    dep = resolve_territory("81")
    cold, (zones, source) = timed(lambda: needs.white_zones(dep, args.distance), 1)
    warm, (zones, source) = timed(lambda: needs.white_zones(dep, args.distance), args.repeat)
    print(f"zones blanches à {args.distance:g} km, {dep.name} ({len(dep.communes)} communes) — {source}")
    print(f"  à froid (contours lus)                   {cold * 1000:8.1f} ms")
    print(f"  à chaud (médiane de {args.repeat})                   {warm * 1000:8.1f} ms   (cible ≤ 1 s)")
    for zone in zones:
        print(f"    {zone.label} : {len(zone.communes)} communes sans structure, {zone.covered} desservies")
    return 0


if __name__ == "__main__":
    sys.exit(main())

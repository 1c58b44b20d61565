"""Benchmark of the portrait's cache (issue 15, item 4): the public portrait page of a real EPCI, computed on
every request (no cache, as before) against read from the cache (ctg.diagnostics.cache).

Loads the France-wide COG, FiLoSoFi and Insee-Cnaf files of ../shared/data (and the Tarn census extract)
into a scratch CTG_DATA_DIR, like bench/portrait.py, then measures through the test client (the whole
request), median of --repeat runs:

  - the page without a portrait cache (every request builds and renders the portrait): « avant »;
  - the page with a file-based cache shared by workers (as a server would configure it): the first read
    (computed and stored), then warm reads: « après »;
  - the same for the commune CSV and the PDF (first read, then warm);
  - an import changes the store's version: the next read is computed again (and says the new figures).
Prints the server times and the ratio cold / warm.

Usage: .venv/bin/python bench/portrait_cache.py [--epci SIREN] [--repeat N]

Figures on the 2-core machine shared with other runs (2026-12-06, CA de l'Albigeois; loaded, ± 2× from run
to run; the issue measured 220-500 ms for the page under 50 concurrent users):

                                                  without cache   first read   from the cache
  public portrait page (118 KiB)                  140 ms          166 ms       24 ms  (ratio 5.9)
  commune CSV                                      94 ms           89 ms       15 ms  (ratio 6.2)
  PDF                                            3900 ms         3017 ms       15 ms  (ratio 253)
  the store's version (read on every request)                                  0.8 ms
  after a new import: first read 611 ms (the engine's tables reloaded), then 28 ms from the cache
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def timed(function, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--epci", default="248100737", help="SIREN de l'EPCI mesuré (défaut : CA de l'Albigeois)"
    )
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if not SHARED.exists():
        print(f"Données introuvables : {SHARED}", file=sys.stderr)
        return 2

    scratch = tempfile.mkdtemp(prefix="ctg-bench-portrait-cache-")
    os.environ["CTG_DATA_DIR"] = scratch
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctg.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment
    from django.urls import reverse

    from ctg.diagnostics.importers import import_dataset
    from ctg.territories.importer import import_territories

    setup_test_environment()
    warnings.filterwarnings("ignore", module="dsfr")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    import_territories(source=SHARED / "cog-decoupage-administratif")
    print(f"référentiel (France)                     {time.perf_counter() - start:8.2f} s")
    for path in (
        SHARED / "insee-filosofi-2021" / "cc_filosofi_2021_COM.csv",
        SHARED / "insee-caf-iris-2021" / "inseecaf2021.csv",
        SHARED / "example-81-tarn" / "dossier_complet_light_81.csv",
    ):
        start = time.perf_counter()
        import_dataset(path)
        print(f"import {path.name:<34}{time.perf_counter() - start:8.2f} s")

    client = Client()
    page_url = reverse("diagnostics:territory", args=[args.epci])
    csv_url = reverse("diagnostics:communes_csv", args=[args.epci])
    pdf_url = reverse("diagnostics:pdf", args=[args.epci])

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    rows = []
    # Before: no portrait cache (what every request cost).
    get(page_url)  # the engine's commune table and dataset tables, loaded once per process
    cold_page, response = timed(lambda: get(page_url), args.repeat)
    size = len(response.content)
    cold_csv, _ = timed(lambda: get(csv_url), args.repeat)
    cold_pdf, _ = timed(lambda: get(pdf_url), 3)
    rows.append(("page du portrait, sans cache (avant)", cold_page, f"{size // 1024} Kio"))
    rows.append(("CSV des communes, sans cache", cold_csv, ""))
    rows.append(("PDF du portrait, sans cache", cold_pdf, ""))

    caches = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "portrait": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(Path(scratch) / "cache" / "portrait"),
            "TIMEOUT": 7 * 24 * 3600,
        },
    }
    with override_settings(CACHES=caches, CTG_PORTRAIT_CACHE="portrait"):
        start = time.perf_counter()
        first = get(page_url)
        first_page = time.perf_counter() - start
        assert first.content.decode().count("ctg-key-card") > 0
        warm_page, _ = timed(lambda: get(page_url), args.repeat)
        start = time.perf_counter()
        get(csv_url)
        first_csv = time.perf_counter() - start
        warm_csv, _ = timed(lambda: get(csv_url), args.repeat)
        start = time.perf_counter()
        get(pdf_url)
        first_pdf = time.perf_counter() - start
        warm_pdf, _ = timed(lambda: get(pdf_url), args.repeat)
        rows.append(("page, 1re lecture (calcul + mise en cache)", first_page, ""))
        rows.append(("page, lue du cache (après)", warm_page, ""))
        rows.append(("CSV, 1re lecture / du cache", first_csv, f"{warm_csv * 1000:.1f} ms"))
        rows.append(("PDF, 1re lecture / du cache", first_pdf, f"{warm_pdf * 1000:.1f} ms"))
        # An import changes the version: the next read is computed again, then served warm.
        start = time.perf_counter()
        import_dataset(SHARED / "insee-caf-iris-2021" / "inseecaf2021.csv")  # same figures, new version
        imported = time.perf_counter() - start
        start = time.perf_counter()
        after_import = get(page_url)
        recomputed = time.perf_counter() - start
        assert after_import.status_code == 200
        warm_again, _ = timed(lambda: get(page_url), args.repeat)
        rows.append((f"nouvel import Insee-Cnaf ({imported:.1f} s), 1re lecture", recomputed, ""))
        rows.append(("page, de nouveau lue du cache", warm_again, ""))

        from ctg.diagnostics.cache import store_version

        version, _ = timed(store_version, args.repeat)
        rows.append(("dont version du magasin (store_version)", version, ""))

    for label, seconds, note in rows:
        print(f"{label:<52}{seconds * 1000:9.1f} ms  {note}")
    print(
        f"ratio page sans cache / lue du cache : {cold_page / warm_page:.1f} ; "
        f"CSV : {cold_csv / warm_csv:.1f} ; PDF : {cold_pdf / warm_pdf:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

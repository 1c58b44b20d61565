"""Benchmark of the dossier's history page (issue 15, item 4) with many lines.

Sets up a throwaway CTG_DATA_DIR with its own SQLite database (migrate), a dossier with N history lines
(5,000 by default: varied kinds, three authors, some with changes), then measures through the test client
(the whole request, middleware included), median of --repeat runs:

  - before: every line on one page, as the page was before pagination (the same template loop: the page's
    size per page is set past N);
  - after: the first page (50 lines), page 50, a filtered page (kind and dates), and the CSV export of all
    the lines;
and prints the server time, the HTML size and the number of queries of each, and the ratios.

Usage: .venv/bin/python bench/history.py [--lines N] [--repeat N]

Figures on the 2-core machine shared with other runs (2026-12-06, 5,000 lines, loaded: the issue measured
1.3 s and 1.1 MB before on a quieter machine):

                                        server      HTML        queries
  before: every line (5,000)            4,814 ms    1,259 KiB   9
  after: page 1 (50 lines)                131 ms       27 KiB   9
  after: page 50                          200 ms       28 KiB   9
  after: filtered (fiche, two weeks)      152 ms       27 KiB   9
  after: CSV of every line (5,000)      1,207 ms      762 KiB   6
  ratio before / after: time 36.8, size 46.4
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="ctg-bench-history-")
    os.environ["CTG_DATA_DIR"] = scratch
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctg.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from ctg.conventions import history_page
    from ctg.conventions.models import Ctg, Field, Membership
    from ctg.core.models import Action, HistoryEntry
    from ctg.organisations.models import Organisation, User
    from ctg.organisations.permissions import Role
    from ctg.territories.models import Commune, Departement, Epci, Region

    setup_test_environment()
    warnings.filterwarnings("ignore", module="dsfr")
    call_command("migrate", verbosity=0)
    print(f"Base SQLite jetable : {scratch}")

    region = Region.objects.create(code="76", name="Occitanie")
    departement = Departement.objects.create(code="81", name="Tarn", region=region)
    epci = Epci.objects.create(siren="248100000", name="CC du Banc d'essai", nature=Epci.Nature.CC)
    commune = Commune.objects.create(
        code="81001", name="Commune 1", departement=departement, region=region, epci=epci, population=1000
    )
    caf = Organisation.objects.create(name="CAF du Tarn", kind=Organisation.Kind.CAF, departement=departement)
    people = [
        User.objects.create_user(email=f"personne{i}@banc.fr", password="x" * 20, first_name=f"Personne {i}")
        for i in range(3)
    ]
    ctg = Ctg.objects.create(
        title="CTG historique",
        caf=caf,
        epci=epci,
        territory_key=f"epci:{epci.siren}",
        start_year=2025,
        end_year=2028,
        fields=[Field.PETITE_ENFANCE],
    )
    ctg.communes.set([commune])
    for person in people:
        Membership.objects.create(ctg=ctg, user=person, role=Role.COORDINATION)

    kinds = [Action.MILESTONE, Action.FICHE, Action.BUDGET, Action.ENJEU, Action.MEMBER]
    start = time.perf_counter()
    entries = HistoryEntry.objects.bulk_create(
        HistoryEntry(
            ctg=ctg,
            actor=people[n % 3],
            action=kinds[n % len(kinds)],
            summary=f"Modification n° {n} : fiche « Accueil des 11-14 ans » mise à jour",
            changes={"title": [f"Titre {n}", f"Titre {n + 1}"], "status": ["brouillon", "validée"]}
            if n % 2
            else {},
            item_type="fiche",
            item_id=n % 40,
        )
        for n in range(args.lines)
    )
    base = timezone.make_aware(datetime.datetime(2025, 1, 1, 9, 0))
    for n, entry in enumerate(entries):
        entry.at = base + datetime.timedelta(hours=n)
    HistoryEntry.objects.bulk_update(entries, ["at"], batch_size=500)
    print(f"{args.lines} lignes d'historique créées en {time.perf_counter() - start:.1f} s")

    client = Client()
    client.force_login(people[0])
    url = reverse("conventions:history", args=[ctg.pk])

    def measure(label, target):
        response = client.get(target)  # warm
        assert response.status_code == 200, (label, response.status_code)
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(target)
        seconds, response = timed(lambda: client.get(target), args.repeat)
        size = len(response.content)
        print(f"{label:<44}{seconds * 1000:9.1f} ms  {size / 1024:9.1f} Kio  {len(queries):3d} requêtes")
        return seconds, size

    print(f"{'':<44}{'serveur':>12}  {'HTML':>13}")
    per_page = history_page.PER_PAGE
    history_page.PER_PAGE = args.lines + 1  # every line on one page: the page before pagination
    before = measure(f"avant : toutes les lignes ({args.lines})", url)
    history_page.PER_PAGE = per_page
    after = measure("après : page 1 (50 lignes)", url)
    measure("après : page 50", f"{url}?page=50")
    middle = (base + datetime.timedelta(hours=args.lines // 2)).date()
    measure(
        "après : filtrée (fiche, 2 semaines)",
        f"{url}?action=fiche&du={middle:%Y-%m-%d}&au={middle + datetime.timedelta(days=14):%Y-%m-%d}",
    )
    measure(f"après : CSV de toutes les lignes ({args.lines})", f"{url}?export=csv")
    print(
        f"ratio avant / après : temps {before[0] / after[0]:.1f}, taille {before[1] / after[1]:.1f} "
        f"(objectif : page 1 sous 300 ms et 100 Kio)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

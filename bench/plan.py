"""Benchmark of the plan d'action on large plans (100 to 2,000 fiches action).

Sets up a throwaway CTG_DATA_DIR with its own SQLite database (migrate), then measures, in one run:
  - building plans of --sizes fiches one by one through `services.fiche_create` (36 operational objectives,
    one fiche in five serving two of them): total time, queries per fiche, and the queries of the last
    fiche created against the first (they should not grow with the plan);
  - every plan then gets 2 steps, 4 budget lines, 1 indicator and 4 values per fiche (straight to the tables);
  - exporting the --import-size plan as a workbook and
    importing it into an empty dossier through `ctg.exchange.imports.import_file`: queries, queries per fiche,
    time;
  - the fiche page (`plans:fiche_detail`) of a fiche in the middle of the plan, at every size of --pages:
    median server time of --repeat requests, queries;
  - the plan tree (`plans:tree`) at the same sizes.
Targets on a 2-core machine: import queries constant (not per fiche), 2,000 fiches built in < 30 s, fiche
page < 200 ms at 2,000 fiches.

Usage: DJANGO_SETTINGS_MODULE=ctg.settings .venv/bin/python bench/plan.py [--sizes 100,500,2000]
       [--import-size 500] [--pages 500,2000] [--repeat 15]
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

ENJEUX, STRATEGIC, OPERATIONAL = 4, 3, 3  # 4 × 3 × 3 = 36 operational objectives


class QueryCounter:
    """Counts the queries run on the default connection while active (no DEBUG needed)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def setup_world():
    from ctg.conventions.models import Ctg, Field, Membership
    from ctg.organisations.models import Organisation, User
    from ctg.organisations.permissions import Role
    from ctg.territories.models import Commune, Departement, Epci, Region

    region = Region.objects.create(code="76", name="Occitanie")
    departement = Departement.objects.create(code="81", name="Tarn", region=region)
    epci = Epci.objects.create(siren="248100000", name="CC du Banc d'essai", nature=Epci.Nature.CC)
    communes = [
        Commune.objects.create(
            code=f"81{index:03d}",
            name=f"Commune {index}",
            departement=departement,
            region=region,
            epci=epci,
            population=1000 + index,
            search_name=f"commune {index}",
        )
        for index in range(1, 11)
    ]
    caf = Organisation.objects.create(name="CAF du Tarn", kind=Organisation.Kind.CAF, departement=departement)
    user = User.objects.create_user(email="coordination@banc.fr", password="x" * 20, first_name="Camille")
    partners = [
        Organisation.objects.create(name=f"Association {index}", kind=Organisation.Kind.ASSOCIATION)
        for index in range(8)
    ]

    def new_ctg(title):
        ctg = Ctg.objects.create(
            title=title,
            caf=caf,
            epci=epci,
            territory_key=f"epci:{epci.siren}:{title}",
            start_year=2025,
            end_year=2028,
            fields=[Field.PETITE_ENFANCE, Field.JEUNESSE],
        )
        ctg.communes.set(communes)
        Membership.objects.create(ctg=ctg, user=user, role=Role.COORDINATION)
        return ctg

    return new_ctg, user, communes, partners


def build_objectives(ctg, user):
    from ctg.plans import services

    operationals = []
    for e in range(ENJEUX):
        enjeu = services.enjeu_create(ctg=ctg, actor=user, title=f"Enjeu {e + 1}")
        for s in range(STRATEGIC):
            strategic = services.strategic_objective_create(
                enjeu=enjeu, actor=user, title=f"Objectif {e + 1}.{s + 1}"
            )
            for o in range(OPERATIONAL):
                operationals.append(
                    services.operational_objective_create(
                        strategic=strategic,
                        actor=user,
                        title=f"Objectif opérationnel {e + 1}.{s + 1}.{o + 1}",
                    )
                )
    return operationals


def build_fiches(ctg, user, operationals, communes, partners, size):
    """`size` fiches through the service; returns (seconds, queries, queries of the first and the last)."""
    from ctg.plans import services

    total = 0
    per_fiche = []
    start = time.perf_counter()
    for index in range(size):
        objectives = [operationals[index % len(operationals)]]
        if index % 5 == 0:
            objectives.append(operationals[(index * 7 + 3) % len(operationals)])
        with QueryCounter() as counter:
            services.fiche_create(
                ctg=ctg,
                actor=user,
                title=f"Fiche {index + 1}",
                objectives=objectives,
                all_communes=index % 3 != 0,
                communes=[] if index % 3 else communes[index % 4 : index % 4 + 2],
                partners=partners[index % 3 : index % 3 + 2],
                pilot_organisation=partners[index % len(partners)],
                description="Description de la fiche " * 5,
            )
        total += counter.count
        per_fiche.append(counter.count)
    return time.perf_counter() - start, total, per_fiche[0], per_fiche[-1]


def add_content(ctg, user):
    """Steps, budget lines, one indicator and its values on every fiche (straight to the tables: setup)."""
    from ctg.plans.models import BudgetLine, FicheAction, FicheStep, IndicatorValue, PlanIndicator

    fiches = list(FicheAction.objects.filter(ctg=ctg))
    tracked = {"created_by": user, "updated_by": user}
    FicheStep.objects.bulk_create(
        [
            FicheStep(fiche=f, year=y, description=f"Étape {y}", **tracked)
            for f in fiches
            for y in (2025, 2026)
        ]
    )
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(fiche=f, year=y, funder=funder, planned=1000, spent=250, **tracked)
            for f in fiches
            for y in (2025, 2026)
            for funder in ("caf", "epci")
        ]
    )
    indicators = PlanIndicator.objects.bulk_create(
        [
            PlanIndicator(fiche=f, label=f"Familles accompagnées ({f.pk})", unit="familles", **tracked)
            for f in fiches
        ]
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(indicator=i, year=y, kind=kind, value=10 + y - 2025, **tracked)
            for i in indicators
            for y in (2025, 2026)
            for kind in ("target", "realised")
        ]
    )


def page(client, url, repeat):
    """(median ms, queries, status) of GET url."""
    client.get(url)  # warm (templates, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
    with QueryCounter() as counter:
        response = client.get(url)
    return statistics.median(times) * 1000, counter.count, response.status_code


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,500,2000", help="fiches per plan built through the services")
    parser.add_argument("--import-size", type=int, default=500, help="fiches of the imported workbook")
    parser.add_argument("--pages", default="500,2000", help="plan sizes whose pages are measured")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    pages = [int(s) for s in args.pages.split(",")]
    needed = sorted(set(sizes) | set(pages) | {args.import_size})

    scratch = tempfile.mkdtemp(prefix="ctg-bench-plan-")
    os.environ["CTG_DATA_DIR"] = scratch
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctg.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from ctg.exchange import export, imports
    from ctg.plans.models import FicheAction

    setup_test_environment()
    warnings.filterwarnings("ignore", module="dsfr")
    call_command("migrate", verbosity=0)
    print(f"Base SQLite jetable : {scratch}")
    new_ctg, user, communes, partners = setup_world()
    client = Client()
    client.force_login(user)

    rows = []  # (mesure, taille, valeur, unité)
    plans = {}
    build_times = {}  # size → seconds per fiche
    for size in needed:
        ctg = new_ctg(f"CTG {size} fiches")
        operationals = build_objectives(ctg, user)
        seconds, queries, first, last = build_fiches(ctg, user, operationals, communes, partners, size)
        plans[size] = ctg
        build_times[size] = seconds / size
        add_content(ctg, user)  # same content on every plan, so that their pages compare
        if size in sizes:
            print(
                f"construction {size:5d} fiches : {seconds:8.2f} s, {seconds / size * 1000:7.1f} ms/fiche, "
                f"{queries / size:5.1f} requêtes/fiche (1re : {first}, dernière : {last})"
            )
            rows.append(
                (
                    "construction (services.fiche_create)",
                    size,
                    f"{seconds:.2f} s",
                    f"{queries / size:.1f} req./fiche",
                )
            )
            rows.append(("  requêtes 1re / dernière fiche", size, f"{first} / {last}", ""))

    # Import of a workbook exported from the --import-size plan, into an empty dossier.
    source = plans[args.import_size]
    start = time.perf_counter()
    data = export.export_xlsx(source)
    exported = time.perf_counter() - start
    target = new_ctg("CTG importée")
    with QueryCounter() as counter:
        start = time.perf_counter()
        result = imports.import_file(target, data, "plan.xlsx", user)
        imported = time.perf_counter() - start
    n = result["fiches"]
    print(
        f"export xlsx {args.import_size} fiches : {len(data) / 1e6:.2f} Mo en {exported:.2f} s ; "
        f"import : {imported:.2f} s, {counter.count} requêtes ({counter.count / n:.2f} par fiche)"
    )
    rows.append(("export xlsx", args.import_size, f"{exported:.2f} s", f"{len(data) / 1e6:.2f} Mo"))
    rows.append(
        (
            "import xlsx (import_file)",
            n,
            f"{imported:.2f} s",
            f"{counter.count} req. ({counter.count / n:.2f}/fiche)",
        )
    )

    # Pages.
    page_times = {}
    for size in pages:
        ctg = plans[size]
        ids = list(FicheAction.objects.filter(ctg=ctg).order_by("id").values_list("id", flat=True))
        fiche_id = ids[len(ids) // 2 // 15 * 15]  # in the middle, two objectives and two communes
        url = reverse("plans:fiche_detail", kwargs={"pk": ctg.pk, "fiche_pk": fiche_id})
        ms, queries, status = page(client, url, args.repeat)
        page_times[size] = ms
        print(f"page fiche, plan de {size:5d} fiches : {ms:7.1f} ms (médiane), {queries} req., HTTP {status}")
        rows.append(("page fiche (fiche_detail)", size, f"{ms:.1f} ms", f"{queries} req."))
        url = reverse("plans:tree", kwargs={"pk": ctg.pk})
        ms, queries, status = page(client, url, max(3, args.repeat // 5))
        print(f"arbre du plan, {size:5d} fiches : {ms:7.1f} ms (médiane), {queries} req., HTTP {status}")
        rows.append(("arbre du plan (tree)", size, f"{ms:.1f} ms", f"{queries} req."))

    print()
    print(f"{'mesure':40} {'fiches':>7} {'valeur':>14}  détail")
    for label, size, value, detail in rows:
        print(f"{label:40} {size:7d} {value:>14}  {detail}")
    built = sorted(size for size in build_times if size in sizes)
    if len(built) >= 2:
        small, large = built[0], built[-1]
        print(
            f"rapport temps par fiche construite {large} / {small} fiches : "
            f"× {build_times[large] / build_times[small]:.2f}"
        )
    if len(page_times) >= 2:
        small, large = min(page_times), max(page_times)
        print(
            f"rapport page fiche {large} / {small} fiches : × {page_times[large] / page_times[small]:.2f} "
            f"(fiches × {large / small:.1f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the big documents: the convention (PDF, DOCX) and the annual bilan (PDF, DOCX) of dossiers
of 12, 100 and 500 fiches action.

Sets up a throwaway CTG_DATA_DIR with its own SQLite database (migrate), builds one dossier per size through
the services (36 operational objectives; every fiche with a realistic title and description, a pilot,
budget lines for two funders on every year of the period, one or two indicators with a baseline, a target
every year and a realised value for the past years), then measures every document in a FRESH subprocess
(`--measure`), so that the peak memory is the process's own: `resource.getrusage(RUSAGE_SELF).ru_maxrss`,
which counts WeasyPrint's C parts (Pango, HarfBuzz, cairo-free pydyf) that tracemalloc cannot see.
Each measurement: the data (`content.build` / `bilan.compute`, database reads) and the render
(`render_pdf` / `render_docx`), median of --repeat subprocesses, wall and CPU time (the CPU time is what
to compare on a machine shared with other work); importing WeasyPrint and python-docx (1–3 s, once per
process in a server or a job worker) is measured apart. A big convention is rendered in parts on forked
processes (`ctg.rendering.html_to_pdf`, « ×2 » in the table): their CPU time is added to the process's, and
their own memory (private pages, sampled every 50 ms) to its peak.

Targets (issue 15, on a 2-core machine): convention PDF ≤ 3 s at 100 fiches and ≤ 10 s at 500, bilan PDF
≤ 3 s at 100 and ≤ 8 s at 500, peak memory ≤ 300 MB. Figures are printed, never asserted.

Usage: DJANGO_SETTINGS_MODULE=ctg.settings .venv/bin/python bench/documents.py [--sizes 12,100,500]
       [--repeat 3] [--docs convention-pdf,bilan-pdf,convention-docx,bilan-docx] [--profile FILE]
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ENJEUX, STRATEGIC, OPERATIONAL = 4, 3, 3  # 4 × 3 × 3 = 36 operational objectives
YEAR = 2026  # the bilan's year (the CTG runs 2025–2028)
REFERENCE_LOOP = 3_000_000  # about 0.3 s of pure Python on the 2-core machine
DOCS = ("convention-pdf", "bilan-pdf", "convention-docx", "bilan-docx")
TARGETS = {  # (document, size) → seconds
    ("convention-pdf", 100): 3.0,
    ("convention-pdf", 500): 10.0,
    ("bilan-pdf", 100): 3.0,
    ("bilan-pdf", 500): 8.0,
}
MEMORY_TARGET_MB = 300

THEMES = (
    "Développer l'accueil du jeune enfant en horaires atypiques",
    "Renforcer le soutien à la parentalité dans les quartiers prioritaires",
    "Favoriser l'accès aux droits des familles monoparentales",
    "Structurer l'offre d'accueil de loisirs des 11-17 ans",
    "Accompagner les jeunes vers l'autonomie et le logement",
    "Lutter contre le non-recours aux prestations sociales",
    "Coordonner l'animation de la vie sociale sur le territoire",
    "Soutenir les aidants familiaux et les familles d'enfants en situation de handicap",
)
DESCRIPTION = (
    "Mettre en place, avec les partenaires du territoire, une action coordonnée « {theme} » : "
    "diagnostic partagé des besoins, réunions trimestrielles du comité technique, information des "
    "familles par les relais France services & les centres sociaux, évaluation annuelle <avec> les "
    "habitants. "
)


def _django(scratch: str) -> None:
    os.environ["CTG_DATA_DIR"] = scratch
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctg.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    warnings.filterwarnings("ignore", module="dsfr")


# --- the dossiers ------------------------------------------------------------------------------------------


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
        Organisation.objects.create(
            name=f"Association « Familles {index} »", kind=Organisation.Kind.ASSOCIATION
        )
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


def build_dossier(new_ctg, user, communes, partners, size):
    import datetime
    from decimal import Decimal

    from ctg.plans import services
    from ctg.plans.models import BudgetLine, FicheAction, IndicatorValue, PlanIndicator

    ctg = new_ctg(f"CTG de la CC du Banc d'essai — {size} fiches")
    operationals = []
    for e in range(ENJEUX):
        enjeu = services.enjeu_create(ctg=ctg, actor=user, title=THEMES[e])
        for s in range(STRATEGIC):
            strategic = services.strategic_objective_create(
                enjeu=enjeu, actor=user, title=f"{THEMES[(e + s) % len(THEMES)]} (objectif {e + 1}.{s + 1})"
            )
            for o in range(OPERATIONAL):
                operationals.append(
                    services.operational_objective_create(
                        strategic=strategic,
                        actor=user,
                        title=f"Objectif opérationnel {e + 1}.{s + 1}.{o + 1} : {THEMES[o]}",
                    )
                )
    statuses = list(FicheAction.Status.values)
    for index in range(size):
        theme = THEMES[index % len(THEMES)]
        objectives = [operationals[index % len(operationals)]]
        if index % 5 == 0:
            objectives.append(operationals[(index * 7 + 3) % len(operationals)])
        services.fiche_create(
            ctg=ctg,
            actor=user,
            title=f"{theme} — action {index + 1}",
            objectives=objectives,
            all_communes=index % 3 != 0,
            communes=[] if index % 3 else communes[index % 4 : index % 4 + 2],
            partners=partners[index % 3 : index % 3 + 2],
            pilot_organisation=partners[index % len(partners)],
            pilot_person=f"Dominique Martin-{index}",
            description=DESCRIPTION.format(theme=theme) * 2,
            start_date=datetime.date(2025, 1 + index % 12, 1),
            end_date=datetime.date(2027 + index % 2, 12, 31),
            status=statuses[index % len(statuses)],
        )
    fiches = list(FicheAction.objects.filter(ctg=ctg))
    tracked = {"created_by": user, "updated_by": user}
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                fiche=f,
                year=y,
                funder=funder,
                planned=Decimal(1000 * (1 + f.pk % 7)),
                spent=Decimal(250 * (1 + f.pk % 5)) if y <= YEAR else 0,
                **tracked,
            )
            for f in fiches
            for y in range(2025, 2029)
            for funder in ("caf", "epci")
        ]
    )
    indicators = PlanIndicator.objects.bulk_create(
        [
            PlanIndicator(
                fiche=f,
                label=label,
                unit=unit,
                baseline_value=Decimal(10 + f.pk % 9),
                baseline_year=2024,
                **tracked,
            )
            for f in fiches
            for label, unit in (
                ("Familles accompagnées", "familles"),
                ("Taux de satisfaction des participants", "%"),
            )[: 1 + f.pk % 2]
        ]
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(indicator=i, year=y, kind=kind, value=Decimal(12 + y - 2025 + i.pk % 4), **tracked)
            for i in indicators
            for y in range(2025, 2029)
            for kind in ("target", "realised")
            if kind == "target" or y <= YEAR
        ]
    )
    return ctg


# --- one measurement, in its own process ------------------------------------------------------------------


def measure(scratch: str, doc: str, ctg_id: int, profile: str | None) -> dict:
    _django(scratch)
    start = time.perf_counter()
    import docx  # noqa: F401 — once per process in a server or a job worker: measured apart
    import weasyprint  # noqa: F401

    import_seconds = time.perf_counter() - start
    from ctg.conventions.models import Ctg
    from ctg.documents import content, render
    from ctg.evaluation import bilan

    ctg = Ctg.objects.get(pk=ctg_id)
    start = time.perf_counter()
    sum(i * i for i in range(REFERENCE_LOOP))  # the machine's speed at this moment: see the « réf. » column
    reference_seconds = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    if doc.startswith("convention"):
        data = content.build(ctg)
        renderer = render.render_pdf if doc.endswith("pdf") else render.render_docx
    else:
        data = bilan.compute(ctg, YEAR)
        renderer = bilan.render_pdf if doc.endswith("pdf") else bilan.render_docx
    data_seconds, data_cpu = time.perf_counter() - start, time.process_time() - cpu
    from ctg import rendering

    in_parts = []  # whether the render went through the parts (« ×2 » in the table)
    whole = rendering._pdf_in_parts
    rendering._pdf_in_parts = lambda html: in_parts.append(True) or whole(html)
    start, cpu = time.perf_counter(), time.process_time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        output = profiler.runcall(renderer, data)
        profiler.dump_stats(profile)
    else:
        output = renderer(data)
    render_seconds, render_cpu = time.perf_counter() - start, time.process_time() - cpu
    # A big document is rendered in parts by forked processes (ctg.rendering.html_to_pdf): their CPU time
    # counts (their memory is sampled by `run_measure`).
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_cpu = children.ru_utime + children.ru_stime - before.ru_utime - before.ru_stime
    return {
        "import": import_seconds,
        "reference": reference_seconds,
        "data": data_seconds,
        "render": render_seconds,
        "cpu": data_cpu + render_cpu + children_cpu,
        "bytes": len(output),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # Linux: KiB
        "parts": bool(in_parts),
    }


def _private_kib(pid: int) -> int:
    """The memory a process does not share (Private_Clean + Private_Dirty of /proc/PID/smaps_rollup), KiB."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # ended in between
        return 0
    return sum(int(line.split()[1]) for line in text.splitlines() if line.startswith("Private_"))


def _forks(pid: int) -> list[int]:
    """The children of a process that are forks of it (the same program: not the `ldconfig` or compiler
    that ctypes runs while WeasyPrint is imported)."""
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        program = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return []
    forks = []
    for child in children:
        try:
            if os.readlink(f"/proc/{child}/exe") == program:
                forks.append(child)
        except OSError:  # ended in between
            pass
    return forks


def run_measure(scratch: str, doc: str, ctg_id: int, profile: str | None = None) -> dict:
    """One measurement in a fresh process. While it runs, the memory of the processes it forks to render a
    big document in parts is sampled (every 50 ms): what they do not share with it (their private pages),
    added to its own peak, is the peak of the whole render; with no such process it is its own peak."""
    command = [sys.executable, __file__, "--measure", doc, "--scratch", scratch, "--ctg", str(ctg_id)]
    if profile:
        command += ["--profile", profile]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        children_peak, seen = 0, set()
        while process.poll() is None:
            # A fork seen twice in a row: not the instant between `subprocess`'s vfork and its exec, during
            # which the child still shares the measured process's memory (and would count it again).
            forks = set(_forks(process.pid))
            children_peak = max(children_peak, sum(_private_kib(c) for c in forks & seen))
            seen = forks
            time.sleep(0.05)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            sys.stderr.write(err.read())
            raise SystemExit(f"mesure en échec : {doc} (dossier {ctg_id})")
        result = json.loads(out.read().strip().splitlines()[-1])
    result["peak_mb"] += children_peak / 1024
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="12,100,500", help="fiches per dossier")
    parser.add_argument("--repeat", type=int, default=3, help="subprocesses per measurement (median)")
    parser.add_argument("--docs", default=",".join(DOCS), help="documents measured")
    parser.add_argument("--profile", help="cProfile of one more render into FILE.<doc>.<size>")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    parser.add_argument("--ctg", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:  # the child: one measurement, a JSON line
        print(json.dumps(measure(args.scratch, args.measure, args.ctg, args.profile)))
        return 0

    scratch = tempfile.mkdtemp(prefix="ctg-bench-documents-")
    try:
        return report(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # the throwaway database and its files


def report(args, scratch: str) -> int:
    sizes = [int(s) for s in args.sizes.split(",")]
    docs = [d for d in args.docs.split(",") if d]
    _django(scratch)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"Base SQLite jetable : {scratch}")
    new_ctg, user, communes, partners = setup_world()
    dossiers = {}
    for size in sizes:
        start = time.perf_counter()
        dossiers[size] = build_dossier(new_ctg, user, communes, partners, size).pk
        print(f"dossier de {size} fiches construit en {time.perf_counter() - start:.1f} s")

    header = (
        f"{'document':<16} {'fiches':>6} {'données':>8} {'rendu':>8} {'total':>8} {'CPU':>8} {'cible':>6} "
        f"{'ratio':>6} {'mémoire':>8} {'taille':>7} {'réf.':>6}"
    )
    print()
    print(
        f"médianes de {args.repeat} processus neufs ; total = données + rendu (temps écoulé), CPU = temps "
        f"processeur du même total (moins sensible à la charge de la machine) ; import de WeasyPrint et "
        f"python-docx exclu (une fois par processus) ; mémoire = pic ru_maxrss du processus, plus, quand le "
        f"document est rendu en parties (« ×2 » : sur deux processus), le pic de la mémoire propre des "
        f"processus qui rendent les autres parties (relevée toutes les 50 ms)"
    )
    print(header)
    print("-" * len(header))
    imports = []
    for doc in docs:
        for size in sizes:
            if args.profile:
                run_measure(scratch, doc, dossiers[size], f"{args.profile}.{doc}.{size}")
            runs = [run_measure(scratch, doc, dossiers[size]) for _ in range(args.repeat)]
            imports += [r["import"] for r in runs]
            data = statistics.median(r["data"] for r in runs)
            rendered = statistics.median(r["render"] for r in runs)
            total = statistics.median(r["data"] + r["render"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            peak = statistics.median(r["peak_mb"] for r in runs)
            target = TARGETS.get((doc, size))
            print(
                f"{doc:<16} {size:>6} {data:>7.2f}s {rendered:>7.2f}s {total:>7.2f}s {cpu:>7.2f}s "
                f"{(f'{target:.0f}s' if target else '—'):>6} "
                f"{(f'{total / target:.2f}' if target else '—'):>6} "
                f"{peak:>5.0f} Mo {runs[0]['bytes'] / 1024:>4.0f} Ko "
                f"{statistics.median(r['reference'] for r in runs):>5.2f}s"
                f"{' ×2' if any(r['parts'] for r in runs) else ''}",
                flush=True,
            )
    print(
        f"\nratio = total / cible (≤ 1 : cible tenue) ; cible mémoire ≤ {MEMORY_TARGET_MB} Mo ; "
        f"import de WeasyPrint + python-docx : {statistics.median(imports):.2f} s (médiane)\n"
        "réf. = une boucle Python fixe chronométrée dans chaque processus de mesure, juste avant le "
        "document : elle ne dépend que de la vitesse de la machine à ce moment-là (une machine virtuelle "
        "partagée varie de ±20 % et plus d'une heure à l'autre) ; comparer deux séries à réf. égale"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

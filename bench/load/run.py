"""Load benchmark of the application as served in production (issue 15, item 5): `make serve` on PostgreSQL,
locust users with think time, then the closed-loop figures. It starts and stops everything itself and prints
figures and ratios; nothing is asserted.

One run:
  1. PostgreSQL: DATABASE_URL when given, else a throwaway cluster on 127.0.0.1 (bench/survey.py's
     `Postgres`: initdb in a temp dir as the `postgres` user, removed at the end); `--database sqlite` for the
     embedded default instead;
  2. a scratch CTG_DATA_DIR: `ctg migrate`, `ctg load_territories`, `ctg load_demo` (its people and dossier);
  3. `make serve PORT=… WORKERS=…` in its own process group (gunicorn, production settings, JSON request
     logs kept in the scratch folder), waited for on /sante/;
  4. locust (bench/load/locustfile.py), headless: `--users` people (CAF advisers, coordinators, communal
     referents, public portrait readers; 3–10 s of think time) for `--minutes`;
  5. the public portrait alone, closed loop (`--portrait-users`, no think time, `--portrait-seconds`): its
     requests per second, warm;
  6. the mixed users closed loop (`--closed-users`, no think time, `--closed-seconds`), to compare with the
     issue's measurement (50 users: 7.1 requests/s, p95 7.8 s on PostgreSQL before this work);
  7. for each phase: requests, errors, requests/s, client p95 (locust) and server p95 (the `duration_ms`
     of the request log lines), with the targets beside them: 0 errors, server p95 ≤ 500 ms for 100 users,
     the public portrait ≥ 100 requests/s.

Usage: .venv/bin/python bench/load/run.py [--users 100] [--minutes 5] [--database postgres|sqlite]
       [--workers N] [--portrait-users 50] [--portrait-seconds 30] [--closed-users 50] [--closed-seconds 60]
       [--fast]   (a smoke run: SQLite, 6 users for 20 s, the closed loops 10 s; run by tests/bench)
"""

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT / "bench"))

from survey import Postgres, free_port  # noqa: E402  (the throwaway cluster of the survey bench)

PEOPLE = ("CafAdviser", "Coordinator", "CommunalReferent", "PortraitReader")  # bench/load/locustfile.py

URLS_SCRIPT = """
import json
from django.urls import reverse
from ctg.conventions.models import Ctg
from ctg.public.models import Publication
ctg = Ctg.objects.filter(is_fictitious=True, epci__name__icontains="Albigeois").order_by("start_year").last()
fiche = ctg.fiches.order_by("pk").first()
publication = Publication.objects.filter(ctg=ctg).first()
print(json.dumps({
    "dashboard": reverse("dashboard:home"),
    "dossier": reverse("conventions:detail", args=[ctg.pk]),
    "plan": reverse("plans:tree", args=[ctg.pk]),
    "fiches": reverse("plans:fiches", args=[ctg.pk]),
    "fiche": reverse("plans:fiche_detail", args=[ctg.pk, fiche.pk]),
    "history": reverse("conventions:history", args=[ctg.pk]),
    "ctg_portrait": reverse("diagnostics:ctg", args=[ctg.pk]),
    "public_portrait": reverse("diagnostics:territory", args=[ctg.epci_id]),
    "public_page": reverse("public:page", args=[publication.slug]) if publication else reverse("public:list"),
}))
"""


def ctg(env: dict, *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "ctg"), *args], env=env, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        sys.exit(f"ctg {' '.join(args)} : {result.stderr[-2000:]}")
    return result.stdout


def wait_health(port: int, process, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("make serve s'est arrêté au démarrage.")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out (URLError and TimeoutError are OSErrors)
            time.sleep(0.5)  # still migrating, collecting the static files or booting a worker: poll again
    sys.exit("make serve ne répond pas sur /sante/.")


def locust(
    scratch: Path, port: int, env: dict, name: str, users: int, seconds: int, classes=(), closed=False
):
    prefix = scratch / name
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 10)),
        "--run-time",
        f"{seconds}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        *classes,
    ]
    start = log_size(scratch)
    subprocess.run(
        command,
        env={**env, "CLOSED_LOOP": "1" if closed else "0"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    return prefix, start, log_size(scratch)


def log_size(scratch: Path) -> int:
    log = scratch / "serve.log"
    return log.stat().st_size if log.exists() else 0


def stats(prefix: Path) -> dict:
    """The locust summary: the aggregated row and the rows by page name."""
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = row
    return rows


def server_p95(log: Path, start: int, end: int, paths: set[str] | None = None) -> tuple[float, int]:
    """The 95th percentile of the server time (`duration_ms`) of the requests logged between two offsets of
    the log (its size before and after a phase: the server's clock zone does not matter)."""
    with open(log, "rb") as handle:
        handle.seek(start)
        chunk = handle.read(end - start).decode("utf-8", errors="replace")
    durations = []
    for line in chunk.splitlines():
        if not line.startswith("{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("logger") != "ctg.requests" or "duration_ms" not in entry:
            continue
        if paths is None or entry["path"] in paths:
            durations.append(float(entry["duration_ms"]))
    if not durations:
        return float("nan"), 0
    durations.sort()
    return durations[min(len(durations) - 1, int(0.95 * len(durations)))], len(durations)


def report(title: str, prefix: Path, p95_server: tuple[float, int], target_p95: float | None = None) -> dict:
    rows = stats(prefix)
    total = rows["Aggregated"]
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    figures = {
        "requests": requests,
        "failures": failures,
        "rps": float(total["Requests/s"]),
        "client_p95_ms": float(total["95%"] or "nan"),
        "server_p95_ms": p95_server[0],
    }
    target = f" (objectif ≤ {target_p95:.0f} ms)" if target_p95 else ""
    print(
        f"{title:<38} {requests:>7} requêtes, {failures} erreur(s), {figures['rps']:.1f} req/s, "
        f"p95 client {figures['client_p95_ms']:.0f} ms, p95 serveur {p95_server[0]:.0f} ms{target}"
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument(
        "--workers", type=int, default=0, help="processus gunicorn (défaut : celui de make serve)"
    )
    parser.add_argument("--portrait-users", type=int, default=50)
    parser.add_argument("--portrait-seconds", type=int, default=30)
    parser.add_argument("--closed-users", type=int, default=50)
    parser.add_argument("--closed-seconds", type=int, default=60)
    parser.add_argument("--fast", action="store_true")
    options = parser.parse_args()
    if options.fast:
        options.database, options.users, options.minutes = "sqlite", 6, 1 / 3
        options.portrait_users = options.closed_users = 4
        options.portrait_seconds = options.closed_seconds = 10

    scratch = Path(tempfile.mkdtemp(prefix="ctg-load-"))
    postgres = None
    server = None
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
        env["CTG_DATA_DIR"] = str(scratch / "var")
        if options.database == "postgres" and not os.environ.get("DATABASE_URL"):
            postgres = Postgres(scratch)
            env["DATABASE_URL"] = postgres.start()
        elif options.database == "sqlite":
            env.pop("DATABASE_URL", None)
        started = time.monotonic()
        ctg(env, "migrate", "--noinput")
        ctg(env, "load_territories")
        ctg(env, "load_demo")
        urls = json.loads(ctg(env, "shell", "-c", URLS_SCRIPT).strip().splitlines()[-1])
        env["CTG_LOAD_URLS"] = json.dumps(urls)
        print(f"base {options.database} prête en {time.monotonic() - started:.0f} s (démonstration chargée)")

        port = free_port()
        log = scratch / "serve.log"
        make = ["make", "serve", f"PORT={port}"] + ([f"WORKERS={options.workers}"] if options.workers else [])
        with open(log, "w") as handle:
            server = subprocess.Popen(
                make, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_health(port, server, 600)
        # Warm: the portrait's cache and each worker's imports.
        for _ in range(10):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{urls['public_portrait']}", headers={"X-Forwarded-Proto": "https"}
            )
            urllib.request.urlopen(request, timeout=60).read()

        print(f"make serve sur 127.0.0.1:{port}, {options.database}")
        figures = {}
        prefix, t0, t1 = locust(
            scratch, port, env, "mixed", options.users, int(options.minutes * 60), classes=PEOPLE
        )
        figures["mixed"] = report(
            f"{options.users} personnes, {options.minutes:g} min", prefix, server_p95(log, t0, t1), 500
        )
        prefix, t0, t1 = locust(
            scratch, port, env, "portrait", options.portrait_users, options.portrait_seconds,
            classes=("PublicPortrait",), closed=True,
        )  # fmt: skip
        figures["portrait"] = report(
            f"portrait public, {options.portrait_users} sans pause",
            prefix,
            server_p95(log, t0, t1, {urls["public_portrait"]}),
        )
        prefix, t0, t1 = locust(
            scratch,
            port,
            env,
            "closed",
            options.closed_users,
            options.closed_seconds,
            classes=PEOPLE,
            closed=True,
        )
        figures["closed"] = report(
            f"{options.closed_users} personnes sans pause", prefix, server_p95(log, t0, t1)
        )
        print(
            f"ratios : p95 serveur / 500 ms = {figures['mixed']['server_p95_ms'] / 500:.2f} ; "
            f"portrait public = {figures['portrait']['rps'] / 100:.2f} × l'objectif de 100 req/s ; "
            f"boucle fermée = {figures['closed']['rps'] / 7.1:.1f} × les 7,1 req/s mesurés avant"
        )
        print(json.dumps(figures))
        return 0
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

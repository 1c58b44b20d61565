"""Load benchmark of the public answering of a questionnaire: gunicorn + PostgreSQL, a steady rate of answers.

What it does, in one run:
  - PostgreSQL: `DATABASE_URL` when given, else a throwaway cluster (initdb in a temp dir, run as the
    `postgres` user when started as root — initdb refuses root —, 127.0.0.1 on a free port, stopped and
    removed at the end);
  - a scratch settings module (`ctg_bench_settings`, in the temp dir) over `ctg.settings`:
      * `CTG_SURVEY_MIN_SECONDS = --think` (1 s by default): each simulated respondent waits that long
        between the display of the form and its submission, so the minimum-time check stays on;
      * `CTG_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"`: each respondent sends its own address (10.x.y.z)
        in X-Forwarded-For, as behind the production proxy, so the throttling by keyed hash of the address
        stays on (`CTG_SURVEY_MAX_PER_HOUR` unchanged) without refusing a bench that comes from one machine;
  - migrates, builds one open questionnaire (a commune, a multiple choice, a scale, the marker question);
  - starts gunicorn as its own process on 127.0.0.1 (`--gunicorn-workers` sync workers);
  - drives `--rate` answers a minute for `--minutes` (open loop: answer n starts at n × 60 / rate seconds,
    whatever the server's pace) with `--workers` client threads; each answer is the real browser path: GET
    the form (CSRF cookie and token, signed stamp), wait `--think` seconds, POST it; each POST carries a
    unique marker in a short-text answer;
  - then counts: accepted = POSTs answered 302 to the thank-you page (the success of the form, a redirect);
    lost = accepted markers missing from the database; doubled = markers stored more than once; stray =
    markers stored whose POST was not accepted;
  - prints the rate achieved, the POST latency p50/p95/p99 (and the GET's), the errors by status.
Nothing is asserted: figures and ratios are printed (exit code 1 only when something is lost or doubled).

Needs gunicorn in the virtual environment (`.venv/bin/pip install gunicorn`) and the PostgreSQL server
binaries (Debian `postgresql`) unless DATABASE_URL is given.

Usage: .venv/bin/python bench/survey.py [--rate 500] [--minutes 5] [--workers 96] [--think 1]
       [--gunicorn-workers 3]
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER_PREFIX = "bench-"

# --- pure parts (tests/bench/test_survey_bench.py) --------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def schedule(rate_per_minute: float, minutes: float) -> list[float]:
    """The start offsets (seconds) of an open-loop run: `rate × minutes` answers, evenly spaced."""
    total = int(round(rate_per_minute * minutes))
    step = 60.0 / rate_per_minute
    return [index * step for index in range(total)]


def marker(index: int, run: str) -> str:
    return f"{MARKER_PREFIX}{run}-{index:06d}"


def reconcile(accepted: list[str], stored: list[str]) -> dict:
    """Compares the markers of the accepted submissions with those found in the database."""
    counts = Counter(stored)
    accepted_set = set(accepted)
    return {
        "accepted": len(accepted),
        "stored": len(stored),
        "lost": sorted(m for m in accepted_set if counts[m] == 0),
        "doubled": sorted(m for m, n in counts.items() if n > 1),
        "stray": sorted(m for m in counts if m not in accepted_set),
    }


_HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of the answering form (CSRF token, signed stamp)."""
    return {m["name"]: m["value"] for m in _HIDDEN.finditer(html)}


def cookie_value(set_cookie_headers: list[str], name: str) -> str:
    for header in set_cookie_headers:
        first = header.split(";", 1)[0]
        key, _, value = first.partition("=")
        if key.strip() == name:
            return value.strip()
    return ""


def address(index: int) -> str:
    """A distinct private address per respondent (X-Forwarded-For)."""
    return f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}"


# --- the run ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if versions:
        return versions[-1].parent
    found = shutil.which("pg_ctl")
    if not found:
        sys.exit("Serveur PostgreSQL introuvable (paquet Debian postgresql) : donnez DATABASE_URL.")
    return Path(found).parent


class Postgres:
    """A throwaway cluster on 127.0.0.1 (trust authentication), removed on stop."""

    def __init__(self, scratch: Path):
        self.dir = scratch / "pg"
        self.port = free_port()
        self.bin = _pg_bin()

    def start(self) -> str:
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.dir.parent, "postgres")
        data = self.dir / "data"
        run = {"cwd": "/", "check": True, "stdout": subprocess.DEVNULL}
        subprocess.run(
            _as_postgres(
                [str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            **run,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=on "
            "-c max_connections=200 -c shared_buffers=128MB"
        )
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(self.dir / "log"),
                    "-w",
                    "start",
                ]
            ),
            **run,
        )
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                    "ctg_bench",
                ]
            ),
            **run,
        )
        return f"postgres://postgres@127.0.0.1:{self.port}/ctg_bench"

    def stop(self):
        subprocess.run(
            _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"]),
            cwd="/",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


SETTINGS = """from ctg.settings import *  # noqa: F403

CTG_SURVEY_MIN_SECONDS = {think}
CTG_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
"""


def build_questionnaire():
    """One dossier and one open questionnaire; returns (token, field names)."""
    from ctg.conventions.models import Ctg, Field
    from ctg.organisations.models import Organisation
    from ctg.surveys import services
    from ctg.surveys.models import Question
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
    ctg = Ctg.objects.create(
        title="CTG du banc d'essai",
        caf=caf,
        epci=epci,
        territory_key=f"epci:{epci.siren}",
        start_year=2025,
        end_year=2028,
        fields=[Field.PETITE_ENFANCE],
    )
    ctg.communes.set(communes)
    questionnaire = services.questionnaire_create(
        ctg=ctg, actor=None, title="Besoins des familles", audience="familles"
    )
    section = services.section_create(questionnaire=questionnaire, actor=None, title="Vos besoins")

    def add(kind, label, **values):
        return services.question_create(
            questionnaire=questionnaire, actor=None, section=section, kind=kind, label=label, **values
        )

    commune = add(Question.Kind.COMMUNE, "Votre commune", required=True)
    modes = add(
        Question.Kind.MULTIPLE_CHOICE,
        "Modes de garde",
        options_text="Crèche\nAssistante maternelle\nFamille\nAccueil de loisirs",
    )
    scale = add(Question.Kind.SCALE, "Satisfaction", min_value="1", max_value="5")
    mark = add(Question.Kind.SHORT_TEXT, "Repère du banc d'essai", required=True)
    link = services.link_create(questionnaire=questionnaire, actor=None, channel="banc d'essai")
    services.questionnaire_open(questionnaire=questionnaire, actor=None)
    return {
        "token": link.token,
        "commune": f"q{commune.pk}",
        "communes": [c.code for c in communes],
        "modes": f"q{modes.pk}",
        "mode_ids": [str(o.pk) for o in modes.options.order_by("order")],
        "scale": f"q{scale.pk}",
        "mark": f"q{mark.pk}",
        "mark_question": mark.pk,
    }


@dataclass
class Outcome:
    index: int
    marker: str
    get_seconds: float = 0.0
    post_seconds: float = 0.0
    status: int = 0
    accepted: bool = False
    started_late: float = 0.0
    error: str = ""


@dataclass
class Run:
    outcomes: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def answer_once(port: int, plan: dict, index: int, run_id: str, think: float) -> Outcome:
    outcome = Outcome(index=index, marker=marker(index, run_id))
    path = f"/questionnaire/{plan['token']}/repondre/"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"X-Forwarded-For": address(index), "Host": f"127.0.0.1:{port}"}
    try:
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        html = response.read().decode("utf-8", "replace")
        outcome.get_seconds = time.perf_counter() - start
        if response.status != 200:
            outcome.status, outcome.error = response.status, "GET"
            return outcome
        csrf = cookie_value(response.headers.get_all("Set-Cookie") or [], "csrftoken")
        hidden = hidden_fields(html)
        time.sleep(think)
        rng = secrets.SystemRandom()
        fields = [
            ("csrfmiddlewaretoken", hidden.get("csrfmiddlewaretoken", "")),
            ("horodatage", hidden.get("horodatage", "")),
            ("site_web", ""),
            (plan["commune"], rng.choice(plan["communes"])),
            (plan["scale"], str(rng.randint(1, 5))),
            (plan["mark"], outcome.marker),
        ]
        fields += [(plan["modes"], option) for option in rng.sample(plan["mode_ids"], rng.randint(1, 3))]
        body = urllib.parse.urlencode(fields)
        post_headers = {
            **headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{port}{path}",
            "Origin": f"http://127.0.0.1:{port}",
        }
        start = time.perf_counter()
        connection.request("POST", path, body=body, headers=post_headers)
        response = connection.getresponse()
        response.read()
        outcome.post_seconds = time.perf_counter() - start
        outcome.status = response.status
        outcome.accepted = response.status == 302 and "/merci/" in (response.getheader("Location") or "")
    except (OSError, http.client.HTTPException) as error:
        outcome.error = type(error).__name__
    finally:
        connection.close()
    return outcome


def drive(port: int, plan: dict, *, rate: float, minutes: float, workers: int, think: float) -> tuple:
    offsets = schedule(rate, minutes)
    run_id = secrets.token_hex(3)
    results: list[Outcome] = []
    lock = threading.Lock()
    begin = time.perf_counter()

    def job(index, offset):
        delay = begin + offset - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        late = max(0.0, -delay)
        outcome = answer_once(port, plan, index, run_id, think)
        outcome.started_late = late
        with lock:
            results.append(outcome)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for index, offset in enumerate(offsets):
            pool.submit(job, index, offset)
    elapsed = time.perf_counter() - begin
    return results, elapsed


def stored_markers(question_id: int) -> list[str]:
    from ctg.surveys.models import Answer

    values = Answer.objects.filter(question_id=question_id).values_list("value", flat=True)
    return [v for v in values if isinstance(v, str) and v.startswith(MARKER_PREFIX)]


def wait_ready(port: int, process, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn s'est arrêté au démarrage.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn ne répond pas.")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=500, help="answers a minute")
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--workers", type=int, default=96, help="client threads")
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds between the form's GET and its POST"
    )
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    args = parser.parse_args()

    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        sys.exit("gunicorn manque : .venv/bin/pip install gunicorn")
    scratch = Path(tempfile.mkdtemp(prefix="ctg-bench-survey-"))
    os.chmod(scratch, 0o755)
    postgres = None
    server = None
    try:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            postgres = Postgres(scratch)
            database_url = postgres.start()
        (scratch / "ctg_bench_settings.py").write_text(SETTINGS.format(think=args.think), encoding="utf-8")
        data_dir = scratch / "data"
        data_dir.mkdir()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CTG_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "ctg_bench_settings",
            "PYTHONPATH": os.pathsep.join([str(scratch), str(ROOT)]),
            "DEBUG": "false",
        }
        os.environ.update(
            {k: env[k] for k in ("DATABASE_URL", "CTG_DATA_DIR", "DJANGO_SETTINGS_MODULE", "DEBUG")}
        )
        sys.path[:0] = [str(scratch), str(ROOT)]
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        plan = build_questionnaire()
        connections.close_all()

        port = free_port()
        server = subprocess.Popen(
            [
                str(gunicorn),
                "ctg.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.gunicorn_workers),
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        wait_ready(port, server)
        print(
            f"gunicorn {args.gunicorn_workers} workers (sync) + PostgreSQL ; {args.rate:g} réponses/min "
            f"pendant {args.minutes:g} min ({int(round(args.rate * args.minutes))} réponses), "
            f"{args.workers} clients, {args.think:g} s entre l'affichage et l'envoi"
        )
        results, elapsed = drive(
            port, plan, rate=args.rate, minutes=args.minutes, workers=args.workers, think=args.think
        )
        accepted = [o.marker for o in results if o.accepted]
        check = reconcile(accepted, stored_markers(plan["mark_question"]))
        posts = [o.post_seconds * 1000 for o in results if o.accepted]
        gets = [o.get_seconds * 1000 for o in results if o.get_seconds]
        statuses = Counter(o.status or o.error for o in results if not o.accepted)
        late = [o.started_late for o in results]
        print(
            f"durée : {elapsed:.1f} s ; envoyées : {len(results)} ; acceptées (302 → merci) : {len(accepted)}"
        )
        print(f"débit obtenu : {len(accepted) / elapsed * 60:.1f} réponses/min (visé : {args.rate:g})")
        print(
            f"POST (enregistrement) ms : p50 {percentile(posts, 50):.0f}, p95 {percentile(posts, 95):.0f}, "
            f"p99 {percentile(posts, 99):.0f}, max {max(posts, default=0):.0f}"
        )
        print(
            f"GET (formulaire) ms : p50 {percentile(gets, 50):.0f}, p95 {percentile(gets, 95):.0f}, "
            f"p99 {percentile(gets, 99):.0f}"
        )
        print(f"retard au départ (clients saturés) : max {max(late, default=0):.2f} s")
        print(f"refus ou erreurs : {dict(statuses) or 'aucun'}")
        print(
            f"en base : {check['stored']} ; perdues : {len(check['lost'])} ; "
            f"doublées : {len(check['doubled'])} ; en trop : {len(check['stray'])}"
        )
        return 1 if check["lost"] or check["doubled"] or check["stray"] else 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 — Django may not be set up yet
            pass
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

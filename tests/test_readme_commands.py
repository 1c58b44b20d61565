"""Every `ctg` command and every bench script shown in the README is run by a test.

The commands with data (import_data, portrait, plan_export…) are run by the tests of their area; this file
checks that each command named in the README is run somewhere in the test suite, and runs the others itself:
the server commands in a subprocess on a throwaway data folder, as a person following the README would.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CTG = Path(sys.executable).with_name("ctg")
COMMAND = re.compile(r"(?:\.venv/bin/)?\bctg ([a-z_]+)")
# Run by this file (below); the others must be run by a test of their area.
RUN_HERE = {
    "migrate",
    "createsuperuser",
    "runserver",
    "check",
    "collectstatic",
    "axes_reset_ip",
    "axes_list_attempts",
}


def readme_commands() -> set[str]:
    return set(COMMAND.findall(README.read_text(encoding="utf-8")))


def _tests_text() -> str:
    here = Path(__file__).resolve()
    return "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "tests").rglob("*.py") if path.resolve() != here
    )


def test_every_command_of_the_readme_is_run_by_a_test():
    commands = readme_commands()
    assert {"import_data", "plan_import", "convention", "runserver"} <= commands
    tests = _tests_text()
    not_run = sorted(
        name
        for name in commands - RUN_HERE
        if not re.search(rf"""call_command\(\s*["']{name}["']|["']ctg["'],\s*["']{name}["']""", tests)
    )
    assert not not_run, f"Commandes du README lancées par aucun test : {not_run}"


def test_the_axes_commands_of_the_readme_run(db):
    call_command("axes_list_attempts")
    call_command("axes_reset_ip", "127.0.0.1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(env, *args, timeout=300):
    result = subprocess.run(
        [str(CTG), *args], env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, f"ctg {' '.join(args)} : {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def fresh_env(tmp_path):
    """A data folder of its own, on SQLite, as on a fresh machine."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "PYTEST"))}
    env.update(
        CTG_DATA_DIR=str(tmp_path / "var"),
        DJANGO_SUPERUSER_EMAIL="admin@exemple.fr",
        DJANGO_SUPERUSER_PASSWORD="un-mot-de-passe-solide-2026",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    return env


def test_the_server_commands_of_the_readme_run_on_a_fresh_data_folder(fresh_env, tmp_path):
    _run(fresh_env, "migrate")
    _run(fresh_env, "createsuperuser", "--noinput")
    _run(fresh_env, "check")
    _run(fresh_env, "collectstatic", "--noinput")
    assert (tmp_path / "var" / "static" / "ctg" / "htmx_csrf.js").is_file()
    deploy = {
        **fresh_env,
        "CTG_ENV": "production",
        "SECRET_KEY": "une-cle-de-test-longue-et-aleatoire-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "ctg.example.org",
    }
    _run(deploy, "check", "--deploy", "--fail-level", "WARNING")

    port = _free_port()
    server = subprocess.Popen(
        [str(CTG), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=fresh_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
                    break
            except OSError:  # refused, reset or timed out
                time.sleep(0.2)  # the server is starting: poll again until the deadline
        assert body is not None, "le serveur n'a pas répondu"
        assert "Convention Territoriale Globale" in body
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(url: str, process: subprocess.Popen, seconds: int) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode()
        except OSError:  # refused, reset or timed out (URLError and TimeoutError are OSErrors)
            time.sleep(0.5)  # still installing, migrating or loading: poll again until the deadline
    return None


def test_make_run_serves_the_demo_on_a_fresh_data_folder(fresh_env):
    """The README's first command: migrate, référentiel, demo, server on 127.0.0.1."""
    port = _free_port()
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=ROOT,
        env=fresh_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/connexion/", process, 600)
        assert body is not None, (
            process.stdout.read().decode() if process.poll() is not None else "pas de réponse"
        )
        assert "Connexion" in body
        search_page = _wait_for(f"http://127.0.0.1:{port}/territoires/?q=albigeois", process, 30)
        assert "Albigeois" in search_page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def test_make_serve_serves_with_production_settings_on_a_fresh_data_folder(fresh_env, tmp_path):
    """The README's production command: gunicorn with the production settings on 127.0.0.1, a secret key
    drawn once and kept readable by its owner only, static files served, the health check, JSON logs."""
    port = _free_port()
    fresh_env.pop("SECRET_KEY", None)
    fresh_env.pop("ALLOWED_HOSTS", None)
    process = subprocess.Popen(
        ["make", "serve", f"PORT={port}", "WORKERS=2"],
        cwd=ROOT,
        env=fresh_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/sante/", process, 600)
        assert health is not None, (
            process.stdout.read().decode() if process.poll() is not None else "pas de réponse"
        )
        assert json.loads(health) == {"status": "ok", "checks": {"database": "ok", "data_dir": "ok"}}
        secret = tmp_path / "var" / "secret_key"
        assert secret.stat().st_mode & 0o777 == 0o600
        assert len(secret.read_text().strip()) >= 50

        # Behind the reverse proxy (which says the request came over HTTPS): the pages and the static files.
        proxied = {"X-Forwarded-Proto": "https", "X-Request-ID": "essai-42"}
        with urllib.request.urlopen(
            urllib.request.Request(f"http://127.0.0.1:{port}/", headers=proxied)
        ) as page:
            assert "Convention Territoriale Globale" in page.read().decode()
            assert page.headers["Strict-Transport-Security"].startswith("max-age=")
            assert page.headers["X-Request-ID"] == "essai-42"
        static = urllib.request.Request(f"http://127.0.0.1:{port}/static/ctg/htmx_csrf.js", headers=proxied)
        with urllib.request.urlopen(static) as script:
            assert script.status == 200 and b"X-CSRFToken" in script.read()
        # Over plain HTTP the production settings send to HTTPS (the health check only is exempt).
        opener = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(f"http://127.0.0.1:{port}/connexion/")
        assert redirect.value.code == 301
        assert redirect.value.headers["Location"].startswith("https://")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode()
    # One JSON line per request, without the query string.
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("logger") == "ctg.requests"]
    assert any(
        line["path"] == "/" and line["status"] == 200 and line["request_id"] == "essai-42"
        for line in requests
    )
    assert all({"duration_ms", "method", "status", "time", "level"} <= set(line) for line in requests)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


BENCH = re.compile(r"\bbench/([a-z_/]+\.py)")


def test_every_bench_script_of_the_readme_is_run_by_a_test():
    """A bench shown in the README is run by a test, in a process as the README shows it (a short mode where
    it has one): its path built in a test, `ROOT / "bench" / … "name.py"`."""
    scripts = set(BENCH.findall(README.read_text(encoding="utf-8")))
    assert {"documents.py", "load/run.py", "caf.py"} <= scripts
    tests = _tests_text()

    def path_in_a_test(script: str) -> bool:
        parts = r"\s*/\s*".join(f'"{part}"' for part in script.split("/"))
        return re.search(r'"bench"\s*/\s*' + parts, tests) is not None

    not_run = sorted(script for script in scripts if not path_in_a_test(script))
    assert not not_run, f"Bancs d'essai du README lancés par aucun test : {not_run}"

"""Locust users of bench/load/run.py: realistic people of a CTG, with 3–10 s of think time.

The URLs come from the runner (environment variable CTG_LOAD_URLS, JSON): the demo dossier's pages, a fiche,
the EPCI's public portrait and the CTG's public page. The server runs the production settings behind no
proxy: every request says it came over HTTPS (`X-Forwarded-Proto: https`, as the reverse proxy does), and
the session cookie — Secure in production — is kept by hand, since the client speaks plain HTTP to 127.0.0.1.

CLOSED_LOOP=1 (the runner's --closed-loop): no think time, for the comparison with the issue's measurement.
The people (CafAdviser, Coordinator, CommunalReferent, PortraitReader) are the mixed users;
`PublicPortrait` is the portrait's closed loop alone.
"""

import json
import os
import re

from locust import FastHttpUser, HttpUser, between, constant, task

URLS = json.loads(os.environ.get("CTG_LOAD_URLS", "{}"))
PASSWORD = os.environ.get("CTG_LOAD_PASSWORD", "demo-ctg-2026")
WAIT = constant(0) if os.environ.get("CLOSED_LOOP") == "1" else between(3, 10)
PROXY = {"X-Forwarded-Proto": "https"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person(HttpUser):
    abstract = True
    wait_time = WAIT
    email = ""

    def on_start(self):
        self.client.headers.update(PROXY)
        if not self.email:
            return
        page = self.client.get("/connexion/", name="connexion (formulaire)")
        token = TOKEN.search(page.text)
        self._keep_cookies()
        response = self.client.post(
            "/connexion/",
            data={
                "username": self.email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"https://{self.host.split('://', 1)[1]}/connexion/"},
            name="connexion (envoi)",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"connexion refusée ({response.status_code})")
        self._keep_cookies()

    def _keep_cookies(self):
        """The production cookies are Secure: kept for this plain-HTTP client to 127.0.0.1 (the proxy's
        side)."""
        for cookie in list(self.client.cookies):
            if cookie.secure:
                self.client.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)

    def page(self, key: str, name: str | None = None):
        with self.client.get(URLS[key], name=name or key, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{key} : {response.status_code}")


class CafAdviser(Person):
    """The CAF's adviser: her dashboard, the dossier, its plan and its portrait."""

    weight = 2
    email = "pilote.caf@demo.invalid"

    @task(3)
    def dashboard(self):
        self.page("dashboard")

    @task(2)
    def dossier(self):
        self.page("dossier")

    @task(2)
    def plan(self):
        self.page("plan")

    @task(1)
    def portrait(self):
        self.page("ctg_portrait")


class Coordinator(Person):
    """The EPCI's coordinator: the dossier, the fiches, one fiche, the history."""

    weight = 3
    email = "coordination@demo.invalid"

    @task(2)
    def dossier(self):
        self.page("dossier")

    @task(3)
    def fiches(self):
        self.page("fiches")

    @task(3)
    def fiche(self):
        self.page("fiche")

    @task(1)
    def history(self):
        self.page("history")


class CommunalReferent(Person):
    """A communal referent: the dossier and the fiches of the commune."""

    weight = 2
    email = "referent.commune@demo.invalid"

    @task(1)
    def dossier(self):
        self.page("dossier")

    @task(2)
    def fiches(self):
        self.page("fiches")


class PortraitReader(Person):
    """An inhabitant or a journalist: the public portrait of the EPCI and the CTG's public page."""

    weight = 3

    @task(3)
    def portrait(self):
        self.page("public_portrait")

    @task(1)
    def public_page(self):
        self.page("public_page")


class PublicPortrait(FastHttpUser):
    """The public portrait alone, for the runner's closed loop of the portrait (not in the mixed users):
    locust's lighter HTTP client, so that the load generator, on the same cores as the server, takes less
    of them."""

    wait_time = WAIT

    @task
    def portrait(self):
        with self.client.get(
            URLS["public_portrait"], name="public_portrait", headers=PROXY, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"public_portrait : {response.status_code}")

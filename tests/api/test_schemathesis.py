"""schemathesis (property-based tests from the OpenAPI schema) over every read endpoint of the API, with a
valid token on a seeded dossier: 0 server errors, 0 answers outside the schema (status codes, content types,
bodies).

The schema is the one the API serves (`/api/openapi.json`), loaded with `schemathesis.openapi.from_dict`; the
requests go through Django's test client (inside the test's transaction) and each answer is checked by
schemathesis' own checks. Each operation is run twice: with generated path ids (mostly other or unknown
dossiers: 404) and with the seeded dossier's ids (the queries generated)."""

import http.client
import json
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ctg.offer.services import structure_create
from tests.api.seed import bearer, token_of

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 15


def _response(answer, method, url) -> schemathesis.Response:
    request = requests.Request(method=method, url=f"http://testserver{url}").prepare()
    return schemathesis.Response(
        status_code=answer.status_code,
        headers={name: [value] for name, value in answer.headers.items()},
        content=answer.content,
        request=request,
        elapsed=0.0,
        verify=False,
        message=http.client.responses.get(answer.status_code, ""),
        encoding="utf-8",
    )


def _url(case) -> str:
    query = {k: v for k, v in (case.query or {}).items() if v is not None}
    path = case.formatted_path
    return f"{path}?{urlencode(query, doseq=True)}" if query else path


def test_every_read_endpoint_keeps_to_its_schema(client, world, plan):
    raw = token_of(world.users["coordination"])
    commune = world.ctg.communes.order_by("code").first()
    values = {"type": "france_services", "name": "France services", "commune": commune, "source": "t"}
    structure_create(actor=None, values=values)  # the offer's answers carry items too
    schema_dict = client.get(reverse("api:v1:openapi-json")).json()
    schema = schemathesis.openapi.from_dict(schema_dict)
    seeded = {
        "pk": world.ctg.pk,
        "fiche_pk": plan.fiche.pk,
        "code": world.ctg.communes.order_by("code").first().code,
    }
    figures = {"operations": 0, "calls": 0, "statuses": {}}
    failures = []

    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        figures["operations"] += 1

        def runner(operation, fixed):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def run(case):
                if fixed:
                    for name in case.path_parameters or {}:
                        if name in seeded:
                            case.path_parameters[name] = seeded[name]
                url = _url(case)
                headers = {
                    **bearer(raw),
                    **{k: v for k, v in (case.headers or {}).items() if k != "Authorization"},
                }
                answer = client.generic("GET", url, headers=headers)
                figures["calls"] += 1
                figures["last"] = (case, url)
                figures["statuses"][answer.status_code] = figures["statuses"].get(answer.status_code, 0) + 1
                try:
                    case.validate_response(_response(answer, "GET", url), checks=CHECKS)
                except FailureGroup as error:  # every failure is collected, then reported together
                    failures.append(f"GET {url} → {answer.status_code}: {error}")

            return run

        for fixed in (False, True):
            runner(operation, fixed)()

    last, url = figures.pop("last")
    print(f"schemathesis: {figures}")
    # The checks do fail: a server error, or a body outside the schema, is reported.
    broken = type(
        "Answer", (), {"status_code": 500, "headers": {"Content-Type": "text/html"}, "content": b"x"}
    )
    with pytest.raises(FailureGroup):
        last.validate_response(_response(broken, "GET", url), checks=CHECKS)
    assert figures["operations"] >= 10
    assert figures["statuses"].get(200, 0) > 0
    assert not failures, "\n".join(failures[:10])


def test_every_write_endpoint_answers_within_its_schema(client, world, plan):
    """The plan's writes with generated bodies, on the seeded dossier's items (a CAF pilot's token): no
    server error, every answer (201, 200, 400, 409, 422…) documented and shaped as the schema says."""
    raw = token_of(world.users["pilote_caf"])
    schema = schemathesis.openapi.from_dict(client.get(reverse("api:v1:openapi-json")).json())
    seeded = {
        "pk": world.ctg.pk,
        "fiche_pk": plan.fiche.pk,
        "enjeu_pk": plan.enjeu.pk,
        "indicator_pk": plan.indicator.pk,
    }
    figures = {"operations": 0, "calls": 0, "statuses": {}}
    failures = []

    def runner(operation):
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            for name in case.path_parameters or {}:
                if name in seeded:
                    case.path_parameters[name] = seeded[name]
            if "objective_pk" in (case.path_parameters or {}):
                operational = case.path.endswith("/operationnels/{objective_pk}")
                case.path_parameters["objective_pk"] = (
                    plan.operational if operational else plan.strategic
                ).pk
            url = _url(case)
            body = json.dumps(case.body, default=str) if case.body is not None else ""
            answer = client.post(url, body, "application/json", headers=bearer(raw))
            figures["calls"] += 1
            figures["statuses"][answer.status_code] = figures["statuses"].get(answer.status_code, 0) + 1
            try:
                case.validate_response(_response(answer, "POST", url), checks=CHECKS)
            except FailureGroup as error:
                failures.append(f"POST {url} {body[:200]} → {answer.status_code}: {error}")

        return run

    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "POST":
            figures["operations"] += 1
            runner(operation)()

    print(f"schemathesis (écritures) : {figures}")
    assert figures["operations"] >= 8
    assert figures["statuses"].get(200, 0) + figures["statuses"].get(201, 0) > 0
    assert not failures, "\n".join(failures[:10])

"""The health check (`/sante/`) and the request log (ctg.middleware.RequestLogMiddleware)."""

import logging

import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_the_health_check_answers_anonymously_and_is_never_cached(client):
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "data_dir": "ok"}}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_health_check_fails_when_the_data_folder_is_missing(client, tmp_path):
    with override_settings(DATA_DIR=tmp_path / "absent"):
        response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "data_dir": "error"}}


@pytest.mark.django_db
def test_the_health_check_fails_when_the_database_does_not_answer(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("base arrêtée")

    monkeypatch.setattr("ctg.views.connection.cursor", broken)
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
    assert "arrêtée" not in response.content.decode()


@pytest.mark.django_db
def test_the_health_check_refuses_writes(client):
    assert client.post("/sante/").status_code == 405


@pytest.mark.django_db
def test_each_request_is_logged_once_without_its_query_string(client, caplog):
    logging.getLogger("ctg.requests").setLevel(logging.INFO)
    try:
        with caplog.at_level(logging.INFO, logger="ctg.requests"):
            response = client.get("/territoires/?q=jeton-secret", HTTP_X_REQUEST_ID="abc-123")
    finally:
        logging.getLogger("ctg.requests").setLevel(logging.WARNING)
    assert response["X-Request-ID"] == "abc-123"
    records = [record for record in caplog.records if record.name == "ctg.requests"]
    assert len(records) == 1
    record = records[0]
    assert (record.method, record.path, record.status, record.request_id) == (
        "GET",
        "/territoires/",
        200,
        "abc-123",
    )
    assert record.duration_ms >= 0 and record.user_id is None
    assert "jeton-secret" not in record.getMessage()


@pytest.mark.django_db
def test_a_malformed_request_id_is_replaced(client):
    response = client.get("/sante/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert response["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response["X-Request-ID"]) == 32

"""Logs are JSON, carry the request id and user, and never carry tokens or passwords."""

import io
import json
import logging

import pytest
from django.conf import settings
from django_guid.log_filters import CorrelationId
from pythonjsonlogger.json import JsonFormatter

from api.common.logging import RedactSecretsFilter, RequestUserFilter, redact
from tests.factories import PASSWORD, make_user

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize(
    "text",
    [
        f"Authorization: Bearer {JWT}",
        f"token={JWT}",
        '{"password": "hunter2-secret"}',
        "password=hunter2-secret&user=x",
        "refresh: 'abc.def.ghi-secret'",
        "api_key=hunter2-secret",
    ],
)
def test_redact_removes_tokens_and_passwords(text):
    cleaned = redact(text)

    assert JWT not in cleaned
    assert "hunter2-secret" not in cleaned
    assert "abc.def" not in cleaned
    assert "[REDACTED]" in cleaned


def test_redact_leaves_ordinary_text_alone():
    assert redact("approved overtime 42 for user alice") == "approved overtime 42 for user alice"


@pytest.fixture
def json_log():
    """The project's JSON formatter and filters on a buffer attached to the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    fmt = settings.LOGGING["formatters"]["json"]
    handler.setFormatter(JsonFormatter(fmt["format"], rename_fields=fmt["rename_fields"]))
    for log_filter in (CorrelationId(), RequestUserFilter(), RedactSecretsFilter()):
        handler.addFilter(log_filter)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line]
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.mark.django_db
def test_request_logs_are_json_with_request_id_and_user_and_no_secrets(api_client, json_log):
    user = make_user()
    tokens = api_client.post(
        "/api/auth/login/local/",
        {"username": user.username, "password": PASSWORD},
        format="json",
    ).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    api_client.get("/api/auth/me/", HTTP_X_REQUEST_ID="req-12345")
    logging.getLogger("api.test").warning("refresh token was %s", tokens["refresh"])

    records = json_log()
    raw = json.dumps(records)
    assert PASSWORD not in raw
    assert tokens["access"] not in raw
    assert tokens["refresh"] not in raw
    me_line = next(r for r in records if r.get("path") == "/api/auth/me/")
    assert me_line["correlation_id"] == "req-12345"
    assert me_line["user"] == f"{user.pk}:{user.username}"
    assert me_line["status"] == 200
    assert me_line["level"] == "INFO"
    assert any("[REDACTED]" in r["message"] for r in records)


@pytest.mark.django_db
def test_response_carries_request_id_and_timing_headers(api_client):
    response = api_client.get("/api/health/", HTTP_X_REQUEST_ID="abc-123")

    assert response["X-Request-ID"] == "abc-123"
    assert response["X-Response-Time"].endswith("ms")

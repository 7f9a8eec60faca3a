"""Every error, whoever raises it, comes back in the one JSON shape."""

import pytest
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.test import RequestFactory
from rest_framework.exceptions import ValidationError

from api.common.exceptions import InvalidTransition, api_exception_handler
from api.common.views import internal_error

pytestmark = pytest.mark.django_db


def _error(response):
    body = response.json() if hasattr(response, "json") else response.data
    assert set(body) == {"error"}
    return body["error"]


def test_unknown_api_url_is_a_json_404(api_client):
    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    error = _error(response)
    assert error["code"] == "not_found"
    assert error["status"] == 404


def test_wrong_method_is_a_json_405(api_client):
    response = api_client.delete("/api/health/")

    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"


def test_unexpected_error_is_a_json_500_without_internals():
    request = RequestFactory().get("/api/v1/anything/")

    response = internal_error(request)

    assert response.status_code == 500
    body = response.content.decode()
    assert '"code": "server_error"' in body
    assert "Traceback" not in body


def test_nested_validation_errors_are_flattened_by_field():
    exc = ValidationError(
        {
            "breaks": [{"start_at": ["Must be inside the request."]}, {}],
            "reason": ["This field is required."],
        }
    )

    response = api_exception_handler(exc, {})

    error = response.data["error"]
    assert response.status_code == 400
    assert error["code"] == "validation_error"
    assert error["fields"] == {
        "breaks.0.start_at": ["Must be inside the request."],
        "reason": ["This field is required."],
    }


def test_domain_conflict_carries_the_current_state():
    response = api_exception_handler(
        InvalidTransition("Cannot approve a cancelled request.", current_status="cancelled"), {}
    )

    assert response.status_code == 409
    error = response.data["error"]
    assert error["code"] == "invalid_transition"
    assert error["current_status"] == "cancelled"


def test_database_refusals_become_409_not_500():
    integrity = api_exception_handler(IntegrityError("duplicate key"), {})
    protected = api_exception_handler(ProtectedError("in use", set()), {})

    assert integrity.status_code == 409
    assert integrity.data["error"]["code"] == "integrity_error"
    assert protected.status_code == 409
    assert protected.data["error"]["code"] == "protected"


def test_malformed_json_body_is_a_400(api_client):
    response = api_client.generic(
        "POST", "/api/auth/login/local/", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "parse_error"


def test_generic_crud_writes_go_through_the_audited_services():
    """DRF's mixins define perform_* too; the audited ones must win in the MRO."""
    from api.common.viewsets import AuditedWritesMixin, CRUDViewSet

    for hook in ("perform_create", "perform_update", "perform_destroy"):
        assert getattr(CRUDViewSet, hook) is getattr(AuditedWritesMixin, hook)


def test_unsupported_method_is_405_for_every_role(client_for):
    from api.accounts.roles import Role
    from tests.factories import make_user

    for role in (Role.USER, Role.DEVELOPER):
        response = client_for(make_user(role)).post("/api/v1/activity-logs/", {}, format="json")
        assert response.status_code == 405, role

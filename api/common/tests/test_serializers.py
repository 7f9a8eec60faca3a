"""Request bodies are strict: an unknown or a read-only field is a 400 naming it, on
every endpoint (creates, edits, workflow steps) and inside nested objects."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from rest_framework import serializers

import api
from api.accounts.roles import Role
from api.common.serializers import READ_ONLY_FIELD, UNKNOWN_FIELD, StrictInputMixin
from api.overtime.models import OvertimeStatus
from tests.factories import make_department, make_overtime, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client_for):
    return client_for(make_user(Role.SUPERADMIN))


def _fields(response) -> dict:
    assert response.status_code == 400, response.content[:300]
    return response.json()["error"]["fields"]


def test_an_unknown_field_on_a_create_is_named(admin):
    assert _fields(admin.post("/api/v1/task-reminders/", {"note": "x"}, format="json")) == {
        "note": [UNKNOWN_FIELD]
    }


def test_a_status_sent_with_an_overtime_request_is_refused(admin):
    assert _fields(admin.post("/api/v1/overtime-requests/", {"status": "approved"}, "json")) == {
        "status": [UNKNOWN_FIELD]
    }


def test_a_read_only_field_sent_back_on_an_edit_is_named(admin):
    department = make_department()
    response = admin.patch(
        f"/api/v1/departments/{department.pk}/",
        {"name": "Renamed", "id": department.pk, "employee_count": 3},
        format="json",
    )

    # Departments are written through their own input serializer: what only the answer
    # carries is not one of its fields at all.
    assert _fields(response) == {"id": [UNKNOWN_FIELD], "employee_count": [UNKNOWN_FIELD]}
    department.refresh_from_db()
    assert department.name != "Renamed"


def test_a_read_only_field_of_a_read_write_serializer_says_so(admin):
    response = admin.post(
        "/api/v1/personal-notes/", {"title": "x", "created_at": "2026-01-01T00:00:00Z"}, "json"
    )

    assert _fields(response) == {"created_at": [READ_ONLY_FIELD]}


def test_nested_objects_are_checked_by_path(admin):
    body = {"breaks": [{"start_at": "2026-01-01T10:00:00Z", "colour": "red"}]}

    fields = _fields(admin.post("/api/v1/overtime-requests/", body, format="json"))

    assert fields["breaks.0.colour"] == [UNKNOWN_FIELD]


def test_a_workflow_step_takes_only_its_own_fields(admin):
    request = make_overtime(status=OvertimeStatus.SUBMITTED)
    url = f"/api/v1/overtime-requests/{request.pk}"

    assert _fields(admin.post(f"{url}/approve/", {"reason": "x"}, format="json")) == {
        "reason": [UNKNOWN_FIELD]
    }
    assert _fields(admin.post(f"{url}/cancel/", {"why": "x"}, format="json")) == {
        "why": [UNKNOWN_FIELD]
    }
    request.refresh_from_db()
    assert request.status == OvertimeStatus.SUBMITTED


def _api_serializers() -> list[type]:
    for module in pkgutil.walk_packages(api.__path__, "api."):
        if ".tests" not in module.name and ".migrations" not in module.name:
            importlib.import_module(module.name)
    found, pending = [], [serializers.BaseSerializer]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("api.") and ".tests" not in sub.__module__:
                found.append(sub)
    return found


def test_every_serializer_of_the_api_is_strict():
    loose = [
        cls.__qualname__ for cls in _api_serializers() if not issubclass(cls, StrictInputMixin)
    ]
    assert loose == []

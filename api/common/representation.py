"""Plain-dict representations for hot list endpoints.

DRF's field-by-field serialization dominates the cost of a 50-row page. Serializers
of hot lists keep their declared fields (the OpenAPI schema and the contract) but
build their output with these helpers; each such serializer has a test proving its
output equals DRF's own rendering of the same declared fields.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone


def iso(value: datetime | None, tz=None) -> str | None:
    """Like DRF's DateTimeField: in the current time zone, UTC written as Z.

    Pass `tz` (timezone.get_current_timezone()) when formatting many values: looking
    the current zone up goes through a context-local and dominated a 50-row page.
    """
    if value is None:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def decimal(value: Decimal | None) -> str | None:
    """Like DRF's DecimalField with COERCE_DECIMAL_TO_STRING (values already quantized)."""
    return None if value is None else str(value)


def user_brief(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "full_name": user.get_full_name()}


def department_brief(department) -> dict | None:
    if department is None:
        return None
    return {"id": department.pk, "code": department.code, "name": department.name}


def employee_brief(employee) -> dict | None:
    if employee is None:
        return None
    return {
        "id": employee.pk,
        "employee_code": employee.employee_code,
        "full_name": employee.full_name,
        "department": department_brief(employee.department),
    }


def project_brief(project) -> dict | None:
    if project is None:
        return None
    return {"id": project.pk, "code": project.code, "name": project.name}

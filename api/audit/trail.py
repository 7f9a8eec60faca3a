"""The audit trail: snapshots of rows, their differences, and UserActivityLog records.

Services call `audit_record` for every write they make; request facts (ip, user
agent, path, request id) are taken from the request context when there is one.

Every layer writes the trail, so it sits at the bottom beside api.common and knows no
domain: the resource name of each model (the permission matrix's, api.accounts.roles)
is registered at start-up (api/apps.py), and a department is recognised through the
log's own foreign key.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django_guid import get_guid

from api.audit.models import UserActivityLog
from api.common.request_context import current_request_info

REDACTED = "[REDACTED]"
_SECRET_MARKERS = ("password", "secret", "token")

# Model name -> resource name; a model nobody registered is named after itself.
_resources: dict[str, str] = {}


def register_resources(model_resources: Mapping[str, str]) -> None:
    """The resource names the trail records rows under (called once at start-up)."""
    _resources.update(model_resources)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return value.pk
    return value


def _is_secret(field_name: str) -> bool:
    return any(marker in field_name for marker in _SECRET_MARKERS)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """JSON-safe values of the row's own columns (foreign keys as ids)."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in ("created_at", "updated_at"):
            continue
        value = _jsonable(field.value_from_object(instance))
        values[field.name] = REDACTED if _is_secret(field.name) and value else value
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{"field": {"old": ..., "new": ...}} for the fields whose value changed."""
    return {
        name: {"old": before.get(name), "new": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def resource_of(instance: models.Model) -> str:
    return _resources.get(instance._meta.model_name, instance._meta.model_name)


def _department_of(instance: models.Model) -> int | None:
    # The department model, as the log's own foreign key names it: no import of api.org.
    department_model = UserActivityLog._meta.get_field("department").related_model
    if isinstance(instance, department_model):
        return instance.pk  # a department's own changes belong to its admins' view
    if department_id := getattr(instance, "department_id", None):
        return department_id
    employee = getattr(instance, "employee", None) if hasattr(instance, "employee_id") else None
    return getattr(employee, "department_id", None)


def audit_record(
    *,
    user,
    action: str,
    instance: models.Model | None = None,
    resource: str | None = None,
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    department_id: int | None = None,
) -> UserActivityLog:
    info = current_request_info()
    if instance is not None:
        resource = resource or resource_of(instance)
        object_id = object_id or str(instance.pk or "")
        object_repr = object_repr or str(instance)
        if department_id is None:
            department_id = _department_of(instance)
    actor = user if getattr(user, "is_authenticated", False) else None
    return UserActivityLog.objects.create(
        user=actor,
        action=action,
        resource=resource or "",
        object_id=object_id,
        object_repr=object_repr[:255],
        changes=changes or {},
        department_id=department_id,
        request_id=get_guid() or "",
        method=info.method,
        path=info.path,
        ip_address=info.ip_address,
        user_agent=info.user_agent,
    )

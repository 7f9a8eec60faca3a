"""Bookkeeping of one run: which rows it created or changed, how, and their audit rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django_guid import get_guid

from api.audit.models import UserActivityLog
from api.audit.trail import diff, resource_of, snapshot
from api.common.generations import rows_changed


@dataclass
class SyncCounts:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deactivated

    def __str__(self) -> str:
        return (
            f"created={self.created} updated={self.updated} "
            f"deactivated={self.deactivated} unchanged={self.unchanged}"
        )


def _state(obj: models.Model) -> dict[str, Any]:
    """What a change is judged on: the columns, minus the sync's own timestamp."""
    values = snapshot(obj)
    values.pop("synced_at", None)
    return values


class Ledger:
    """The rows of one model during a run: what they were, what was last written."""

    def __init__(self, model: type[models.Model], rows: list, fields: tuple[str, ...]) -> None:
        self.model, self.rows, self.fields = model, rows, fields
        self.original = {obj.pk: _state(obj) for obj in rows}
        self.written = dict(self.original)
        self.created: list = []

    def all(self) -> list:
        return self.rows + self.created

    def create(self, objs: list) -> None:
        self.model.objects.bulk_create(objs)
        rows_changed(self.model)  # bulk_create sends no post_save
        self.created.extend(objs)
        self.written.update({obj.pk: _state(obj) for obj in objs})

    def flush(self, now: datetime) -> None:
        """One UPDATE for every row changed since it was last written."""
        dirty = [obj for obj in self.all() if _state(obj) != self.written[obj.pk]]
        if not dirty:
            return
        for obj in dirty:
            obj.updated_at = now  # bulk_update does not apply auto_now
        self.model.objects.bulk_update(dirty, fields=[*self.fields, "updated_at"])
        rows_changed(self.model)
        self.written.update({obj.pk: _state(obj) for obj in dirty})

    def outcome(self, department_of) -> tuple[SyncCounts, list[UserActivityLog]]:
        counts, logs = SyncCounts(), []
        for obj in self.created:
            counts.created += 1
            logs.append(audit_row("sync_create", obj, _state(obj), department_of(obj)))
        for obj in self.rows:
            changes = diff(self.original[obj.pk], _state(obj))
            if not changes:
                counts.unchanged += 1
                continue
            if changes.get("is_active", {}).get("new") is False:
                counts.deactivated += 1
                action = "sync_deactivate"
            else:
                counts.updated += 1
                action = "sync_update"
            logs.append(audit_row(action, obj, changes, department_of(obj)))
        return counts, logs


def audit_row(action: str, obj: models.Model, changes: dict, department_id: int | None):
    """An audit row by the system (no user), like `audit_record` but for one bulk insert."""
    return UserActivityLog(
        user=None,
        action=action,
        resource=resource_of(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes,
        department_id=department_id,
        request_id=get_guid() or "",
    )


def match(rows: list, local: list, code_field: str) -> list[tuple[Any, Any]]:
    """Each feed row with its local row: by external_id first, then by code.

    A local row is claimed once, so a department HR re-keyed (same code, new id) is
    taken over, while a code another feed row already owns by id is not stolen.
    """
    by_external = {obj.external_id: obj for obj in local if obj.external_id}
    by_code = {getattr(obj, code_field): obj for obj in local}
    matched: dict[int, Any] = {}
    for index, row in enumerate(rows):
        if (obj := by_external.get(row.external_id)) is not None:
            matched[index] = obj
    claimed = {obj.pk for obj in matched.values()}
    for index, row in enumerate(rows):
        obj = by_code.get(getattr(row, code_field))
        if index not in matched and obj is not None and obj.pk not in claimed:
            matched[index] = obj
            claimed.add(obj.pk)
    return [(row, matched.get(index)) for index, row in enumerate(rows)]


def assign(obj: models.Model, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


def deactivate_missing(local: list, seen: set[int], listed: set[str]) -> None:
    """HR's rows it no longer lists. A listed row skipped for bad data is not a leaver."""
    for obj in local:
        if obj.external_id and obj.pk not in seen and obj.external_id not in listed:
            obj.is_active = False

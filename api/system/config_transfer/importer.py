"""`manage.py config_import`: plan what a document would change, then apply it in one
transaction, audited object by object."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from api.audit.trail import REDACTED, audit_record
from api.system.config_transfer.sections import ObjectChange, Section
from api.system.config_transfer.values import ConfigTransferError


@dataclass
class ImportPlan:
    changes: list[ObjectChange]
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(change.action == action for change in self.changes)

    @property
    def change_count(self) -> int:
        return self.count("created") + self.count("updated")

    def report(self) -> list[str]:
        """What the import did (or would do), object by object and field by field."""
        lines = [] if self.applied else ["Dry run: nothing was changed. The import would:"]
        current = None
        for change in self.changes:
            if change.section != current:
                current = change.section
                lines.append(f"{current}:")
            lines.append(f"  {change.label}: {change.action}")
            for name, (old, new) in change.fields.items():
                shown_new = json.dumps(new, ensure_ascii=False)
                if change.action == "created":
                    lines.append(f"      {name}: {shown_new}")
                else:
                    lines.append(
                        f"      {name}: {json.dumps(old, ensure_ascii=False)} -> {shown_new}"
                    )
            lines.extend(f"      note: {note}" for note in change.notes)
        lines.append(
            f"{self.change_count} change(s): {self.count('created')} created, "
            f"{self.count('updated')} updated, {self.count('unchanged')} unchanged"
            + ("" if self.applied else " (dry run: nothing was changed)")
        )
        return lines


def plan_import(document: dict[str, Any], sections: Sequence[Section]) -> ImportPlan:
    """What importing `document` into `sections` would change; reads only. ConfigTransferError lists
    every problem found."""
    problems: list[str] = []
    changes: list[ObjectChange] = []
    for section in sections:
        if section.name in document:
            changes += section.plan(document[section.name], problems)
    if problems:
        raise ConfigTransferError(problems)
    return ImportPlan(changes)


def _audit_changes(change: ObjectChange) -> dict[str, Any]:
    if change.action == "created":
        values = {name: new for name, (_, new) in change.fields.items()}
        if "password" in values:
            values["password"] = REDACTED
        return values
    changes = {name: {"old": old, "new": new} for name, (old, new) in change.fields.items()}
    if "password" in changes:
        changes["password"] = {"old": REDACTED, "new": REDACTED}
    return changes


def import_config(
    document: dict[str, Any], sections: Sequence[Section], *, dry_run: bool = False
) -> ImportPlan:
    """Applies `document` to `sections`, in their order, in one transaction (nothing at
    all with `dry_run`)."""
    if dry_run:
        return plan_import(document, sections)
    with transaction.atomic():
        plan = plan_import(document, sections)
        for section in sections:
            pending = [
                change
                for change in plan.changes
                if change.section == section.heading and change.action != "unchanged"
            ]
            for change in section.save_order(pending):
                change.instance.save()
                audit_record(
                    user=None,
                    action="create" if change.action == "created" else "update",
                    instance=change.instance,
                    changes=_audit_changes(change),
                )
        if connection.vendor == "postgresql":
            # Column positions are checked at commit; fail here, inside the import.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        plan.applied = True
    return plan

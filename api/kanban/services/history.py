"""What every Kanban write leaves behind besides the row: the card's history, the people
told about it, and the reasons a card refuses new work."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from api.accounts.models import User
from api.accounts.roles import Resource
from api.common.exceptions import InvalidTransition
from api.kanban.models import Task, TaskActivity
from api.notifications.services import notification_data, notifications_create


def activity_record(*, task: Task, by: User, verb: str, changes: dict[str, Any]) -> TaskActivity:
    actor = by if getattr(by, "is_authenticated", False) else None
    return TaskActivity.objects.create(task=task, actor=actor, verb=verb, changes=changes)


def task_notify(
    *, recipients: Iterable, kind: str, task: Task, title: str, by: User, message: str = ""
) -> None:
    notifications_create(
        recipients=recipients,
        kind=kind,
        title=title,
        message=message,
        data=notification_data(Resource.TASKS, task.pk),
        actor=by,
    )


def require_live(task: Task, doing: str) -> None:
    """Archived cards are read-only history: nothing new is added to them."""
    if task.archived_at is not None:
        raise InvalidTransition(f"Cannot {doing} an archived card.", current_status="archived")

"""Factories for Kanban rows, written straight to the database (no service side effects)."""

from __future__ import annotations

from django.db.models import Max

from api.kanban.models import Task, TaskComment, TaskGroup
from tests.factories import make_user


def make_column(**fields) -> TaskGroup:
    if "position" not in fields:
        last = TaskGroup.objects.aggregate(last=Max("position"))["last"]
        fields["position"] = 0 if last is None else last + 1
    fields.setdefault("name", f"Column {fields['position']}")
    return TaskGroup.objects.create(**fields)


def make_task(group: TaskGroup, *, assignees=(), **fields) -> Task:
    """A live card at the end of `group` unless `position` says otherwise."""
    fields.setdefault("title", "Card")
    if "created_by" not in fields:
        fields["created_by"] = make_user(with_employee=False)
    if "position" not in fields and fields.get("archived_at") is None:
        fields["position"] = Task.objects.filter(group=group, archived_at__isnull=True).count()
    task = Task.objects.create(group=group, **fields)
    task.assignees.set(assignees)
    return task


def make_comment(task: Task, author, body: str = "Looks good") -> TaskComment:
    return TaskComment.objects.create(task=task, author=author, body=body)


def live_positions(group: TaskGroup) -> list[tuple[int, int]]:
    """(position, id) of the column's live cards in board order."""
    return list(
        Task.objects.filter(group=group, archived_at__isnull=True)
        .order_by("position", "id")
        .values_list("position", "id")
    )

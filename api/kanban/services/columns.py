"""Writes of the board's frame: its columns (TaskGroup), kept at positions 0..n-1.

Column changes are rare, so each locks every column (ascending id, as the card moves
do — see `positions`) and renumbers the whole frame.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from api.accounts.models import User
from api.accounts.roles import Resource
from api.audit.trail import audit_record, diff, snapshot
from api.common.exceptions import Conflict, InvalidInput
from api.kanban.models import Task, TaskGroup
from api.kanban.services.positions import lock_all_columns, write_column_positions

DEFAULT_COLUMNS = (
    ("To do", False),
    ("In progress", False),
    ("Review", False),
    ("Done", True),
)
COLUMN_FIELDS = ("name", "wip_limit", "color", "is_done_column")


@transaction.atomic
def board_ensure_default_columns() -> int:
    """The usual four columns on an empty board; an existing board is left alone."""
    if TaskGroup.objects.exists():
        return 0
    TaskGroup.objects.bulk_create(
        TaskGroup(name=name, position=index, is_done_column=done)
        for index, (name, done) in enumerate(DEFAULT_COLUMNS)
    )
    return len(DEFAULT_COLUMNS)


def _placed(columns: list[TaskGroup], column: TaskGroup, position: int | None) -> list[TaskGroup]:
    """`columns` without `column`, then `column` inserted at `position` (clamped; None: end)."""
    others = [other for other in columns if other.pk != column.pk]
    others.insert(len(others) if position is None else min(position, len(others)), column)
    return others


@transaction.atomic
def task_group_create(
    *,
    by: User,
    name: str,
    wip_limit: int | None = None,
    color: str = "",
    is_done_column: bool = False,
    position: int | None = None,
) -> TaskGroup:
    """A new column, appended unless `position` says where (the others make room)."""
    columns = lock_all_columns()
    column = TaskGroup(
        name=name,
        wip_limit=wip_limit,
        color=color,
        is_done_column=is_done_column,
        position=len(columns),
    )
    column.full_clean(validate_unique=False, validate_constraints=False)
    column.save()
    write_column_positions(_placed(columns, column, position))
    audit_record(user=by, action="create", instance=column, changes=snapshot(column))
    return column


@transaction.atomic
def task_group_update(
    *, group: TaskGroup, by: User, position: int | None = None, **fields: Any
) -> TaskGroup:
    """Renames, recolours, sets the WIP limit or done flag, or moves the column.

    A lower WIP limit than the cards already there is accepted: it only stops new
    cards from entering. Marking a column done does not complete the cards already in
    it; cards are completed when they move in.
    """
    columns = lock_all_columns()
    column = next((c for c in columns if c.pk == group.pk), None)
    if column is None:
        raise InvalidInput({"group": ["This column no longer exists."]})
    before = snapshot(column)
    for name in COLUMN_FIELDS:
        if name in fields:
            setattr(column, name, fields[name])
    column.full_clean(validate_unique=False, validate_constraints=False)
    column.save()
    if position is not None:
        write_column_positions(_placed(columns, column, position))
    if changes := diff(before, snapshot(column)):
        audit_record(user=by, action="update", instance=column, changes=changes)
    return column


@transaction.atomic
def task_groups_reorder(*, order: list[int], by: User) -> list[TaskGroup]:
    """Puts the columns in the order of `order`, which names every column once."""
    columns = lock_all_columns()
    by_id = {column.pk: column for column in columns}
    if len(order) != len(set(order)) or set(order) != set(by_id):
        raise InvalidInput(
            {"order": [f"List every column exactly once: {sorted(by_id)} in the new order."]}
        )
    before = [column.pk for column in columns]
    write_column_positions([by_id[pk] for pk in order])
    if before != order:
        audit_record(
            user=by,
            action="reorder",
            resource=Resource.TASK_GROUPS,
            object_repr="board columns",
            changes={"order": {"old": before, "new": list(order)}},
        )
    return [by_id[pk] for pk in order]


@transaction.atomic
def task_group_delete(*, group: TaskGroup, by: User) -> None:
    """Removes an empty column; the columns after it move up.

    A column with live cards is refused (move them first). Archived cards keep their
    history, so they are re-homed to the first remaining column rather than lost.
    """
    columns = lock_all_columns()
    column = next((c for c in columns if c.pk == group.pk), None)
    if column is None:
        return
    live = Task.objects.filter(group_id=column.pk, archived_at__isnull=True).count()
    if live:
        raise Conflict(
            f"Column '{column.name}' still holds {live} card(s); move them first.",
            code="column_not_empty",
            live_count=live,
        )
    remaining = [c for c in columns if c.pk != column.pk]
    archived = list(Task.objects.filter(group_id=column.pk).values_list("pk", flat=True))
    if archived and not remaining:
        raise Conflict(
            "The last column holds archived cards and cannot be deleted.",
            code="column_not_empty",
            live_count=0,
        )
    moved_to = remaining[0].pk if archived else None
    if archived:
        Task.objects.filter(pk__in=archived).update(group_id=moved_to)
    audit_record(
        user=by,
        action="delete",
        instance=column,
        changes=snapshot(column) | {"archived_cards_moved_to": moved_to},
    )
    column.delete()
    write_column_positions(remaining)

"""Writes of cards: create, edit (with the version protocol), archive and move.

Every change bumps `version`, writes a TaskActivity and an audit record, tells new
assignees, and announces the change live once, inside the transaction, right after
the write (api/kanban/services/events.py). Edits carry the version the client saw; a
different stored version is a 409 (`StaleVersion`) so two people editing at once
never overwrite each other silently.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.accounts.selectors import user_department_id
from api.audit.trail import audit_record, diff, snapshot
from api.common.exceptions import Conflict, InvalidInput, NotAllowed
from api.kanban.models import Task, TaskActivityVerb, TaskGroup, TaskPriority
from api.kanban.services.events import announce_task
from api.kanban.services.history import activity_record, require_live, task_notify
from api.kanban.services.positions import (
    live_cards,
    lock_card_and_columns,
    lock_columns,
    write_positions,
)
from api.notifications.models import NotificationKind
from api.org.models import Department, Project

# Sentinel for "not given" where None is a meaningful value (company-wide card).
UNSET: Any = object()
EDITABLE_FIELDS = ("title", "description", "priority", "project", "department", "due_date")


class StaleVersion(Conflict):
    """The client edited an older version of the card; the view adds the current card."""

    default_code = "version_conflict"

    def __init__(self, task: Task):
        super().__init__(
            f"This card was changed by someone else (it is now at version {task.version}). "
            "Reload it and apply your change again.",
            code="version_conflict",
            current_version=task.version,
        )
        self.task = task


def _state(task: Task) -> dict[str, Any]:
    """The audited picture of a card: its columns plus its assignees (sorted ids)."""
    assignees = sorted(task.assignees.values_list("pk", flat=True)) if task.pk else []
    return snapshot(task) | {"assignees": assignees}


def _check_department(by: User, department_id: int | None, *, current: int | None = None) -> None:
    """Outside global admins, a card is filed for one's own department or company-wide,
    so nobody fills another department's board."""
    if by.is_global_admin or department_id in (None, current, user_department_id(by)):
        return
    raise InvalidInput(
        {"department": ["You may file cards only for your own department or company-wide."]}
    )


def check_wip_limit(column: TaskGroup, live_count: int) -> None:
    if column.wip_limit is not None and live_count >= column.wip_limit:
        raise Conflict(
            f"Column '{column.name}' is at its WIP limit of {column.wip_limit} cards.",
            code="wip_limit_reached",
            field="group",
            group=column.pk,
            wip_limit=column.wip_limit,
        )


def _first_column_id() -> int:
    first = TaskGroup.objects.order_by("position", "pk").values_list("pk", flat=True).first()
    if first is None:
        raise InvalidInput({"group": ["The board has no columns yet."]})
    return first


def _notify_assigned(task: Task, user_ids: set[int], by: User) -> None:
    if user_ids:
        task_notify(
            recipients=task.assignees.filter(pk__in=user_ids),
            kind=NotificationKind.TASK_ASSIGNED,
            task=task,
            title=f"Assigned to you: {task.title}",
            by=by,
        )


def _completed_at(task: Task, source: TaskGroup, target: TaskGroup):
    """Entering a done column completes the card; leaving the done columns reopens it."""
    if not target.is_done_column:
        return None
    if source.is_done_column and task.completed_at is not None:
        return task.completed_at
    return timezone.now()


@transaction.atomic
def task_create(
    *,
    by: User,
    title: str,
    description: str = "",
    priority: str = TaskPriority.MEDIUM,
    project: Project | None = None,
    department: Department | None = UNSET,
    assignees=(),
    due_date: date | None = None,
    group: TaskGroup | None = None,
    position: int | None = None,
) -> Task:
    """A new card, at `position` of `group` (default: the end of the first column).

    `department` defaults to the creator's; None files a company-wide card.
    """
    if department is UNSET:
        department_id = user_department_id(by)
    else:
        department_id = department.pk if department is not None else None
    _check_department(by, department_id)
    group_id = group.pk if group is not None else _first_column_id()
    column = lock_columns([group_id])[group_id]
    cards = live_cards([group_id])[group_id]
    check_wip_limit(column, len(cards))
    task = Task(
        group=column,
        position=len(cards),
        title=title,
        description=description,
        priority=priority,
        project=project,
        department_id=department_id,
        due_date=due_date,
        created_by=by,
        completed_at=timezone.now() if column.is_done_column else None,
    )
    task.full_clean(validate_unique=False, validate_constraints=False)
    task.save()
    task.assignees.set(assignees)
    # Saved at the free slot at the end, then placed: the cards after it shift down.
    cards.insert(len(cards) if position is None else min(position, len(cards)), task)
    write_positions(cards)

    created = _state(task)
    activity_record(task=task, by=by, verb=TaskActivityVerb.CREATED, changes=diff({}, created))
    audit_record(user=by, action="create", instance=task, changes=created)
    _notify_assigned(task, set(created["assignees"]), by)
    # → api/realtime/receivers.py: record_and_publish (through events.py)
    announce_task(task, "created", by=by, changes={})
    return task


def _refuse_placement(task: Task, group: TaskGroup | None, position: int | None) -> None:
    """Edits do not move cards (a client may echo the current place back, though)."""
    errors = {}
    if group is not None and group.pk != task.group_id:
        errors["group"] = ["Cards change column through POST /api/v2/board/move/."]
    if position is not None and position != task.position:
        errors["position"] = ["Cards change position through POST /api/v2/board/move/."]
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def task_update(
    *,
    task: Task,
    by: User,
    version: int,
    group: TaskGroup | None = None,
    position: int | None = None,
    **fields: Any,
) -> Task:
    """Edits the card's content; its place changes only through `task_move`.

    `fields` are among EDITABLE_FIELDS and `assignees`; omitted ones keep their value.
    An edit that changes nothing keeps the version and records nothing.
    """
    task = Task.objects.select_for_update(no_key=True).get(pk=task.pk)
    require_live(task, "edit")
    if task.version != version:
        raise StaleVersion(task)
    _refuse_placement(task, group, position)
    if "department" in fields:
        department = fields["department"]
        _check_department(by, getattr(department, "pk", None), current=task.department_id)
    before = _state(task)
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(task, name, fields[name])
    assignees = fields.get("assignees")
    after_assignees = (
        sorted({user.pk for user in assignees}) if assignees is not None else before["assignees"]
    )
    if not diff(before, snapshot(task) | {"assignees": after_assignees}):
        return task

    task.version += 1
    task.full_clean(validate_unique=False, validate_constraints=False)
    edited = [name for name in EDITABLE_FIELDS if name in fields]
    task.save(update_fields=[*edited, "version", "updated_at"])
    if assignees is not None:
        task.assignees.set(assignees)
    changes = diff(before, _state(task))
    content = {name: change for name, change in changes.items() if name != "version"}
    verb = TaskActivityVerb.ASSIGNED if set(content) == {"assignees"} else TaskActivityVerb.UPDATED
    activity_record(task=task, by=by, verb=verb, changes=content)
    audit_record(user=by, action="update", instance=task, changes=changes)
    _notify_assigned(task, set(after_assignees) - set(before["assignees"]), by)
    # → api/realtime/receivers.py: record_and_publish (through events.py)
    announce_task(task, "updated", by=by, changes=content)
    return task


def _require_may_archive(task: Task, by: User) -> None:
    """An assignee sees and works on a card of another department; taking it off the
    board is for that department's admins (and global admins)."""
    if by.is_global_admin or task.department_id is None:
        return
    if task.department_id != user_department_id(by):
        raise NotAllowed("Only the card's own department archives it.")


@transaction.atomic
def task_archive(*, task: Task, by: User) -> Task:
    """Deleting a card archives it: off the board, its history kept; the gap it leaves in
    its column closes."""
    task, _ = lock_card_and_columns(task.pk)
    require_live(task, "archive")
    _require_may_archive(task, by)
    remaining = [card for card in live_cards([task.group_id])[task.group_id] if card.pk != task.pk]
    before = snapshot(task)
    task.archived_at = timezone.now()
    task.position = None
    task.version += 1
    task.save(update_fields=["archived_at", "position", "version", "updated_at"])
    write_positions(remaining)

    changes = diff(before, snapshot(task))
    activity_record(task=task, by=by, verb=TaskActivityVerb.ARCHIVED, changes=changes)
    audit_record(user=by, action="archive", instance=task, changes=changes)
    # → api/realtime/receivers.py: record_and_publish (through events.py)
    announce_task(task, "deleted", by=by, changes={})
    return task


@transaction.atomic
def task_move(
    *, task: Task, group: TaskGroup, position: int, by: User, version: int | None = None
) -> Task:
    """Places the card in `group` at `position` (clamped to the column's end).

    Both columns stay dense: the cards after the old place move up, those from the new
    place on move down. The columns, then their cards, are locked first (see
    `positions`), so concurrent moves serialise per column instead of interleaving.
    """
    task, columns = lock_card_and_columns(task.pk, group.pk)
    require_live(task, "move")
    if version is not None and task.version != version:
        raise StaleVersion(task)
    source, target = columns[task.group_id], columns[group.pk]
    cards = live_cards(columns)
    source_cards = [card for card in cards[source.pk] if card.pk != task.pk]
    target_cards = source_cards if target.pk == source.pk else cards[target.pk]
    if target.pk != source.pk:
        check_wip_limit(target, len(target_cards))
    index = min(position, len(target_cards))
    if target.pk == source.pk and index == task.position:
        return task

    before = snapshot(task)
    target_cards.insert(index, task)
    task.group = target
    task.completed_at = _completed_at(task, source, target)
    task.version += 1
    write_positions(*([source_cards] if target.pk == source.pk else [source_cards, target_cards]))
    task.save(update_fields=["group", "position", "completed_at", "version", "updated_at"])

    changes = diff(before, snapshot(task))
    moved = {
        "group": {"old": source.pk, "new": target.pk},
        "position": {"old": before["position"], "new": task.position},
    }
    if "completed_at" in changes:
        moved["completed_at"] = changes["completed_at"]
    activity_record(task=task, by=by, verb=TaskActivityVerb.MOVED, changes=moved)
    audit_record(user=by, action="move", instance=task, changes=changes)
    # → api/realtime/receivers.py: record_and_publish (through events.py)
    announce_task(task, "moved", by=by, changes=moved)
    return task

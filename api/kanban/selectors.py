"""Reads of the Kanban domain, each scoped to what the asking user may see.

Who sees a card (Task):

- global admins (superadmin, developer) see every card;
- everybody else sees company-wide cards (no department), the cards of their own
  department (through their Employee record), and every card they created or are
  assigned to, whatever its department.

Archived cards follow the same rule (lists hide them unless asked for). A card's
children — comments, subtasks, time logs, attachments, activities, reminders,
presence rows — are visible exactly when their card is. What a user may not see is
"not found" (404), never "forbidden", so its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from api.accounts.models import User
from api.accounts.permissions import user_can
from api.accounts.roles import Action, Resource
from api.accounts.selectors import user_department_id
from api.kanban.models import (
    BoardPresence,
    Task,
    TaskActivity,
    TaskAttachment,
    TaskComment,
    TaskGroup,
    TaskReminder,
    TaskSubtask,
    TaskTimeLog,
)
from api.realtime.audience import EVERYONE, Audience
from api.realtime.streams import BOARD, task_id_of


def task_scope(user, path: str = "") -> Q | None:
    """The visibility rule as a filter on a card reached through `path` (None: all).

    `path` is "" for Task itself and "task__" for its children. The assignee test is
    an EXISTS, not a join, so a card with several assignees is listed once.
    """
    if user.is_global_admin:
        return None
    assigned = Exists(
        Task.assignees.through.objects.filter(task_id=OuterRef(f"{path}pk"), user_id=user.pk)
    )
    scope = (
        Q(**{f"{path}department__isnull": True})
        | Q(**{f"{path}created_by_id": user.pk})
        | Q(assigned)
    )
    if (department_id := user_department_id(user)) is not None:
        scope |= Q(**{f"{path}department_id": department_id})
    return scope


def task_audience(task: Task, *, also_departments: Iterable[int | None] = ()) -> Audience:
    """`task_scope` turned around: who may receive a live event about this card.

    Its department's members, its creator and assignees (global admins always); everyone
    for a company-wide card. `also_departments`: where the card was before a move
    between departments, so the people it leaves see it go.
    """
    departments = {task.department_id, *also_departments}
    if None in departments:
        return EVERYONE
    user_ids = {task.created_by_id, *task.assignees.values_list("pk", flat=True)} - {None}
    return Audience(
        everyone=False, department_ids=tuple(sorted(departments)), user_ids=tuple(sorted(user_ids))
    )


def task_audience_of(task_id: int, *, changes: dict | None = None) -> Audience:
    """The card's audience by id, `changes` being an event's field diffs (registered
    with realtime as the "task" audience resolver, api/apps.py)."""
    task = Task.objects.only("department_id", "created_by_id").get(pk=task_id)
    moved_from = [changes["department"].get("old")] if changes and "department" in changes else []
    return task_audience(task, also_departments=moved_from)


def _scoped[M: Model](queryset: QuerySet[M], user, path: str = "") -> QuerySet[M]:
    scope = task_scope(user, path)
    return queryset if scope is None else queryset.filter(scope)


def _assignees() -> Prefetch:
    return Prefetch("assignees", queryset=User.objects.order_by("username"))


# ----------------------------------------------------------------------- cards


def task_details() -> QuerySet[Task]:
    """Cards with what the task serializer shows, unscoped: for answers after a write,
    when the writer may no longer see the card (e.g. they unassigned themselves)."""
    return Task.objects.select_related("project", "department", "created_by").prefetch_related(
        _assignees()
    )


def tasks_visible_to(*, user) -> QuerySet[Task]:
    return _scoped(task_details(), user)


def task_is_visible_to(*, user, task_id: int) -> bool:
    return _scoped(Task.objects.filter(pk=task_id), user).exists()


# Stream checkers, registered with realtime in api/apps.py: checked on every subscribe,
# resume and permission change of a socket.


def may_follow_board(user, stream: str) -> bool:
    return stream == BOARD and user_can(user, Resource.TASKS, Action.VIEW)


def may_follow_task(user, stream: str) -> bool:
    task_id = task_id_of(stream)
    return (
        task_id is not None
        and user_can(user, Resource.TASKS, Action.VIEW)
        and task_is_visible_to(user=user, task_id=task_id)
    )


def _count_of(model: type[Model], **filters) -> Coalesce:
    """Rows of a card's child table per card, as a correlated subquery.

    Subqueries rather than Count() over joins: joining comments, subtasks and
    attachments together would multiply rows per card.
    """
    rows = (
        model.objects.filter(task_id=OuterRef("pk"), **filters)
        .order_by()
        .values("task_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def board_cards() -> QuerySet[Task]:
    """Live cards in board order with the counts a compact card shows, in two queries
    (cards with their project, department and creator joined; assignees) whatever
    their number; unscoped."""
    return (
        Task.objects.filter(archived_at__isnull=True)
        .select_related("project", "department", "created_by")
        .prefetch_related(_assignees())
        .annotate(
            comment_count=_count_of(TaskComment, deleted_at__isnull=True),
            subtask_count=_count_of(TaskSubtask),
            subtask_done_count=_count_of(TaskSubtask, is_done=True),
            attachment_count=_count_of(TaskAttachment),
        )
        .order_by("group_id", "position", "id")
    )


def board_cards_visible_to(*, user) -> QuerySet[Task]:
    return _scoped(board_cards(), user)


def board_columns(*, cards: QuerySet[Task]) -> list[TaskGroup]:
    """Every column in board order, each with `cards` (its cards from `cards`) and `total`
    (all its live cards, visible or not: what the WIP limit counts)."""
    columns = list(
        TaskGroup.objects.annotate(
            total=Count("tasks", filter=Q(tasks__archived_at__isnull=True))
        ).order_by("position", "id")
    )
    by_column: dict[int, list[Task]] = {column.pk: [] for column in columns}
    for card in cards:
        by_column.setdefault(card.group_id, []).append(card)
    for column in columns:
        column.cards = by_column[column.pk]
    return columns


# ----------------------------------------------------------------------- columns


def task_groups_visible_to(*, user) -> QuerySet[TaskGroup]:
    """The columns are the shared frame of the board: everyone sees all of them."""
    return TaskGroup.objects.annotate(
        live_count=Count("tasks", filter=Q(tasks__archived_at__isnull=True))
    )


# ----------------------------------------------------------------------- children


def task_comments_visible_to(*, user) -> QuerySet[TaskComment]:
    return _scoped(TaskComment.objects.select_related("author"), user, "task__")


def task_subtasks_visible_to(*, user) -> QuerySet[TaskSubtask]:
    return _scoped(TaskSubtask.objects.all(), user, "task__")


def task_time_logs_visible_to(*, user) -> QuerySet[TaskTimeLog]:
    return _scoped(TaskTimeLog.objects.select_related("user"), user, "task__")


def task_activities_visible_to(*, user) -> QuerySet[TaskActivity]:
    return _scoped(TaskActivity.objects.select_related("actor"), user, "task__")


def task_attachments_visible_to(*, user) -> QuerySet[TaskAttachment]:
    return _scoped(TaskAttachment.objects.select_related("uploaded_by"), user, "task__")


def task_reminders_visible_to(*, user) -> QuerySet[TaskReminder]:
    """Reminders are personal: one's own only; global admins, who may set them for
    others, see all."""
    reminders = TaskReminder.objects.select_related("user")
    if user.is_global_admin:
        return reminders
    return _scoped(reminders.filter(user_id=user.pk), user, "task__")


def board_presence_visible_to(*, user) -> QuerySet[BoardPresence]:
    """Who is connected now: board-wide rows for everyone, card rows when the card is
    visible."""
    rows = BoardPresence.objects.filter(disconnected_at__isnull=True).select_related("user")
    scope = task_scope(user, "task__")
    return rows if scope is None else rows.filter(Q(task__isnull=True) | scope)


def running_time_log(*, user_id: int, exclude_id: int | None = None) -> TaskTimeLog | None:
    logs = TaskTimeLog.objects.filter(user_id=user_id, ended_at__isnull=True)
    if exclude_id is not None:
        logs = logs.exclude(pk=exclude_id)
    return logs.first()

"""Writes of the work on a card: subtasks, time logs and personal reminders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from api.accounts.models import User
from api.accounts.roles import Resource
from api.audit.trail import diff, snapshot
from api.common.exceptions import Conflict, InvalidInput, NotAllowed
from api.common.services import instance_create, instance_delete, instance_update
from api.kanban import selectors
from api.kanban.models import Task, TaskActivityVerb, TaskReminder, TaskSubtask, TaskTimeLog
from api.kanban.services.history import activity_record, require_live
from api.notifications.models import NotificationKind
from api.notifications.services import notification_data, notifications_create

# ----------------------------------------------------------------------- subtasks


def _done_at(is_done: bool, current: datetime | None) -> datetime | None:
    if not is_done:
        return None
    return current or timezone.now()


@transaction.atomic
def task_subtask_create(*, task: Task, by: User, **fields: Any) -> TaskSubtask:
    """A checklist item, appended unless `position` is given."""
    require_live(task, "add subtasks to")
    if fields.get("position") is None:
        last = task.subtasks.aggregate(last=Max("position"))["last"]
        fields["position"] = 0 if last is None else last + 1
    fields["done_at"] = _done_at(fields.get("is_done", False), None)
    subtask = instance_create(model=TaskSubtask, data={"task": task, **fields}, by=by)
    activity_record(
        task=task,
        by=by,
        verb=TaskActivityVerb.SUBTASK,
        changes={"subtask": subtask.pk, "action": "created", "title": subtask.title},
    )
    return subtask


@transaction.atomic
def task_subtask_update(*, subtask: TaskSubtask, by: User, **fields: Any) -> TaskSubtask:
    """Edits a subtask; ticking it records when it was done, unticking clears that."""
    subtask = TaskSubtask.objects.select_for_update(no_key=True).get(pk=subtask.pk)
    before = snapshot(subtask)
    if "is_done" in fields:
        fields["done_at"] = _done_at(fields["is_done"], subtask.done_at)
    subtask = instance_update(instance=subtask, data=fields, by=by)
    if changes := diff(before, snapshot(subtask)):
        activity_record(
            task=subtask.task,
            by=by,
            verb=TaskActivityVerb.SUBTASK,
            changes={"subtask": subtask.pk, "action": "updated", **changes},
        )
    return subtask


@transaction.atomic
def task_subtask_delete(*, subtask: TaskSubtask, by: User) -> None:
    activity_record(
        task=subtask.task,
        by=by,
        verb=TaskActivityVerb.SUBTASK,
        changes={"subtask": subtask.pk, "action": "deleted", "title": subtask.title},
    )
    instance_delete(instance=subtask, by=by)


# ----------------------------------------------------------------------- time logs


def _lock_timers_of(user_id: int) -> None:
    """Serialises timer changes per user, so two requests cannot both start one."""
    User.objects.select_for_update(no_key=True).filter(pk=user_id).first()


# A client stopping its timer sends its own clock's "now", which may run a little ahead
# of the server's: that much is still the present, not work yet to be done.
CLOCK_SKEW = timedelta(minutes=1)


def _check_times(started_at: datetime, ended_at: datetime | None) -> None:
    if ended_at is not None and ended_at <= started_at:
        raise InvalidInput({"ended_at": ["The end must be after the start."]})


def _check_not_future(times: dict[str, datetime | None]) -> None:
    """A time log records work done: the times given cannot be later than now."""
    latest = timezone.now() + CLOCK_SKEW
    for name in ("ended_at", "started_at"):
        if (value := times.get(name)) is not None and value > latest:
            raise InvalidInput({name: ["A time log cannot reach into the future."]})


def _check_one_running(user_id: int, exclude_id: int | None = None) -> None:
    running = selectors.running_time_log(user_id=user_id, exclude_id=exclude_id)
    if running is not None:
        raise Conflict(
            f"Your timer on card {running.task_id} is still running; stop it first.",
            code="timer_running",
            field="ended_at",
            running_time_log=running.pk,
        )


def _require_own(log: TaskTimeLog, by: User) -> None:
    if log.user_id != by.pk:
        raise NotAllowed("Only your own time logs may be changed.")


def _time_logged(log: TaskTimeLog, by: User, action: str, changes: dict) -> None:
    activity_record(
        task=log.task,
        by=by,
        verb=TaskActivityVerb.TIME_LOGGED,
        changes={"time_log": log.pk, "action": action, **changes},
    )


@transaction.atomic
def task_time_log_create(
    *,
    task: Task,
    by: User,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    note: str = "",
) -> TaskTimeLog:
    """Logs time spent on a card; without `ended_at` it starts a running timer (one per
    person at a time)."""
    require_live(task, "log time on")
    started_at = started_at or timezone.now()
    _check_times(started_at, ended_at)
    _check_not_future({"started_at": started_at, "ended_at": ended_at})
    _lock_timers_of(by.pk)
    if ended_at is None:
        _check_one_running(by.pk)
    data = {"task": task, "user": by, "started_at": started_at, "ended_at": ended_at, "note": note}
    log = instance_create(model=TaskTimeLog, data=data, by=by)
    _time_logged(log, by, "created", diff({}, snapshot(log)))
    return log


@transaction.atomic
def task_time_log_update(*, log: TaskTimeLog, by: User, **fields: Any) -> TaskTimeLog:
    """Edits one's own log; setting `ended_at` stops a running timer."""
    _require_own(log, by)
    _lock_timers_of(by.pk)
    log = TaskTimeLog.objects.select_for_update(no_key=True).get(pk=log.pk)
    started_at = fields.get("started_at", log.started_at)
    ended_at = fields.get("ended_at", log.ended_at)
    _check_times(started_at, ended_at)
    # Only the times this edit sets: a note is still editable on any log.
    _check_not_future(fields)
    if ended_at is None:
        _check_one_running(by.pk, exclude_id=log.pk)
    before = snapshot(log)
    log = instance_update(instance=log, data=fields, by=by)
    if changes := diff(before, snapshot(log)):
        _time_logged(log, by, "updated", changes)
    return log


@transaction.atomic
def task_time_log_delete(*, log: TaskTimeLog, by: User) -> None:
    _require_own(log, by)
    _time_logged(log, by, "deleted", {})
    instance_delete(instance=log, by=by)


# ----------------------------------------------------------------------- reminders


def _reminder_user(task: Task, by: User, user: User | None) -> User:
    """One's own reminder; global admins may set one for somebody who can see the card."""
    if user is None or user.pk == by.pk:
        return by
    if not by.is_global_admin:
        raise InvalidInput({"user": ["You may set reminders only for yourself."]})
    if not selectors.task_is_visible_to(user=user, task_id=task.pk):
        raise InvalidInput({"user": ["This person cannot see the card."]})
    return user


def _check_future(remind_at: datetime) -> None:
    if remind_at <= timezone.now():
        raise InvalidInput({"remind_at": ["The reminder must be in the future."]})


@transaction.atomic
def task_reminder_create(
    *, task: Task, by: User, remind_at: datetime, message: str = "", user: User | None = None
) -> TaskReminder:
    require_live(task, "set reminders on")
    _check_future(remind_at)
    data = {
        "task": task,
        "user": _reminder_user(task, by, user),
        "remind_at": remind_at,
        "message": message,
    }
    return instance_create(model=TaskReminder, data=data, by=by)


@transaction.atomic
def task_reminder_update(*, reminder: TaskReminder, by: User, **fields: Any) -> TaskReminder:
    """A new `remind_at` (in the future) re-arms a reminder that was already sent."""
    if "user" in fields:
        fields["user"] = _reminder_user(reminder.task, by, fields["user"])
    if "remind_at" in fields and fields["remind_at"] != reminder.remind_at:
        _check_future(fields["remind_at"])
        fields["sent_at"] = None
    return instance_update(instance=reminder, data=fields, by=by)


def task_reminder_delete(*, reminder: TaskReminder, by: User) -> None:
    instance_delete(instance=reminder, by=by)


def task_reminders_send_due(*, now: datetime | None = None, batch: int = 500) -> int:
    """Due reminders become notifications, each exactly once (periodic job).

    Rows are claimed with SKIP LOCKED, so two schedulers running at once (a
    duplicated beat) split the work instead of notifying twice.
    """
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                TaskReminder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(sent_at__isnull=True, remind_at__lte=now)
                .select_related("task", "user")
                .order_by("remind_at", "id")[:batch]
            )
            for reminder in due:
                notifications_create(
                    recipients=[reminder.user],
                    kind=NotificationKind.TASK_REMINDER,
                    title=f"Reminder: {reminder.task.title}",
                    message=reminder.message,
                    data=notification_data(Resource.TASKS, reminder.task_id, reminder=reminder.pk),
                )
            TaskReminder.objects.filter(pk__in=[r.pk for r in due]).update(sent_at=now)
        sent += len(due)
        if len(due) < batch:
            return sent

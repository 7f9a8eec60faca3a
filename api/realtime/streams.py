"""Stream names and who may read them. A stream is the unit of ordering and of
catch-up: "board" (task events), "task.<id>" (comments), "user.<id>" (one person's
notifications and permission updates)."""

from __future__ import annotations

import re

BOARD = "board"
_TASK = re.compile(r"^task\.(\d+)$")
_USER = re.compile(r"^user\.(\d+)$")


def task_stream(task_id: int) -> str:
    return f"task.{task_id}"


def user_stream(user_id: int) -> str:
    return f"user.{user_id}"


def task_id_of(stream: str) -> int | None:
    match = _TASK.match(stream)
    return int(match.group(1)) if match else None


def user_id_of(stream: str) -> int | None:
    match = _USER.match(stream)
    return int(match.group(1)) if match else None


def may_read(user, stream: str) -> bool:
    """Checked on every subscribe and resume (sync: call through database_sync_to_async)."""
    from api.accounts.permissions import user_can
    from api.accounts.roles import Action, Resource

    if stream == BOARD:
        return user_can(user, Resource.TASKS, Action.VIEW)
    if (user_id := user_id_of(stream)) is not None:
        return user_id == user.pk
    if (task_id := task_id_of(stream)) is not None:
        from api.kanban.selectors import tasks_visible_to

        return (
            user_can(user, Resource.TASKS, Action.VIEW)
            and tasks_visible_to(user=user).filter(pk=task_id).exists()
        )
    return False

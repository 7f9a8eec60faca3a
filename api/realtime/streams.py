"""Stream names. A stream is the unit of ordering and of catch-up: "board" (task
events), "task.<id>" (one card: its events and comments), "user.<id>" (one person's
notifications and permission updates). Who may follow which is in the registry
(api/realtime/registry.py), filled by the domains."""

from __future__ import annotations

import re

BOARD = "board"
_TASK = re.compile(r"^task\.(\d+)$")
_USER = re.compile(r"^user\.(\d+)$")


def task_stream(task_id: int) -> str:
    return f"task.{task_id}"


def user_stream(user_id: int) -> str:
    return f"user.{user_id}"


def kind_of(stream: str) -> str:
    """ "board" → "board", "task.12" → "task", "user.5" → "user"."""
    return stream.partition(".")[0]


def task_id_of(stream: str) -> int | None:
    match = _TASK.match(stream)
    return int(match.group(1)) if match else None


def user_id_of(stream: str) -> int | None:
    match = _USER.match(stream)
    return int(match.group(1)) if match else None

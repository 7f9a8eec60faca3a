"""Stream names. A stream is the unit of ordering and of catch-up: "board" (task
events), "task.<id>" (one card: its events and comments), "user.<id>" (one person's
notifications and permission updates). Who may follow which is in the registry
(api/realtime/registry.py), filled by the domains."""

from __future__ import annotations

import re

BOARD = "board"
# Written one way only ("task.12", not "task.012" or "task.12\n"), so one stream has
# one name; ids of at most 18 digits fit the database's integers.
_TASK = re.compile(r"task\.([1-9][0-9]{0,17})")
_USER = re.compile(r"user\.([1-9][0-9]{0,17})")


def task_stream(task_id: int) -> str:
    return f"task.{task_id}"


def user_stream(user_id: int) -> str:
    return f"user.{user_id}"


def kind_of(stream: str) -> str:
    """ "board" → "board", "task.12" → "task", "user.5" → "user"."""
    return stream.partition(".")[0]


def task_id_of(stream: str) -> int | None:
    match = _TASK.fullmatch(stream)
    return int(match.group(1)) if match else None


def user_id_of(stream: str) -> int | None:
    match = _USER.fullmatch(stream)
    return int(match.group(1)) if match else None


def is_stream_name(stream: str) -> bool:
    """One of the names above, as this module writes it."""
    return stream == BOARD or task_id_of(stream) is not None or user_id_of(stream) is not None

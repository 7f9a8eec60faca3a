"""The public real-time helpers: thin builders of DomainEvent for the common cases.

Each emits its event(s) inside the caller's transaction (recorded there, broadcast
only if it commits: api/realtime/receivers.py), or sends a control message after
commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from api.accounts.selectors import department_admins, ptb_admins, superadmins
from api.realtime import registry
from api.realtime.audience import Audience
from api.realtime.control import send_control
from api.realtime.envelope import EventType
from api.realtime.events import DomainEvent, emit
from api.realtime.streams import BOARD, task_stream, user_stream


def send_notification_to_user(user_id: int, data: dict) -> None:
    # → api/realtime/receivers.py: record_and_publish
    emit(DomainEvent(user_stream(user_id), EventType.NOTIFICATION_CREATED, data))


# A group's payload: the same for everyone, or built from the recipients' ids once they
# are known (the notifications domain stores one row each and renders it).
GroupPayload = Mapping[str, Any] | Callable[[list[int]], Mapping[int, dict]]


def _send_to_each(user_ids: list[int], data: GroupPayload) -> list[int]:
    payloads = data(user_ids) if callable(data) else {user_id: dict(data) for user_id in user_ids}
    for user_id, payload in payloads.items():
        send_notification_to_user(user_id, payload)
    return list(payloads)


def send_notification_to_ptb_admins(
    data: GroupPayload, *, department_id: int | None = None
) -> list[int]:
    """Every active department admin, or those of one department; returns who was told."""
    if department_id is None:
        admins = ptb_admins()
    else:
        admins = department_admins(department_id=department_id)
    return _send_to_each(list(admins.values_list("pk", flat=True)), data)


def send_notification_to_superadmins(data: GroupPayload) -> list[int]:
    """Every active superadmin; returns who was told."""
    return _send_to_each(list(superadmins().values_list("pk", flat=True)), data)


def _broadcast_task(type: str, data: dict, audience: Audience | None) -> None:
    """On the board and on the card's own stream, for the card's audience: unless
    given, the kanban rule (registered as "task") for the card as it is now and, after
    a move between departments, as it was."""
    task_id = data["task"]["id"]
    if audience is None:
        audience = registry.audience_of("task", task_id, changes=data.get("changes", {}))
    # → api/realtime/receivers.py: record_and_publish
    emit(DomainEvent(BOARD, type, data, audience))
    emit(DomainEvent(task_stream(task_id), type, data, audience))


def broadcast_task_created(data: dict, *, audience: Audience | None = None) -> None:
    _broadcast_task(EventType.TASK_CREATED, data, audience)


def broadcast_task_updated(data: dict, *, audience: Audience | None = None) -> None:
    _broadcast_task(EventType.TASK_UPDATED, data, audience)


def broadcast_task_moved(data: dict, *, audience: Audience | None = None) -> None:
    _broadcast_task(EventType.TASK_MOVED, data, audience)


def broadcast_task_deleted(data: dict, *, audience: Audience | None = None) -> None:
    _broadcast_task(EventType.TASK_DELETED, data, audience)


def send_permission_update_to_user(user_id: int, data: dict) -> None:
    """Tells the user (event) and makes their sockets re-check what they may follow."""
    # → api/realtime/receivers.py: record_and_publish
    emit(DomainEvent(user_stream(user_id), EventType.PERMISSION_UPDATE, data))
    # The update rides along, so that sockets not following user.<id> are told too.
    send_control(user_id, {"type": "permissions.changed", "update": data})


def end_session_sockets(user_id: int, session_id: str | None = None) -> None:
    """Closes the sockets of one session (logout) or of every session (None)."""
    send_control(user_id, {"type": "session.ended", "session_id": session_id})

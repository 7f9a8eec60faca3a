"""The real-time helper functions: callable from services and signal receivers.

Each records a durable event in the current transaction (and so is broadcast only
if that transaction commits), or sends a control message after commit.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from api.accounts.models import User
from api.accounts.roles import Role
from api.realtime.envelope import EventType
from api.realtime.publisher import EVERYONE, Audience, record
from api.realtime.streams import BOARD, task_stream, user_stream

logger = logging.getLogger("api.realtime")


def send_notification_to_user(user_id: int, data: dict) -> None:
    record(user_stream(user_id), EventType.NOTIFICATION_CREATED, data)


def send_notification_to_ptb_admins(data: dict, *, department_id: int | None = None) -> None:
    """Every department admin, or those of one department."""
    admins = User.objects.filter(is_active=True, role=Role.PTB_ADMIN)
    if department_id is not None:
        admins = admins.filter(employee__department_id=department_id)
    for user_id in admins.values_list("pk", flat=True):
        send_notification_to_user(user_id, data)


def send_notification_to_superadmins(data: dict) -> None:
    for user_id in User.objects.filter(is_active=True, role=Role.SUPERADMIN).values_list(
        "pk", flat=True
    ):
        send_notification_to_user(user_id, data)


def _broadcast_task(type: str, data: dict, audience: Audience) -> None:
    record(BOARD, type, data, audience=audience)
    # The card's own detail stream: everyone following it may see the card.
    record(task_stream(data["task"]["id"]), type, data)


def broadcast_task_created(data: dict, *, audience: Audience = EVERYONE) -> None:
    _broadcast_task(EventType.TASK_CREATED, data, audience)


def broadcast_task_updated(data: dict, *, audience: Audience = EVERYONE) -> None:
    _broadcast_task(EventType.TASK_UPDATED, data, audience)


def broadcast_task_moved(data: dict, *, audience: Audience = EVERYONE) -> None:
    _broadcast_task(EventType.TASK_MOVED, data, audience)


def broadcast_task_deleted(data: dict, *, audience: Audience = EVERYONE) -> None:
    _broadcast_task(EventType.TASK_DELETED, data, audience)


def _control(user_id: int, message: dict) -> None:
    """A channel-layer message to one user's sockets, once the transaction commits."""
    from api.realtime.consumers import control_group

    def send() -> None:
        try:
            async_to_sync(get_channel_layer().group_send)(control_group(user_id), message)
        except Exception:  # the channel layer is down: sockets re-check at reconnect
            logger.warning("realtime control message to user %s failed", user_id)

    transaction.on_commit(send, robust=True)


def send_permission_update_to_user(user_id: int, data: dict) -> None:
    """Tells the user (event) and makes their sockets re-check what they may follow."""
    record(user_stream(user_id), EventType.PERMISSION_UPDATE, data)
    _control(user_id, {"type": "permissions.changed"})


def end_session_sockets(user_id: int, session_id: str | None = None) -> None:
    """Closes the sockets of one session (logout) or of every session (None)."""
    _control(user_id, {"type": "session.ended", "session_id": session_id})

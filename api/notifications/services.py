"""Creating notifications and marking them read.

Rows are written in the caller's transaction and their live events are emitted
right away, inside it: realtime records them in the same transaction and pushes them
to the recipient's sockets once it commits. The payload (the notification as the
API shows it, the unread count) is built here, by the notifications domain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from api.accounts.models import User
from api.common.generations import rows_changed
from api.notifications.models import Notification
from api.notifications.selectors import unread_count
from api.notifications.serializers import NotificationSerializer
from api.realtime import helpers
from api.realtime.envelope import EventType
from api.realtime.events import DomainEvent, emit
from api.realtime.streams import user_stream


def _payload(notification: Notification) -> dict[str, Any]:
    """What `notification.created` carries: the notification as the API shows it and
    the recipient's unread count."""
    return {
        "notification": dict(NotificationSerializer(notification).data),
        "unread_count": unread_count(user=User(pk=notification.recipient_id)),
    }


def _announce(notifications: list[Notification]) -> None:
    for notification in notifications:
        # → api/realtime/receivers.py: record_and_publish (through the helper)
        helpers.send_notification_to_user(notification.recipient_id, _payload(notification))


def notification_data(resource: str, id: int, **extra: Any) -> dict[str, Any]:
    """What a notification points at, the one shape of every kind's `data`:
    `{"resource": <API resource, e.g. "tasks">, "id": <its id>, ...extra}`.

    A client opens `resource`/`id` without knowing the kind; `extra` carries what it
    shows without a request (a status, a number) or a second object (a reminder).
    """
    return {"resource": str(resource), "id": id, **extra}


def _rows(
    recipient_ids: Iterable[int], *, kind: str, title: str, message: str, data, actor
) -> list[Notification]:
    actor_id = getattr(actor, "pk", None)
    rows = [
        Notification(
            recipient_id=recipient_id,
            # The actor as given, not only its id: the payload shows them, and
            # reading them back was one more query per notification.
            actor=actor,
            kind=kind,
            title=title[:200],
            message=message,
            data=data or {},
        )
        # dict.fromkeys: each recipient once, in the order given.
        for recipient_id in dict.fromkeys(recipient_ids)
        # The actor is never told of their own act.
        if recipient_id is not None and recipient_id != actor_id
    ]
    created = Notification.objects.bulk_create(rows)
    rows_changed(Notification)  # bulk_create sends no post_save
    return created


def notifications_create(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    message: str = "",
    data: dict[str, Any] | None = None,
    actor: User | None = None,
) -> list[Notification]:
    """One notification per distinct recipient (the actor is never told of their own act).

    `data` comes from `notification_data`; only a notification about nothing in
    particular (a system message) leaves it out.
    """
    created = _rows(
        (getattr(recipient, "pk", None) for recipient in recipients),
        kind=kind,
        title=title,
        message=message,
        data=data,
        actor=actor,
    )
    _announce(created)
    return created


def _stored(*, actor: User, **row) -> Callable[[list[int]], dict[int, dict]]:
    """The payload builder for a group helper: stores one row per recipient it is given
    and renders each as `_announce` does."""

    def store_and_render(recipient_ids: list[int]) -> dict[int, dict]:
        created = _rows(recipient_ids, actor=actor, **row)
        return {notification.recipient_id: _payload(notification) for notification in created}

    return store_and_render


def notifications_create_for_department_admins(
    *,
    department_id: int | None,
    kind: str,
    title: str,
    message: str = "",
    data=None,
    actor: User | None = None,
) -> list[int]:
    """A notification for each active admin of the department (none without one);
    returns the recipients' ids."""
    if department_id is None:
        return []
    # → api/realtime/receivers.py: record_and_publish (through the helper)
    return helpers.send_notification_to_ptb_admins(
        _stored(kind=kind, title=title, message=message, data=data, actor=actor),
        department_id=department_id,
    )


def notifications_create_for_superadmins(
    *, kind: str, title: str, message: str = "", data=None, actor: User | None = None
) -> list[int]:
    """A notification for each active superadmin; returns the recipients' ids."""
    # → api/realtime/receivers.py: record_and_publish (through the helper)
    return helpers.send_notification_to_superadmins(
        _stored(kind=kind, title=title, message=message, data=data, actor=actor)
    )


def notification_mark_read(*, notification: Notification) -> Notification:
    if not notification.is_read:
        notification.is_read = True
        notification.read_at = timezone.now()
        notification.save(update_fields=["is_read", "read_at", "updated_at"])
        _announce_read(notification.recipient_id)
    return notification


def notifications_mark_all_read(*, user) -> int:
    count = Notification.objects.filter(recipient=user, is_read=False).update(
        is_read=True, read_at=timezone.now(), updated_at=timezone.now()
    )
    if count:
        rows_changed(Notification)  # update() sends no post_save
        _announce_read(user.pk)
    return count


def _announce_read(user_id: int) -> None:
    # → api/realtime/receivers.py: record_and_publish
    emit(
        DomainEvent(
            user_stream(user_id),
            EventType.NOTIFICATIONS_READ,
            {"unread_count": unread_count(user=User(pk=user_id))},
        )
    )


def notification_mark_read_for(*, user, notification_id: int) -> bool:
    """Marks one of the user's own notifications read; False when it is not theirs."""
    notification = Notification.objects.filter(pk=notification_id, recipient_id=user.pk).first()
    if notification is None:
        return False
    notification_mark_read(notification=notification)
    return True

"""Domain signals → realtime events. Connected in ApiConfig.ready().

The domain services send their signals inside the writing transaction, so each
event below is recorded in that same transaction (and broadcast after it commits).
"""

from __future__ import annotations

from django.dispatch import receiver

from api.accounts.signals import permissions_changed, sessions_ended
from api.common.representation import user_brief
from api.kanban.signals import comment_changed, task_changed
from api.notifications.services import notifications_created, notifications_read
from api.realtime import helpers
from api.realtime.envelope import EventType
from api.realtime.publisher import EVERYONE, Audience, record
from api.realtime.streams import task_stream, user_stream

_COMMENT_TYPES = {
    "created": EventType.COMMENT_CREATED,
    "edited": EventType.COMMENT_EDITED,
    "deleted": EventType.COMMENT_DELETED,
}


def _task_audience(task, changes: dict) -> Audience:
    """Who may see the card: its department (before and after a move between
    departments), its creator and assignees; everyone for a company-wide card."""
    departments = {task.department_id}
    if "department" in changes:
        departments.add(changes["department"].get("old"))
    if None in departments:
        return EVERYONE
    user_ids = {task.created_by_id, *task.assignees.values_list("pk", flat=True)}
    return Audience(
        everyone=False, department_ids=tuple(sorted(departments)), user_ids=tuple(user_ids)
    )


def _card(task) -> dict:
    from api.kanban.selectors import board_cards
    from api.kanban.serializers import BoardCardSerializer

    live = board_cards().filter(pk=task.pk).first()
    if live is None:  # archived: only what the board needs to drop it
        return {"id": task.pk, "group": task.group_id, "department": task.department_id}
    return dict(BoardCardSerializer(live).data)


@receiver(task_changed, dispatch_uid="realtime-task-changed")
def on_task_changed(sender, task, change: str, actor, changes: dict, **kwargs) -> None:
    data = {"task": _card(task), "changes": changes, "actor": user_brief(actor)}
    audience = _task_audience(task, changes)
    {
        "created": helpers.broadcast_task_created,
        "updated": helpers.broadcast_task_updated,
        "moved": helpers.broadcast_task_moved,
        "deleted": helpers.broadcast_task_deleted,
    }[change](data, audience=audience)


@receiver(comment_changed, dispatch_uid="realtime-comment-changed")
def on_comment_changed(sender, comment, change: str, actor, **kwargs) -> None:
    deleted = comment.deleted_at is not None
    record(
        task_stream(comment.task_id),
        _COMMENT_TYPES[change],
        {
            "comment": {
                "id": comment.pk,
                "task": comment.task_id,
                "author": user_brief(comment.author),
                "body": "" if deleted else comment.body,
                "is_deleted": deleted,
                "created_at": comment.created_at.isoformat(),
                "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
            },
            "actor": user_brief(actor),
        },
    )


@receiver(notifications_created, dispatch_uid="realtime-notifications")
def on_notifications_created(sender, notifications, **kwargs) -> None:
    from api.notifications.selectors import unread_count
    from api.notifications.serializers import NotificationSerializer

    for notification in notifications:
        recipient = notification.recipient
        helpers.send_notification_to_user(
            recipient.pk,
            {
                "notification": dict(NotificationSerializer(notification).data),
                "unread_count": unread_count(user=recipient),
            },
        )


@receiver(notifications_read, dispatch_uid="realtime-notifications-read")
def on_notifications_read(sender, user_id: int, **kwargs) -> None:
    from api.accounts.models import User
    from api.notifications.selectors import unread_count

    user = User(pk=user_id)
    record(
        user_stream(user_id),
        EventType.NOTIFICATIONS_READ,
        {"unread_count": unread_count(user=user)},
    )


@receiver(permissions_changed, dispatch_uid="realtime-permissions")
def on_permissions_changed(sender, user, **kwargs) -> None:
    from api.accounts.permissions import effective_permissions, forget_effective_permissions

    forget_effective_permissions(user)
    helpers.send_permission_update_to_user(
        user.pk,
        {
            "role": user.role,
            "is_active": user.is_active,
            "permissions": {
                resource: sorted(actions)
                for resource, actions in sorted(effective_permissions(user).items())
            },
        },
    )


@receiver(sessions_ended, dispatch_uid="realtime-sessions-ended")
def on_sessions_ended(sender, sessions, **kwargs) -> None:
    for user_id, session_id in sessions:
        helpers.end_session_sockets(user_id, session_id)

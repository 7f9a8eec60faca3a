"""Notifications the lower layers ask for through their signals, connected in
ApiConfig.ready()."""

from __future__ import annotations

from typing import Any

from api.accounts.models import User
from api.accounts.roles import Resource
from api.notifications.models import NotificationKind
from api.notifications.services import notification_data, notifications_create


def notify_access_changed(sender, *, user: User, by: User, changes: dict[str, Any], **kwargs):
    """The user whose role or permissions an administrator changed is told so."""
    if "role" in changes:
        message = f"Your role is now {user.get_role_display()}."
    else:
        message = "An administrator changed what you may do in the app."
    notifications_create(
        recipients=[user],
        kind=NotificationKind.PERMISSION_CHANGED,
        title="Your permissions changed",
        message=message,
        data=notification_data(Resource.ACCESS_CONTROL, user.pk, role=user.role),
        actor=by,
    )

"""ws/notifications/: one user's notifications, unread count and permission updates."""

from channels.db import database_sync_to_async

from api.accounts.permissions import user_can
from api.accounts.roles import Action, Resource
from api.notifications.selectors import unread_count
from api.notifications.services import (
    notification_mark_read_for,
    notifications_mark_all_read,
)
from api.realtime.consumers import RealtimeConsumer
from api.realtime.envelope import EventType
from api.realtime.streams import user_stream


def _may_mark(user) -> bool:
    return user_can(user, Resource.NOTIFICATIONS, Action.CHANGE)


class NotificationConsumer(RealtimeConsumer):
    @property
    def stream(self) -> str:
        return user_stream(self.identity.user.pk)

    async def joined(self) -> None:
        await self.follow(self.stream)
        await self._send_unread_count()

    async def handle(self, kind: str, message: dict) -> None:
        if kind not in ("mark_read", "mark_all_read"):
            await super().handle(kind, message)
            return
        user = self.identity.user
        if not await database_sync_to_async(_may_mark)(user):
            await self.reply_error("Your permissions do not allow marking notifications read.")
            return
        if kind == "mark_all_read":
            await database_sync_to_async(notifications_mark_all_read)(user=user)
        else:
            notification_id = message.get("id")
            if not isinstance(notification_id, int):
                await self.reply_error("'mark_read' needs the notification 'id'.")
                return
            if not await database_sync_to_async(notification_mark_read_for)(
                user=user, notification_id=notification_id
            ):
                await self.reply_error("No such notification.", id=notification_id)
                return
        await self._send_unread_count()

    async def _send_unread_count(self) -> None:
        count = await database_sync_to_async(unread_count)(user=self.identity.user)
        await self.reply(EventType.UNREAD_COUNT, {"unread_count": count}, stream=self.stream)

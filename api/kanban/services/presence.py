"""The durable trail of who was on the board (BoardPresence rows).

Live presence ("who is here now") lives in Redis with expiry (api/realtime/presence);
these rows answer "who was here, when" for /api/v1/board-presence/ and audits.

One row per person and place (the board, or one card), whatever the number of tabs
and reconnections: a socket that opens takes the row over, its heartbeats keep it
open, the last goodbye closes it. A working day of reconnecting clients therefore
leaves as many rows as people, not one per connection.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from api.kanban.models import BoardPresence


def board_presence_joined(
    *, user_id: int, channel_name: str, server_id: str = "", task_id: int | None = None
) -> None:
    now = timezone.now()
    row = {"channel_name": channel_name, "server_id": server_id[:64], "last_seen_at": now}
    for _ in range(2):
        # A reconnect (another tab, another process) may release the channel name of an
        # old row or create the person's row at the same moment: the second try sees it.
        try:
            with transaction.atomic():
                BoardPresence.objects.filter(channel_name=channel_name).exclude(
                    user_id=user_id, task_id=task_id
                ).delete()
                updated = BoardPresence.objects.filter(user_id=user_id, task_id=task_id)
                if updated.filter(disconnected_at__isnull=False).update(
                    **row, connected_at=now, disconnected_at=None
                ) or updated.update(**row):
                    return
                BoardPresence.objects.create(
                    user_id=user_id, task_id=task_id, connected_at=now, **row
                )
                return
        except IntegrityError:
            continue


def board_presence_seen(*, channel_name: str, user_id: int, task_id: int | None = None) -> None:
    """A heartbeat: this socket's person is still here (reopens the row if another of
    their tabs closed it meanwhile)."""
    now = timezone.now()
    updated = BoardPresence.objects.filter(user_id=user_id, task_id=task_id)
    if not updated.filter(disconnected_at__isnull=False).update(
        channel_name=channel_name, last_seen_at=now, connected_at=now, disconnected_at=None
    ):
        updated.update(channel_name=channel_name, last_seen_at=now)


def board_presence_left(*, channel_name: str) -> None:
    """Closes the row this socket holds; a row another tab took over stays open."""
    BoardPresence.objects.filter(channel_name=channel_name, disconnected_at__isnull=True).update(
        disconnected_at=timezone.now()
    )


def board_presence_close_stale(*, older_than) -> int:
    """Rows of sockets that vanished without a goodbye (a process died): their
    heartbeats stopped, so their last_seen_at stays behind."""
    return BoardPresence.objects.filter(
        disconnected_at__isnull=True, last_seen_at__lt=older_than
    ).update(disconnected_at=timezone.now())

"""The durable trail of who was on the board (BoardPresence rows).

Live presence ("who is here now") lives in Redis with expiry (api/realtime/presence);
these rows answer "who was here, when" for /api/v1/board-presence/ and audits.
"""

from django.utils import timezone

from api.kanban.models import BoardPresence


def board_presence_joined(
    *, user_id: int, channel_name: str, server_id: str = "", task_id: int | None = None
) -> None:
    now = timezone.now()
    BoardPresence.objects.update_or_create(
        channel_name=channel_name,
        defaults={
            "user_id": user_id,
            "task_id": task_id,
            "server_id": server_id[:64],
            "connected_at": now,
            "last_seen_at": now,
            "disconnected_at": None,
        },
    )


def board_presence_seen(*, channel_name: str) -> None:
    BoardPresence.objects.filter(channel_name=channel_name, disconnected_at__isnull=True).update(
        last_seen_at=timezone.now()
    )


def board_presence_left(*, channel_name: str) -> None:
    BoardPresence.objects.filter(channel_name=channel_name, disconnected_at__isnull=True).update(
        disconnected_at=timezone.now()
    )


def board_presence_close_stale(*, older_than) -> int:
    """Rows of sockets that vanished without a goodbye (a process died)."""
    return BoardPresence.objects.filter(
        disconnected_at__isnull=True, last_seen_at__lt=older_than
    ).update(disconnected_at=timezone.now())

"""Control messages to one user's open sockets (session ended, permissions changed).

They are not events (nothing to catch up on): a channel-layer group message, sent
once the transaction commits. A socket that misses one re-checks at reconnect.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger("api.realtime")


def control_group(user_id: int) -> str:
    """Channel-layer group of one user's sockets."""
    return f"user-control.{user_id}"


def send_control(user_id: int, message: dict) -> None:
    def send() -> None:
        try:
            async_to_sync(get_channel_layer().group_send)(control_group(user_id), message)
        except Exception:  # the channel layer is down: sockets re-check at reconnect
            logger.warning("realtime control message to user %s failed", user_id)

    transaction.on_commit(send, robust=True)

"""Every message a socket receives is one of these envelopes (docs/realtime.md).

    {"type": "task.moved", "stream": "board", "sequence": 42,
     "timestamp": "2026-11-22T10:15:00.123456Z", "payload": {...}}

`sequence` numbers durable events per stream (1, 2, 3... in commit order); it is
null for momentary state (presence, typing, editors) and for replies to the client.
An envelope is serialized once, whatever the number of sockets it goes to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone


class EventType:
    # durable, per stream
    TASK_CREATED = "task.created"
    TASK_UPDATED = "task.updated"
    TASK_MOVED = "task.moved"
    TASK_DELETED = "task.deleted"
    COMMENT_CREATED = "comment.created"
    COMMENT_EDITED = "comment.edited"
    COMMENT_DELETED = "comment.deleted"
    NOTIFICATION_CREATED = "notification.created"
    NOTIFICATIONS_READ = "notification.read"
    PERMISSION_UPDATE = "permission_update"
    # momentary state
    PRESENCE = "presence.state"  # the whole list, with its version
    PRESENCE_CHANGED = "presence.changed"  # who joined and left since a version
    TYPING = "typing.state"
    EDITORS = "editors.state"
    # protocol
    AUTHENTICATED = "auth.ok"
    SUBSCRIBED = "subscribed"
    RESYNC = "resync"
    PONG = "pong"
    ERROR = "error"
    UNREAD_COUNT = "notification.unread_count"


@dataclass(frozen=True, slots=True)
class Envelope:
    type: str
    stream: str | None
    sequence: int | None
    timestamp: datetime
    payload: dict[str, Any]

    @classmethod
    def now(cls, type: str, stream: str | None, payload: dict[str, Any]) -> Envelope:
        return cls(
            type=type, stream=stream, sequence=None, timestamp=timezone.now(), payload=payload
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "type": self.type,
                "stream": self.stream,
                "sequence": self.sequence,
                "timestamp": self.timestamp,
                "payload": self.payload,
            },
            cls=DjangoJSONEncoder,
            separators=(",", ":"),
        )

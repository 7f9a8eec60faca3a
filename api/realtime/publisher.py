"""Recording and broadcasting events.

`record()` writes a durable event in the caller's transaction and broadcasts it once
that transaction commits; `broadcast_state()` sends momentary state (presence,
typing) that is not worth keeping. Both hand a once-serialized text to the fan-out
transport (api/realtime/fanout.py), which never raises into the caller: a socket
that misses a live event gets it from the log on its next catch-up.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from functools import partial

from django.db import connection, transaction
from django.db.models import F

from api.realtime import fanout
from api.realtime.envelope import Envelope
from api.realtime.models import RealtimeEvent, RealtimeStream

logger = logging.getLogger("api.realtime")

CATCH_UP_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class Audience:
    """Who may receive an event of a shared stream (evaluated per socket, cheaply).

    Everyone (the default), or global admins plus: members of `department_ids`, and
    the listed `user_ids` (creator, assignees). `None` in department_ids means a
    company-wide card, visible to everyone.
    """

    everyone: bool = True
    department_ids: tuple[int | None, ...] = ()
    user_ids: tuple[int, ...] = ()

    def admits(self, *, user_id: int, department_id: int | None, is_global: bool) -> bool:
        if self.everyone or is_global:
            return True
        if None in self.department_ids:
            return True
        return (department_id is not None and department_id in self.department_ids) or (
            user_id in self.user_ids
        )

    @classmethod
    def from_dict(cls, data: dict | None) -> Audience:
        if not data:
            return cls()
        return cls(
            everyone=data.get("everyone", True),
            department_ids=tuple(data.get("department_ids", ())),
            user_ids=tuple(data.get("user_ids", ())),
        )


EVERYONE = Audience()


def record(stream: str, type: str, payload: dict, *, audience: Audience = EVERYONE) -> int:
    """Adds a durable event to the current transaction; returns its id."""
    row = {"stream": stream, "type": type, "payload": payload}
    if audience is not EVERYONE:
        row["payload"] = payload | {"_audience": asdict(audience)}
    event = RealtimeEvent.objects.create(**row)
    if connection.vendor != "postgresql":
        _assign_sequence_now(event)
    transaction.on_commit(partial(_broadcast_committed, event.pk), robust=True)
    return event.pk


def _assign_sequence_now(event: RealtimeEvent) -> None:
    """SQLite: one writer at a time, so numbering at insert is numbering in commit order."""
    RealtimeStream.objects.get_or_create(name=event.stream)
    RealtimeStream.objects.filter(name=event.stream).update(last_sequence=F("last_sequence") + 1)
    event.sequence = RealtimeStream.objects.values_list("last_sequence", flat=True).get(
        name=event.stream
    )
    event.save(update_fields=["sequence"])


def envelope_of(event: RealtimeEvent) -> tuple[Envelope, Audience]:
    payload = dict(event.payload)
    audience = Audience.from_dict(payload.pop("_audience", None))
    return (
        Envelope(
            type=event.type,
            stream=event.stream,
            sequence=event.sequence,
            timestamp=event.created_at,
            payload=payload,
        ),
        audience,
    )


def _broadcast_committed(event_id: int) -> None:
    event = RealtimeEvent.objects.filter(pk=event_id).first()
    if event is None or event.sequence is None:
        logger.warning("realtime event %s has no sequence after commit", event_id)
        return
    envelope, audience = envelope_of(event)
    fanout.publish(
        event.stream,
        fanout.Message(
            stream=event.stream,
            sequence=event.sequence,
            audience=audience,
            text=envelope.to_json(),
        ),
    )


def broadcast_state(stream: str, type: str, payload: dict) -> None:
    """Momentary state for everyone on `stream`, not recorded (no sequence)."""
    envelope = Envelope.now(type, stream, payload)
    fanout.publish(
        stream,
        fanout.Message(stream=stream, sequence=None, audience=EVERYONE, text=envelope.to_json()),
    )


# ----------------------------------------------------------------------- catch-up


@dataclass(frozen=True, slots=True)
class StreamPosition:
    last_sequence: int
    purged_through: int


def stream_position(stream: str) -> StreamPosition:
    row = (
        RealtimeStream.objects.filter(name=stream)
        .values_list("last_sequence", "purged_through")
        .first()
    )
    return StreamPosition(*row) if row else StreamPosition(0, 0)


def events_after(stream: str, after: int, *, limit: int = CATCH_UP_LIMIT) -> list[RealtimeEvent]:
    """Committed events of `stream` numbered above `after`, in order."""
    return list(
        RealtimeEvent.objects.filter(stream=stream, sequence__gt=after).order_by("sequence")[:limit]
    )

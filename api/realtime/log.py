"""The durable event log: writing an event in the caller's transaction, reading it back.

Nothing here broadcasts: api/realtime/receivers.py writes the row and broadcasts it
once the transaction commits; sockets and the fan-out hub
read the log to catch up (api/realtime/fanout.py, api/realtime/consumers.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import F

from api.realtime.audience import EVERYONE, Audience
from api.realtime.envelope import Envelope
from api.realtime.models import RealtimeEvent, RealtimeStream

CATCH_UP_LIMIT = 5000


def record(stream: str, type: str, payload: dict, *, audience: Audience = EVERYONE) -> int:
    """Adds a durable event to the current transaction; returns its id.

    Its sequence is assigned when the transaction commits (api/realtime/models.py).
    """
    row = {"stream": stream, "type": type, "payload": payload}
    if (restricted := audience.to_dict()) is not None:
        row["payload"] = payload | {"_audience": restricted}
    event = RealtimeEvent.objects.create(**row)
    if connection.vendor != "postgresql":
        _assign_sequence_now(event)
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


def committed_event(event_id: int) -> RealtimeEvent | None:
    """The row once its transaction committed (None if it has no sequence yet)."""
    event = RealtimeEvent.objects.filter(pk=event_id).first()
    return event if event is not None and event.sequence is not None else None


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

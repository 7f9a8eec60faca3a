"""Broadcasting: a committed event of the log, or momentary state that is not kept.

Both hand a once-serialized text to the fan-out transport (api/realtime/fanout.py),
which never raises into the caller: a socket that misses a live event gets it from
the log on its next catch-up.
"""

from __future__ import annotations

import logging

from api.realtime import fanout
from api.realtime.audience import EVERYONE
from api.realtime.envelope import Envelope
from api.realtime.log import committed_event, envelope_of

logger = logging.getLogger("api.realtime")


def publish_logged(event_id: int) -> None:
    """Broadcasts a durable event once its transaction committed (it has its sequence)."""
    event = committed_event(event_id)
    if event is None:
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

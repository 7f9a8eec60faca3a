"""Momentary state for the sockets of a stream: not recorded, no sequence (presence).

Committed events are broadcast by the receiver (api/realtime/receivers.py:
publish_logged); both hand a once-serialized text to the fan-out transport
(api/realtime/fanout.py).
"""

from __future__ import annotations

from api.realtime import fanout
from api.realtime.audience import EVERYONE
from api.realtime.envelope import Envelope


def broadcast_state(stream: str, type: str, payload: dict) -> None:
    """Momentary state for everyone on `stream`, not recorded (no sequence)."""
    envelope = Envelope.now(type, stream, payload)
    fanout.publish(
        stream,
        fanout.Message(stream=stream, sequence=None, audience=EVERYONE, text=envelope.to_json()),
    )

"""The one shape in which a domain tells the sockets that something happened.

The domain that owns the change builds the event at the action site: its payload
(with its own serializers and selectors) and its audience (with its own visibility
rule). Realtime only records and delivers it (api/realtime/receivers.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api.realtime.audience import EVERYONE, Audience


@dataclass(frozen=True, slots=True)
class DomainEvent:
    stream: str  # "board", "task.<id>", "user.<id>" (api/realtime/streams.py)
    type: str  # an EventType value (api/realtime/envelope.py)
    payload: dict[str, Any] = field(default_factory=dict)
    audience: Audience = EVERYONE

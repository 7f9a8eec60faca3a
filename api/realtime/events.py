"""The one shape and the one signal in which a domain tells the sockets that
something happened.

The domain that owns the change builds the event at the action site: its payload
(with its own serializers and selectors) and its audience (with its own visibility
rule). `emit()` sends it right away, inside the caller's transaction: the signal's one
receiver (api/realtime/receivers.py: record_and_publish) writes the durable event in
that same transaction and broadcasts it only once the transaction commits, so a
rolled-back change is never announced and a committed one is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

from api.realtime.audience import EVERYONE, Audience


@dataclass(frozen=True, slots=True)
class DomainEvent:
    stream: str  # "board", "task.<id>", "user.<id>" (api/realtime/streams.py)
    type: str  # an EventType value (api/realtime/envelope.py)
    payload: dict[str, Any] = field(default_factory=dict)
    audience: Audience = EVERYONE


# kwargs: event (DomainEvent)
domain_event = Signal()


def emit(event: DomainEvent) -> None:
    domain_event.send(sender=DomainEvent, event=event)

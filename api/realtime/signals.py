"""The single signal from the domains to the sockets.

`emit()` sends it right away, inside the caller's transaction: its one receiver
(api/realtime/receivers.py: record_and_publish) writes the durable event in that same
transaction and broadcasts it only once the transaction commits, so a rolled-back
change is never announced and a committed one is never lost.
"""

from __future__ import annotations

from django.dispatch import Signal

from api.realtime.events import DomainEvent

# kwargs: event (DomainEvent)
domain_event = Signal()


def emit(event: DomainEvent) -> None:
    domain_event.send(sender=DomainEvent, event=event)

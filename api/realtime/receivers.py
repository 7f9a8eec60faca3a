"""The one receiver between the domains and the sockets. Connected in ApiConfig.ready().

Every DomainEvent is written to the durable log in the sender's transaction and
broadcast once that transaction commits (the path is drawn in docs/realtime.md).
"""

from __future__ import annotations

from functools import partial

from django.db import transaction

from api.realtime import log, publisher
from api.realtime.events import DomainEvent


def record_and_publish(sender, event: DomainEvent, **kwargs) -> None:
    event_id = log.record(event.stream, event.type, event.payload, audience=event.audience)
    transaction.on_commit(partial(publisher.publish_logged, event_id), robust=True)

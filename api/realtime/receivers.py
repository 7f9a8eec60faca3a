"""The one receiver between the domains and the sockets. Connected in ApiConfig.ready().

Every DomainEvent is written to the durable log in the sender's transaction and
broadcast once that transaction commits (the path is drawn in docs/realtime.md).
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

from api.realtime import fanout, log
from api.realtime.events import DomainEvent

logger = logging.getLogger("api.realtime")


def record_and_publish(sender, event: DomainEvent, **kwargs) -> None:
    event_id = log.record(event.stream, event.type, event.payload, audience=event.audience)
    transaction.on_commit(partial(publish_logged, event_id), robust=True)


def publish_logged(event_id: int) -> None:
    """Broadcasts a durable event once its transaction committed (it has its sequence).

    The envelope is serialized once and the same text goes to every process's sockets
    (api/realtime/fanout.py), which never raises into the caller: a socket that misses
    a live event gets it from the log on its next catch-up.
    """
    event = log.committed_event(event_id)
    if event is None:
        logger.warning("realtime event %s has no sequence after commit", event_id)
        return
    envelope, audience = log.envelope_of(event)
    fanout.publish(
        event.stream,
        fanout.Message(
            stream=event.stream,
            sequence=event.sequence,
            audience=audience,
            text=envelope.to_json(),
        ),
    )

"""A send to a socket whose client has just gone (Daphne raises autobahn's
Disconnected) is no error: the disconnect is on its way and the client catches up from
the log when it comes back. Before, each one was logged as an error with a traceback."""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from autobahn.exception import Disconnected

from api.realtime.consumers import RealtimeConsumer


def _consumer_whose_client_left() -> tuple[RealtimeConsumer, list[str]]:
    consumer = RealtimeConsumer()
    consumer._outbox, consumer._outbox_ready, consumer._sending = deque(), asyncio.Event(), False
    attempts = []

    async def base_send(message):
        attempts.append(message["text"])
        raise Disconnected("Attempt to send on a closed protocol")

    consumer.base_send = base_send
    return consumer, attempts


async def test_a_live_event_to_a_closed_socket_is_dropped_quietly(caplog):
    consumer, attempts = _consumer_whose_client_left()

    with caplog.at_level(logging.WARNING, logger="api.realtime"):
        await consumer._emit('{"n": 1}')

    assert attempts == ['{"n": 1}']
    assert caplog.records == []


async def test_the_writer_drops_the_rest_and_keeps_running(caplog):
    consumer, attempts = _consumer_whose_client_left()
    writer = asyncio.ensure_future(consumer._send_forever())
    try:
        consumer._queue('{"n": 1}')
        consumer._queue('{"n": 2}')
        await asyncio.sleep(0.05)

        assert attempts == ['{"n": 1}']  # the second is not tried on a closed socket
        assert not consumer._outbox
        assert not consumer._sending
        assert not writer.done()  # still there for the socket's lifetime
    finally:
        writer.cancel()

"""Floods are bounded per socket and message type; the neighbours go on being answered."""

from __future__ import annotations

import pytest

from api.realtime.consumers import CloseCode
from api.realtime.flood import TokenBucket
from api.realtime.tests.conftest import sync
from tests.factories import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]


def test_a_bucket_gives_its_burst_then_refuses_until_refilled():
    bucket = TokenBucket(capacity=3, rate=0)

    assert [bucket.take() for _ in range(5)] == [True, True, True, False, False]
    assert bucket.wait() == float("inf")


async def test_a_flooding_socket_is_refused_then_closed_while_a_neighbour_is_answered(
    sockets, settings
):
    settings.REALTIME_MESSAGE_BURST = 5
    settings.REALTIME_MESSAGE_RATE = 0.0001  # no refill within the test
    settings.REALTIME_FLOOD_CLOSE_AFTER = 50
    flooder = await sockets("/ws/notifications/", user=await sync(make_user)())
    neighbour = await sockets("/ws/notifications/", user=await sync(make_user)())

    for _ in range(300):
        await flooder.send({"type": "ping"})
    for _ in range(3):
        await neighbour.send({"type": "ping"})

    messages, code = await flooder.messages_until_closed()
    pongs = [m for m in messages if m["type"] == "pong"]
    refused = [m for m in messages if m["type"] == "error"]
    assert len(pongs) == 5
    assert len(refused) == 49
    assert refused[0]["payload"]["code"] == "rate_limited"
    assert refused[0]["payload"]["message_type"] == "ping"
    assert code == CloseCode.FLOODING
    answers = [await neighbour.receive_until("pong") for _ in range(3)]
    assert len(answers) == 3


async def test_buckets_are_per_type(sockets, settings):
    settings.REALTIME_MESSAGE_BURST = 2
    settings.REALTIME_MESSAGE_RATE = 0.0001
    socket = await sockets("/ws/notifications/", user=await sync(make_user)())

    for _ in range(3):
        await socket.send({"type": "ping"})
    await socket.send({"type": "mark_all_read"})

    assert (await socket.receive_until("error"))["payload"]["message_type"] == "ping"
    assert (await socket.receive_until("notification.unread_count"))["payload"] == {
        "unread_count": 0
    }

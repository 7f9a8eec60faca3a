"""A socket lives as long as its token: renewed in place before `expires_at`, closed
with 4401 when it expires, and a ticket is good only for REALTIME_TICKET_SECONDS.
Short lifetimes are set for the test; the server's own timers do the rest."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from api.accounts.auth.tokens import issue_local_tokens
from api.common.client import ClientInfo
from api.realtime.consumers import CloseCode
from api.realtime.tests.conftest import sync, token_for
from tests.factories import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]


def short_lived_token(user, seconds: float) -> str:
    """An access token of a real session that expires `seconds` from now."""
    refresh = RefreshToken(
        issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", ""))["refresh"]
    )
    access = refresh.access_token
    access.set_exp(lifetime=timedelta(seconds=seconds))
    return str(access)


async def until_past(moment: float) -> None:
    """Lets the clock pass a moment: what an expiry needs, and nothing else can show."""
    while time.time() < moment:
        await asyncio.sleep(min(0.1, max(0.0, moment - time.time())))


def moment(text: str) -> float:
    """Socket messages give moments as ISO 8601 with the company's offset."""
    parsed = datetime.fromisoformat(text)
    assert parsed.utcoffset() is not None, text
    return parsed.timestamp()


async def test_the_socket_closes_with_4401_when_its_token_expires(sockets):
    user = await sync(make_user)()
    token = await sync(short_lived_token)(user, 3)
    socket = await sockets("/ws/notifications/")

    await socket.send({"type": "auth", "token": token})
    expires_at = moment((await socket.receive_until("auth.ok"))["payload"]["expires_at"])
    assert expires_at - time.time() <= 3.5

    assert await socket.closed_with(timeout=15) == CloseCode.UNAUTHENTICATED == 4401
    assert time.time() >= expires_at - 1  # not before its time


async def test_renewing_before_expiry_keeps_the_socket_open(sockets):
    user = await sync(make_user)()
    socket = await sockets("/ws/notifications/")
    await socket.send({"type": "auth", "token": await sync(short_lived_token)(user, 3)})
    first_expiry = moment((await socket.receive_until("auth.ok"))["payload"]["expires_at"])

    await socket.send({"type": "auth", "token": await sync(token_for)(user)})
    renewed = await socket.receive_until("auth.ok")
    assert moment(renewed["payload"]["expires_at"]) > first_expiry + 60

    await until_past(first_expiry + 2)
    await socket.send({"type": "ping"})
    assert (await socket.receive_until("pong"))["type"] == "pong"


async def test_renewing_as_another_user_is_refused(sockets):
    user, other = await sync(make_user)(), await sync(make_user)()
    socket = await sockets("/ws/notifications/")
    await socket.send({"type": "auth", "token": await sync(token_for)(user)})
    await socket.receive_until("auth.ok")

    await socket.send({"type": "auth", "token": await sync(token_for)(other)})

    assert await socket.closed_with() == CloseCode.UNAUTHENTICATED


async def test_a_ticket_expires_after_its_lifetime(sockets, client_for, settings):
    settings.REALTIME_TICKET_SECONDS = 1
    user = await sync(make_user)()
    client = await sync(client_for)(user)
    answer = (await sync(client.post)("/api/v1/realtime/tickets/")).json()
    assert answer["expires_in"] == 1
    fresh = (await sync(client.post)("/api/v1/realtime/tickets/")).json()["ticket"]
    issued = time.time()

    on_time = await sockets("/ws/board/")
    await on_time.send({"type": "auth", "ticket": fresh})
    assert (await on_time.receive_until("auth.ok"))["payload"]["user_id"] == user.pk

    await until_past(issued + 2.5)
    late = await sockets("/ws/board/")
    await late.send({"type": "auth", "ticket": answer["ticket"]})
    assert await late.closed_with() == CloseCode.UNAUTHENTICATED

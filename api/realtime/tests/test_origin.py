"""Who may open a socket (backend/asgi.py's SocketOriginValidator), tried against a live
Daphne with the `websockets` client, which sends an Origin header only when told to:
no Origin (a native app, a script) connects and must authenticate first; a browser's
Origin must be a front-end origin (CORS_ALLOWED_ORIGINS) or the server's own host."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from api.realtime.consumers import CloseCode
from api.realtime.tests.conftest import token_for
from tests.factories import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]

FRONT_END = "http://front.example:3333"
PATH = "/ws/notifications/"


@pytest.fixture
def server(daphne_factory):
    # The front-end's host is in the CORS list only, not in DJANGO_ALLOWED_HOSTS.
    return daphne_factory(
        CORS_ALLOWED_ORIGINS=FRONT_END,
        DJANGO_ALLOWED_HOSTS="127.0.0.1 localhost",
        REALTIME_AUTH_TIMEOUT_SECONDS="1",
    )


async def first_answer(server, origin: str | None, first: dict | None) -> dict | int:
    """Opens the socket with `origin` (None: no header), sends `first` if given; the
    first message received, or the close code if the socket is closed instead."""
    async with connect(f"{server.ws_url}{PATH}", origin=origin, open_timeout=15) as ws:
        if first is not None:
            await ws.send(json.dumps(first))
        try:
            return json.loads(await asyncio.wait_for(ws.recv(), 15))
        except ConnectionClosed as closed:
            return closed.rcvd.code


async def refused_status(server, origin: str) -> int:
    with pytest.raises(InvalidStatus) as refused:
        await first_answer(server, origin, None)
    return refused.value.response.status_code


def test_a_client_without_origin_connects_and_must_authenticate_first(server):
    user = make_user()
    token = token_for(user)

    async def scenario():
        ok = await first_answer(server, None, {"type": "auth", "token": token})
        assert ok["type"] == "auth.ok", ok
        assert ok["payload"]["user_id"] == user.pk
        # Connected, but nothing without authentication: silence, then anything else.
        assert await first_answer(server, None, None) == CloseCode.AUTH_TIMEOUT
        assert await first_answer(server, None, {"type": "ping"}) == CloseCode.UNAUTHENTICATED
        assert await first_answer(server, None, {"type": "auth", "token": "x"}) == (
            CloseCode.UNAUTHENTICATED
        )

    asyncio.run(scenario())


def test_front_end_origins_come_from_the_cors_list_and_foreign_ones_are_refused(server):
    token = token_for(make_user())
    auth = {"type": "auth", "token": token}

    async def scenario():
        # The front-end's origin: not one of ALLOWED_HOSTS, accepted through CORS.
        assert (await first_answer(server, FRONT_END, auth))["type"] == "auth.ok"
        # A page of the server's own host names, as before.
        assert (await first_answer(server, server.url, auth))["type"] == "auth.ok"
        # Foreign: another site, the front-end's host on another port or scheme, and
        # the opaque origin of sandboxed frames and files.
        for foreign in (
            "https://evil.example",
            "http://front.example:4444",
            "https://front.example:3333",
            "null",
        ):
            assert await refused_status(server, foreign) == 403, foreign

    asyncio.run(scenario())

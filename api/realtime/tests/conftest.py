"""Socket tests run the real ASGI application (consumers, hub, Redis fan-out) with
Channels' WebsocketCommunicator, against committed data (transactional tests)."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from api.accounts.auth.tokens import issue_local_tokens
from api.common.client import ClientInfo

HEADERS = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


def token_for(user) -> str:
    return issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "ws-test"))["access"]


class PresenceView:
    """A client's copy of the board's presence, kept the way docs/realtime.md tells
    clients to: replace on `presence.state`, apply a `presence.changed` whose base is
    the version held, ignore older ones, ask again on a gap."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.people: dict[int, dict] = {}
        self.changes: list[dict] = []  # the presence.changed payloads applied

    @property
    def ids(self) -> set[int]:
        return set(self.people)

    def apply(self, message: dict) -> bool:
        """Takes one message; True when the client must ask for the whole list."""
        payload = message["payload"]
        if message["type"] == "presence.state":
            self.version = payload["version"]
            self.people = {person["user_id"]: person for person in payload["people"]}
        elif message["type"] == "presence.changed":
            if self.version is None or payload["version"] <= self.version:
                return False  # before our list, or already in it
            if payload["base"] != self.version:
                return True  # missed a change
            for person in payload["joined"]:
                self.people[person["user_id"]] = person
            for user_id in payload["left"]:
                self.people.pop(user_id, None)
            self.version = payload["version"]
            self.changes.append(payload)
        return False


class Socket:
    """A communicator with the helpers these tests keep needing."""

    def __init__(self, path: str, headers=HEADERS):
        from backend.asgi import application

        self.communicator = WebsocketCommunicator(application, path, headers=headers)

    async def connect(self) -> bool:
        connected, _ = await self.communicator.connect()
        return connected

    async def send(self, message: dict) -> None:
        await self.communicator.send_json_to(message)

    async def receive(self, timeout: float = 5) -> dict:
        return await self.communicator.receive_json_from(timeout=timeout)

    async def receive_until(self, type: str, timeout: float = 5) -> dict:
        """Skips other messages (presence, replies) until one of `type` arrives."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            message = await self.receive(timeout=max(remaining, 0.01))
            if message["type"] == type:
                return message

    async def receive_each(self, *types: str, timeout: float = 5) -> dict[str, dict]:
        """The first message of each type, in whatever order they come."""
        found: dict[str, dict] = {}
        while len(found) < len(types):
            message = await self.receive(timeout=timeout)
            if message["type"] in types:
                found.setdefault(message["type"], message)
        return found

    async def presence_until(self, view: PresenceView, condition, timeout: float = 5) -> None:
        """Reads presence messages into `view` until `condition(view)` holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition(view):
            message = await self.receive(timeout=max(deadline - loop.time(), 0.01))
            if view.apply(message):
                await self.send({"type": "presence"})

    async def closed_with(self, timeout: float = 8) -> int:
        output = await self.communicator.receive_output(timeout=timeout)
        while output["type"] != "websocket.close":
            output = await self.communicator.receive_output(timeout=timeout)
        return output.get("code")

    async def messages_until_closed(self, timeout: float = 8) -> tuple[list[dict], int]:
        """What arrived before the socket was closed, and the close code."""
        messages = []
        while True:
            output = await self.communicator.receive_output(timeout=timeout)
            if output["type"] == "websocket.close":
                return messages, output.get("code")
            messages.append(json.loads(output["text"]))

    async def nothing_more(self, timeout: float = 0.8) -> bool:
        """No further durable event within `timeout` (momentary presence is ignored)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            if await self.communicator.receive_nothing(timeout=min(remaining, 0.1)):
                continue
            if (await self.receive())["sequence"] is not None:
                return False
        return True

    async def disconnect(self) -> None:
        await self.communicator.disconnect()


@pytest.fixture
async def sockets():
    """Opens sockets and always closes them, the hub and the presence sweeper."""
    from django.conf import settings

    from api.kanban.consumers import stop_sweeper
    from api.realtime.fanout import close_hub

    if settings.USE_REDIS_CHANNELS:
        # Presence left behind by an earlier test would show up in this one's lists.
        import redis

        client = redis.Redis.from_url(settings.REDIS_CHANNELS_URL)
        for key in client.scan_iter(f"{settings.CACHE_KEY_PREFIX}:presence:*"):
            client.delete(key)
        client.close()
    opened: list[Socket] = []

    async def open_socket(
        path: str, *, user=None, headers=HEADERS, follows=True, streams=None
    ) -> Socket:
        """`streams`: the positions the `auth` message carries (none if None)."""
        socket = Socket(path, headers=headers)
        assert await socket.connect()
        opened.append(socket)
        if user is not None:
            token = await database_sync_to_async(token_for)(user)
            auth = {"type": "auth", "token": token}
            if streams is not None:
                auth["streams"] = streams
            await socket.send(auth)
            ok = await socket.receive_until("auth.ok")
            assert ok["payload"]["user_id"] == user.pk
            if follows:
                # Events committed from here on reach the socket live; earlier ones
                # are only in the log (the protocol's "subscribed" promise).
                await socket.receive_until("subscribed")
        return socket

    yield open_socket
    for socket in opened:
        # A socket whose receive timed out was cancelled by the communicator already:
        # closing the others, the sweeper and the hub must still happen, or the next
        # tests inherit them.
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await socket.disconnect()
    await stop_sweeper()
    await close_hub()


def sync(func):
    """Call ORM/services code from an async test (in a thread, committed)."""
    return database_sync_to_async(func)

"""Real time with real processes: Daphne servers on 127.0.0.1, the real Redis (or a
private redis-server this test may restart), PostgreSQL, and the `websockets`
client library speaking the protocol of docs/realtime.md over TCP."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from api.accounts.roles import Role
from api.kanban.models import TaskGroup
from api.kanban.services import task_create
from api.realtime.consumers import CloseCode
from api.realtime.tests.conftest import PresenceView, token_for
from tests.factories import make_department, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]

UPDATES = 500


@pytest.fixture
def columns(transactional_db):
    TaskGroup.objects.create(name="To do", position=0)
    TaskGroup.objects.create(name="Done", position=1, is_done_column=True)


@pytest.fixture
def teammate(transactional_db):
    """Users of one department: the cards they make are theirs to see."""
    team = make_department(code="TEAM")
    return lambda: make_user(department=team)


class LiveSocket:
    """A websockets client that authenticates, and keeps what it received."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.events: list[dict] = []  # durable board events, in arrival order

    @classmethod
    async def open(
        cls, server, path: str, token: str, streams: dict | None = None, **options
    ) -> LiveSocket:
        """`streams`: the last positions, sent in `auth` (a reconnecting client)."""
        ws = await connect(f"{server.ws_url}{path}", origin=server.url, **options)
        socket = cls(ws)
        auth = {"type": "auth", "token": token}
        if streams is not None:
            auth["streams"] = streams
        await ws.send(json.dumps(auth))
        await socket.until("auth.ok")
        await socket.until("subscribed")
        return socket

    async def next(self, timeout: float = 15) -> dict:
        message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        if message["sequence"] is not None and message["stream"] == "board":
            self.events.append(message)
        return message

    async def until(self, type: str, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            message = await self.next(timeout=max(0.01, deadline - time.monotonic()))
            if message["type"] == type:
                return message

    async def collect(self, count: int, timeout: float = 60) -> None:
        """Reads until `count` durable board events have arrived (or closed/timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.events) < count:
            await self.next(timeout=max(0.01, deadline - time.monotonic()))

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def presence_until(self, view: PresenceView, condition, timeout: float = 15) -> None:
        """Reads presence messages into `view` until `condition(view)` holds."""
        deadline = time.monotonic() + timeout
        while not condition(view):
            if view.apply(await self.next(timeout=max(0.01, deadline - time.monotonic()))):
                await self.send({"type": "presence"})

    @property
    def sequences(self) -> list[int]:
        return [event["sequence"] for event in self.events]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def close_code(server, path: str, auth: dict | None, origin: str | None = None) -> int:
    """Opens a socket, optionally sends `auth`, and returns the code it is closed with."""
    async with connect(f"{server.ws_url}{path}", origin=origin or server.url) as ws:
        if auth is not None:
            await ws.send(json.dumps(auth))
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 15)
        except ConnectionClosed as closed:
            return closed.rcvd.code
    raise AssertionError("unreachable: the loop ends only by the socket closing")


def test_a_change_through_process_a_reaches_a_client_of_process_b(
    daphne_factory, columns, teammate
):
    alice, bob = teammate(), teammate()
    alice_token, bob_token = token_for(alice), token_for(bob)
    a, b = daphne_factory(), daphne_factory()

    async def scenario():
        on_b = await LiveSocket.open(b, "/ws/board/", bob_token)
        on_a = await LiveSocket.open(a, "/ws/board/", alice_token)

        # Presence is shared: B's client comes to list the user connected to A too.
        view = PresenceView()
        await on_b.presence_until(view, lambda v: v.ids == {alice.pk, bob.pk})

        async with httpx.AsyncClient(base_url=a.url, headers=bearer(alice_token)) as http:
            response = await http.post("/api/v1/tasks/", json={"title": "Made on A"})
        assert response.status_code == 201, response.text

        created = await on_b.until("task.created")
        assert created["payload"]["task"]["title"] == "Made on A"
        assert created["payload"]["task"]["id"] == response.json()["id"]

        # Alice leaves process A: process B's client sees her go.
        await on_a.ws.close()
        await on_b.presence_until(view, lambda v: v.ids == {bob.pk})
        await on_b.ws.close()

    asyncio.run(scenario())


def test_redis_restart_in_the_middle_of_500_updates_loses_and_repeats_nothing(
    daphne_factory, redis_process_factory, columns, teammate
):
    """One client stays connected through the restart; another drops at the outage and
    comes back with its last sequence in `auth`. Both end with every event once, in
    order."""
    channels_redis = redis_process_factory()
    server = daphne_factory(
        REDIS_CHANNELS_URL=f"{channels_redis.url}/0", REALTIME_RECONCILE_SECONDS="2"
    )
    author = teammate()
    token = token_for(author)
    tokens = [token_for(teammate()) for _ in range(2)]

    async def scenario():
        steady = await LiveSocket.open(server, "/ws/board/", tokens[0])
        dropper = await LiveSocket.open(server, "/ws/board/", tokens[1])
        steady_reader = asyncio.create_task(steady.collect(1 + UPDATES, timeout=300))
        dropper_reader = asyncio.create_task(dropper.collect(1 + UPDATES, timeout=300))
        dropped_events: list[dict] = []

        async with httpx.AsyncClient(
            base_url=server.url, headers=bearer(token), timeout=30
        ) as http:
            response = await http.post("/api/v1/tasks/", json={"title": "v0"})
            assert response.status_code == 201, response.text
            task = response.json()
            for n in range(1, UPDATES + 1):
                if n == 150:
                    channels_redis.stop()
                    dropper_reader.cancel()
                    await dropper.ws.close()
                    dropped_events = list(dropper.events)
                elif n == 250:
                    redis_process_factory(port=channels_redis.port)
                elif n == 300:
                    last_seen = dropped_events[-1]["sequence"] if dropped_events else 0
                    dropper = await LiveSocket.open(
                        server, "/ws/board/", tokens[1], streams={"board": last_seen}
                    )
                    dropper_reader = asyncio.create_task(
                        dropper.collect(1 + UPDATES - len(dropped_events), timeout=300)
                    )
                response = await http.patch(
                    f"/api/v1/tasks/{task['id']}/",
                    json={"title": f"v{n}", "version": task["version"]},
                )
                assert response.status_code == 200, response.text
                task = response.json()

        await steady_reader
        await dropper_reader
        expected = list(range(1, UPDATES + 2))  # the creation, then every update
        assert steady.sequences == expected
        assert [e["sequence"] for e in dropped_events] + dropper.sequences == expected
        titles = [e["payload"]["task"]["title"] for e in steady.events]
        assert titles == [f"v{n}" for n in range(UPDATES + 1)]
        for socket in (steady, dropper):
            await socket.ws.close()

    try:
        asyncio.run(scenario())
    except Exception:
        print("\n".join(line for line in server.log().splitlines() if "PATCH" not in line)[-8000:])
        raise


def test_a_socket_silent_past_every_idle_bound_is_still_open_and_receiving(
    daphne_factory, columns, teammate
):
    author, watcher = teammate(), teammate()
    author_token, watcher_token = token_for(author), token_for(watcher)
    # The process's idle bounds shortened so that 65 s of silence outlasts each of them
    # several times (at their defaults, 60 s each, it took 125 s): presence expiring
    # without heartbeats, idle Redis connections released under the socket's feet;
    # Daphne's own protocol pings (every 20 s, 30 s to answer) keep their defaults.
    server = daphne_factory(REALTIME_PRESENCE_TTL_SECONDS="10", REALTIME_REDIS_IDLE_SECONDS="5")

    async def scenario():
        # The client sends nothing at all: no application heartbeats, no pings of its
        # own (it still answers the server's protocol pings, as browsers do).
        socket = await LiveSocket.open(server, "/ws/board/", watcher_token, ping_interval=None)
        await asyncio.sleep(65)
        async with httpx.AsyncClient(base_url=server.url, headers=bearer(author_token)) as http:
            response = await http.post("/api/v1/tasks/", json={"title": "After the silence"})
        assert response.status_code == 201, response.text
        created = await socket.until("task.created")
        assert created["payload"]["task"]["title"] == "After the silence"
        await socket.ws.close()

    asyncio.run(scenario())


def test_a_client_that_stops_reading_delays_no_one_and_catches_up(
    daphne_factory, columns, teammate
):
    author = teammate()
    author_token = token_for(author)
    fast_token, slow_token = token_for(teammate()), token_for(teammate())
    server = daphne_factory()
    cards = 200

    async def scenario():
        fast = await LiveSocket.open(server, "/ws/board/", fast_token)
        # The slow client buffers at most 2 messages, then stops reading the socket.
        slow = await LiveSocket.open(server, "/ws/board/", slow_token, max_queue=2)
        fast_reader = asyncio.create_task(fast.collect(cards, timeout=120))
        async with httpx.AsyncClient(
            base_url=server.url, headers=bearer(author_token), timeout=30
        ) as http:
            for n in range(cards):
                response = await http.post(
                    "/api/v1/tasks/", json={"title": f"card {n} " + "x" * 180}
                )
                assert response.status_code == 201, response.text
        await fast_reader
        assert fast.sequences == list(range(1, cards + 1))
        assert slow.events == []  # it has not read a thing yet

        await slow.collect(cards, timeout=60)
        assert slow.sequences == list(range(1, cards + 1))
        for socket in (fast, slow):
            await socket.ws.close()

    asyncio.run(scenario())


def test_bad_credentials_foreign_origins_and_hidden_tasks_are_refused(daphne_factory, columns):
    import jwt
    from rest_framework_simplejwt.tokens import AccessToken

    ops, eng = make_department(code="OPS"), make_department(code="ENG")
    ops_member, eng_member = make_user(department=ops), make_user(department=eng)
    hidden = task_create(by=ops_member, title="Ops only", department=ops)
    expired = AccessToken.for_user(eng_member)
    expired.set_exp(lifetime=timedelta(seconds=-30))
    forged = jwt.encode(
        {"user_id": eng_member.pk, "token_type": "access", "exp": time.time() + 600},
        "a-key-that-is-not-the-servers-signing-key!",
        algorithm="HS256",
    )
    eng_token = token_for(eng_member)
    assert make_user(Role.SUPERADMIN)  # a superadmin exists: refusals are not for lack of one
    server = daphne_factory(REALTIME_AUTH_TIMEOUT_SECONDS="1")

    async def scenario():
        board = "/ws/board/"
        assert await close_code(server, board, {"type": "auth", "token": forged}) == (
            CloseCode.UNAUTHENTICATED
        )
        assert await close_code(server, board, {"type": "auth", "token": str(expired)}) == (
            CloseCode.UNAUTHENTICATED
        )
        assert await close_code(server, board, {"type": "auth"}) == CloseCode.UNAUTHENTICATED
        assert await close_code(server, board, None) == CloseCode.AUTH_TIMEOUT
        assert await close_code(server, board, {"type": "ping"}) == CloseCode.UNAUTHENTICATED
        assert (
            await close_code(
                server, f"/ws/board/task/{hidden.pk}/", {"type": "auth", "token": eng_token}
            )
            == CloseCode.FORBIDDEN
        )
        # A page of another site may not open sockets with the user's cookies or tokens:
        # the handshake itself is refused.
        with pytest.raises(InvalidStatus) as refused:
            await close_code(server, board, None, origin="https://evil.example")
        assert refused.value.response.status_code == 403

    asyncio.run(scenario())

"""Restarts that drop nothing: Daphne started the way production starts it
(`python -m backend.serve`, backend/serve.py) is stopped with SIGTERM, as `docker
stop` does, while requests and WebSockets are in flight.

First one process on its own (a request whose body is still arriving, a socket, an
idle connection), then the whole production path: two replicas behind the shipped
nginx configuration, under load, restarted one after the other."""

from __future__ import annotations

import asyncio
import http.client
import json
import random
import signal
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from api.accounts.roles import Role
from api.kanban.models import TaskGroup
from api.realtime.tests.conftest import token_for
from api.system.models import PersonalNote
from backend.handshakes import refuse_new_handshakes
from tests.factories import make_department, make_user
from tests.test_nginx import start_nginx

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_available"),
]

SERVICE_RESTART = 1012


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout}s: {what}")
        time.sleep(0.05)


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except ConnectionRefusedError:
        return True
    except TimeoutError:
        return False  # the handshake held back while the port closes (backend/serve.py)
    return False


def exited(server) -> bool:
    return server.process.poll() is not None


def raw_request(method: str, path: str, token: str, body: bytes = b"") -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def read_response(sock: socket.socket) -> http.client.HTTPResponse:
    response = http.client.HTTPResponse(sock)
    response.begin()
    response.body = response.read()
    return response


async def open_board_socket(url: str, token: str, **options):
    ws = await connect(url, **options)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    while json.loads(await asyncio.wait_for(ws.recv(), 15))["type"] != "subscribed":
        pass
    return ws


async def close_code_of(ws, timeout: float = 15) -> int | None:
    """Reads until the server closes the socket; the code it sent (None: no close frame)."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


# ----------------------------------------------------------------- the port


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux socket filter")
def test_a_closing_port_holds_back_new_handshakes_and_keeps_the_queued_connections():
    """What lets a stopping replica close its port without resetting a connection
    the kernel had already completed (nginx may have written a POST on it): new
    attempts are held back (their SYNs dropped, so the client sends them again, by
    when the port is closed and refuses), the queued ones are still taken in."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=16)
    port = listener.getsockname()[1]
    queued = socket.create_connection(("127.0.0.1", port), timeout=5)
    late = socket.socket()
    try:
        queued.sendall(b"POST written before the port closed")
        assert refuse_new_handshakes(listener)

        late.settimeout(0.5)
        with pytest.raises(TimeoutError):  # neither accepted nor refused: held back
            late.connect(("127.0.0.1", port))
        accepted, _ = listener.accept()
        with accepted:
            accepted.settimeout(5)
            assert accepted.recv(100) == b"POST written before the port closed"
            accepted.sendall(b"answered")
            assert queued.recv(100) == b"answered"
        listener.close()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5)
    finally:
        for sock in (queued, late, listener):
            sock.close()


# ----------------------------------------------------------------- one process


def test_a_request_in_flight_is_answered_across_sigterm_and_a_socket_gets_1012(daphne_factory):
    user = make_user(Role.STAFF)
    token = token_for(user)
    server = daphne_factory(graceful=True)
    body = json.dumps({"title": "Written across a restart", "content": "x" * 2000}).encode()

    async def scenario():
        ws = await open_board_socket(f"{server.ws_url}/ws/board/", token, origin=server.url)
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        try:
            # A keep-alive connection that has served a request, as nginx's have...
            sock.sendall(raw_request("GET", "/api/v1/personal-notes/", token))
            assert read_response(sock).status == 200
            # ...and the next request on it, its body only partly sent at SIGTERM.
            sock.sendall(raw_request("POST", "/api/v1/personal-notes/", token, body)[:-1500])
            server.process.terminate()

            closed_with = await close_code_of(ws)
            await asyncio.to_thread(
                wait_until, lambda: refuses_connections(server.port), 15, "the port closed"
            )
            assert not exited(server), "exited with a request half received"

            sock.sendall(body[-1500:])
            response = await asyncio.to_thread(read_response, sock)
        finally:
            sock.close()
        return closed_with, response

    closed_with, response = asyncio.run(scenario())
    assert closed_with == SERVICE_RESTART
    assert response.status == 201, response.body
    assert response.getheader("connection") == "close"
    assert json.loads(response.body)["title"] == "Written across a restart"
    assert server.process.wait(timeout=30) == 0, server.log()
    assert PersonalNote.objects.filter(owner=user, title="Written across a restart").count() == 1
    assert "drained: exiting" in server.log()


def test_clients_that_never_finish_hold_the_process_no_longer_than_the_grace_period(
    daphne_factory,
):
    token = token_for(make_user(Role.STAFF))
    server = daphne_factory(graceful=True, SHUTDOWN_GRACE_SECONDS="2")
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=30) as idle,
        socket.create_connection(("127.0.0.1", server.port), timeout=30) as stalled,
    ):
        for sock in (idle, stalled):
            sock.sendall(raw_request("GET", "/api/v1/personal-notes/", token))
            assert read_response(sock).status == 200
        # One keeps its connection open and sends nothing more; the other starts a
        # request and never sends the rest of its body.
        stalled.sendall(raw_request("POST", "/api/v1/personal-notes/", token, b"{}" * 50)[:-10])
        server.process.terminate()
        assert server.process.wait(timeout=30) == 0, server.log()
        assert idle.recv(1) == b""  # closed by the server on its way out
        assert stalled.recv(1) == b""
    log = server.log()
    assert "grace period over with 1 requests or sockets and 2 connections open" in log
    # Daphne's own shutdown ran to its end, past the request that had no application
    # yet (backend/serve.py: kill_all_applications).
    assert "pending application instances" in log


# ----------------------------------------------------------------- two replicas behind nginx

SOCKETS = 50
NOTE_CLIENTS = 3  # plus one client updating a card: 4 client threads


def nginx_workers(master: int) -> set[int]:
    """Worker processes of this nginx that still take new connections (an old worker
    draining after a reload is titled "worker process is shutting down")."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").strip()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if parent == master and title == b"nginx: worker process":
            found.add(int(entry.name))
    return found


def reload_nginx(proxy) -> None:
    """`nginx -s reload`: new workers, with the replicas' addresses resolved afresh and
    no memory of the refused connections (docs/operations.md, rolling restart)."""
    before = nginx_workers(proxy.process.pid)
    proxy.process.send_signal(signal.SIGHUP)
    wait_until(
        lambda: (now := nginx_workers(proxy.process.pid)) and not now & before,
        30,
        "nginx's new workers taking over",
    )


def unusual_nginx_errors(proxy) -> list[str]:
    """nginx's error log without what a restart is expected to produce: refused
    connections passed on, and sockets ending after their close handshake (autobahn
    resets the connection once both sides have sent their close frames)."""
    expected = ("Connection refused", "temporarily disabled", "proxying upgraded connection")
    return [line for line in proxy.log().splitlines() if not any(e in line for e in expected)]


@dataclass
class Tally:
    """Every request the clients made, and every one that did not get its status."""

    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, label: str, expected: int, send, *args, **kwargs) -> httpx.Response | None:
        """`send(*args, **kwargs)`; the response when it has the `expected` status."""
        try:
            response = send(*args, **kwargs)
        except httpx.HTTPError as exc:
            problem, response = f"{label}: {exc!r}", None
        else:
            problem = None
            if response.status_code != expected:
                problem = f"{label}: {response.status_code} {response.text[:200]}"
        with self.lock:
            self.counts[label] += 1
            if problem:
                self.failures.append(problem)
        return None if problem else response

    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())


def https_client(proxy, token: str) -> httpx.Client:
    # A new connection per request: a keep-alive connection to nginx could be closed by
    # an old nginx worker after a reload, which is nginx's business, not this test's.
    return httpx.Client(
        base_url=proxy.https,
        verify=proxy.tls(),
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_keepalive_connections=0),
        timeout=30,
    )


def write_notes(proxy, token: str, name: str, tally: Tally, stop: threading.Event) -> None:
    with https_client(proxy, token) as client:
        n = 0
        while not stop.is_set():
            n += 1
            tally.call("GET notes", 200, client.get, "/api/v1/personal-notes/")
            tally.call(
                "POST note",
                201,
                client.post,
                "/api/v1/personal-notes/",
                json={"title": f"{name} {n}"},
            )


def update_card(proxy, token: str, task: dict, tally: Tally, stop: threading.Event) -> None:
    """Each answered PATCH is one durable event on the board stream."""
    with https_client(proxy, token) as client:
        n = 0
        while not stop.is_set():
            n += 1
            response = tally.call(
                "PATCH task",
                200,
                client.patch,
                f"/api/v1/tasks/{task['id']}/",
                json={"title": f"v{n}", "version": task["version"]},
            )
            if response is not None:
                task = response.json()


class Follower:
    """A board client as docs/realtime.md describes it: keeps the last sequence it has
    (the highest with none missing before it), reconnects when closed and comes back
    from it (positions in `auth`)."""

    def __init__(self, url: str, token: str, tls) -> None:
        self.url, self.token, self.tls = url, token, tls
        self.start: int | None = None  # the stream's last sequence when first subscribed
        self.last = 0
        self.seen: set[int] = set()
        self.closes: list[int | None] = []  # codes the server closed with
        self.errors: list[str] = []  # connections that could not be opened
        self.resumes = 0
        self.ws = None
        self.stopping = False

    def take(self, sequence: int) -> None:
        self.seen.add(sequence)
        while self.last + 1 in self.seen:
            self.last += 1

    async def run(self) -> None:
        while not self.stopping:
            try:
                async with connect(
                    self.url, origin="https://127.0.0.1", ssl=self.tls, open_timeout=30
                ) as ws:
                    self.ws = ws
                    auth = {"type": "auth", "token": self.token}
                    if self.start is not None:
                        # Back after a close: from its position, named in the auth itself.
                        self.resumes += 1
                        auth["streams"] = {"board": self.last}
                    await ws.send(json.dumps(auth))
                    while True:
                        await self.receive(json.loads(await ws.recv()))
            except ConnectionClosed as closed:
                if not self.stopping:
                    self.closes.append(closed.rcvd.code if closed.rcvd else None)
            except (OSError, InvalidHandshake, TimeoutError) as exc:
                self.errors.append(repr(exc))
            # Come back soon, but not all in the same millisecond (docs/realtime.md).
            await asyncio.sleep(random.uniform(0.05, 0.5))

    async def receive(self, message: dict) -> None:
        if message["type"] == "subscribed" and self.start is None:
            self.start = self.last = message["payload"]["last_sequence"]
        elif message["stream"] == "board" and message["sequence"] is not None:
            self.take(message["sequence"])

    async def stop(self) -> None:
        self.stopping = True
        if self.ws is not None:
            await self.ws.close()


@pytest.fixture
def columns(transactional_db):
    TaskGroup.objects.create(name="To do", position=0)
    TaskGroup.objects.create(name="Done", position=1, is_done_column=True)


def test_restarting_both_replicas_behind_nginx_drops_no_request_socket_or_event(
    daphne_factory, tmp_path, columns
):
    team = make_department(code="TEAM")
    author_token = token_for(make_user(Role.STAFF, department=team))
    note_tokens = [token_for(make_user(Role.STAFF)) for _ in range(NOTE_CLIENTS)]
    follower_tokens = [token_for(make_user(Role.STAFF, department=team)) for _ in range(SOCKETS)]
    # The clients below make far more requests than a person would.
    environment = {"USER_THROTTLE_RATE": "1000000/min"}
    replicas = [daphne_factory(graceful=True, behind_proxies=1, **environment) for _ in range(2)]
    proxy = start_nginx(
        tmp_path / "nginx", tuple(f"127.0.0.1:{r.port}" for r in replicas), access_log=True
    )
    tally = Tally()
    stop = threading.Event()

    async def scenario() -> tuple[list[Follower], int, int]:
        with https_client(proxy, author_token) as client:
            created = client.post("/api/v1/tasks/", json={"title": "v0"})
        assert created.status_code == 201, created.text
        tls = proxy.tls()
        url = f"wss://127.0.0.1:{proxy.https_port}/ws/board/"
        followers = [Follower(url, token, tls) for token in follower_tokens]
        tasks = [asyncio.create_task(f.run()) for f in followers]
        await asyncio.to_thread(
            wait_until,
            lambda: all(f.start is not None for f in followers),
            120,
            "every socket subscribed",
        )
        base = followers[0].start
        assert {f.start for f in followers} == {base}  # nothing is produced yet

        threads = [
            threading.Thread(target=write_notes, args=(proxy, t, f"n{i}", tally, stop))
            for i, t in enumerate(note_tokens)
        ]
        threads.append(
            threading.Thread(
                target=update_card, args=(proxy, author_token, created.json(), tally, stop)
            )
        )
        for thread in threads:
            thread.start()
        try:
            for replica in replicas:
                before = tally.total()
                await asyncio.to_thread(
                    wait_until,
                    lambda before=before: tally.total() >= before + 20,
                    60,
                    "requests flowing",
                )
                assert await asyncio.to_thread(replica.restart) == 0, replica.log()
                await asyncio.to_thread(reload_nginx, proxy)
            after = tally.total()
            await asyncio.to_thread(
                wait_until, lambda: tally.total() >= after + 20, 60, "requests after restarts"
            )
        finally:
            stop.set()
            for thread in threads:
                await asyncio.to_thread(thread.join, 60)

        # The stream's last number now, as a new client learns it.
        probe = await connect(url, origin="https://127.0.0.1", ssl=tls)
        await probe.send(json.dumps({"type": "auth", "token": author_token}))
        while (message := json.loads(await asyncio.wait_for(probe.recv(), 30)))["type"] != (
            "subscribed"
        ):
            pass
        await probe.close()
        last = message["payload"]["last_sequence"]

        await asyncio.to_thread(
            wait_until,
            lambda: all(f.last >= last for f in followers),
            120,
            "every socket caught up",
        )
        for follower in followers:
            await follower.stop()
        await asyncio.gather(*tasks)
        return followers, base, last

    try:
        followers, base, last = asyncio.run(scenario())
    except BaseException:
        print(proxy.log(), *(replica.log()[-6000:] for replica in replicas), sep="\n")
        raise
    finally:
        stop.set()
        proxy.process.terminate()
        proxy.process.wait(timeout=10)

    if tally.failures:
        # In full: pytest cuts an assertion's message to a few lines unless run -vv,
        # and nginx's error lines say what happened to the connection.
        print("failures:", *tally.failures, "nginx errors:", *unusual_nginx_errors(proxy), sep="\n")
        print("replica logs:", *(replica.log()[-6000:] for replica in replicas), sep="\n")
    assert tally.failures == [], tally.failures[:5]
    assert all(tally.counts[label] > 0 for label in ("GET notes", "POST note", "PATCH task"))
    # Every answered PATCH made exactly one event, and every socket has them all.
    assert last == base + tally.counts["PATCH task"]
    expected = set(range(base + 1, last + 1))
    for follower in followers:
        assert follower.errors == []
        assert follower.closes, "a socket was never closed"
        assert set(follower.closes) == {SERVICE_RESTART}, follower.closes
        assert follower.resumes >= 1
        assert follower.seen == expected
    # Both replicas served, and nginx passed requests refused by a stopping or
    # starting replica on to the other one ("first, second" in $upstream_addr).
    access = (proxy.root / "access.log").read_text()
    addresses = [f"127.0.0.1:{r.port}" for r in replicas]
    assert all(address in access for address in addresses)
    assert any(all(address in line for address in addresses) for line in access.splitlines()), (
        "no request was passed on to the other replica"
    )
    for replica in replicas:
        assert "drained: exiting" in replica.log()
        assert "grace period over" not in replica.log()

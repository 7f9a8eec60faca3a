"""WebSocket fan-out benchmark.

1,000 WebSocket clients (BENCH_WS_CLIENTS) on one Daphne process (BENCH_WS_PROCESSES
spreads them round-robin over more), all on ws/board/; 20 task updates made
through the REST API; per update, the time from sending the PATCH until every client
has the event: p50, p99 and max over the 20 updates, and how many deliveries were
lost before catch-up. Next to it, in the same run, the same fan-out with raw Redis
pub/sub: the same event text PUBLISHed 20 times to 1,000 asyncio subscribers.

Both sides are measured from this one load process (pinned to the other core when
possible), so client-side parsing costs the same on both. Target: the API's p99 at
most 3x the raw p99, and 0 lost after catch-up (clients missing something resume
with their last sequence, as docs/realtime.md tells clients to).

Environment: BENCH_WS_CLIENTS (1000), BENCH_WS_UPDATES (20), BENCH_WS_PEOPLE ("one":
every client is the same user; "distinct": one user per client, which makes the board's
presence 1,000 people long and prints what announcing it cost).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import time
from datetime import datetime

from benchmarks import harness

CLIENTS = int(os.environ.get("BENCH_WS_CLIENTS", "1000"))
UPDATES = int(os.environ.get("BENCH_WS_UPDATES", "20"))
PORT = int(os.environ.get("BENCH_WS_PORT", "8766"))
# Daphne processes sharing the clients round-robin (ports PORT, PORT+1, ...); the board
# events reach every process through the Redis channel layer.
PROCESSES = int(os.environ.get("BENCH_WS_PROCESSES", "1"))
DISTINCT_PEOPLE = os.environ.get("BENCH_WS_PEOPLE", "one") == "distinct"
DEADLINE_SECONDS = 15


def prepare() -> tuple[int, str]:
    """A board column, a card and a superadmin's token, in the benchmark database."""
    from api.accounts.auth.tokens import issue_local_tokens
    from api.accounts.models import User
    from api.accounts.roles import Role
    from api.accounts.services import user_set_role
    from api.common.client import ClientInfo
    from api.kanban.models import Task, TaskGroup
    from api.kanban.services import task_create

    group, _ = TaskGroup.objects.get_or_create(name="Bench", defaults={"position": 0})
    user, created = User.objects.get_or_create(username="bench-ws")
    if created or user.role != Role.SUPERADMIN:
        user_set_role(user=user, role=Role.SUPERADMIN)
    task = Task.objects.filter(title="WebSocket benchmark card").first()
    if task is None:
        task = task_create(by=user, title="WebSocket benchmark card", department=None, group=group)
    token = issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "bench-ws"))["access"]
    return task.pk, token


def people_tokens(count: int) -> list[str]:
    """One staff user (and token) per client, for a board of `count` distinct people."""
    from api.accounts.auth.tokens import issue_local_tokens
    from api.accounts.models import User
    from api.accounts.roles import Role
    from api.common.client import ClientInfo

    names = [f"bench-ws-person-{n}" for n in range(count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=name, first_name="Person", last_name=name[-4:], role=Role.STAFF)
         for name in names if name not in existing]
    )  # fmt: skip
    client = ClientInfo("127.0.0.1", "bench-ws")
    return [
        issue_local_tokens(user=user, client=client)["access"]
        for user in User.objects.filter(username__in=names).order_by("username")
    ]


def summary(latencies_ms: list[float]) -> dict[str, float]:
    ordered = sorted(latencies_ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p99": p99, "max": ordered[-1]}


# ----------------------------------------------------------------------- the API side


class Client:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.received: dict[int, float] = {}  # sequence -> arrival (wall clock)
        self.committed: dict[int, float] = {}  # sequence -> the event's server timestamp
        self.last_sequence = 0
        self.last_message_at = time.time()
        self.presence_bytes = 0

    async def read_forever(self) -> None:
        async for raw in self.ws:
            self.last_message_at = time.time()
            if '"task.updated"' not in raw:  # presence etc.: not measured
                if '"presence.' in raw:
                    self.presence_bytes += len(raw)
                continue
            arrived = time.time()
            event = json.loads(raw)
            sequence = event["sequence"]
            self.received.setdefault(sequence, arrived)
            self.committed.setdefault(
                sequence, datetime.fromisoformat(event["timestamp"]).timestamp()
            )
            self.last_sequence = max(self.last_sequence, sequence)


async def open_client(port: int, token: str) -> Client:
    from websockets.asyncio.client import connect

    ws = await connect(
        f"ws://127.0.0.1:{port}/ws/board/",
        origin=f"http://127.0.0.1:{port}",
        max_queue=None,
        ping_interval=None,
    )
    await ws.send(json.dumps({"type": "auth", "token": token}))
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == "subscribed":
            return Client(ws)


async def api_fanout(
    task_id: int, token: str, client_tokens: list[str], servers: list
) -> tuple[list[float], int, int]:
    import httpx
    import psutil

    rss_before = [psutil.Process(server.process.pid).memory_info().rss for server in servers]
    clients: list[Client] = []
    for start in range(0, CLIENTS, 50):  # connect in waves: auth hits the database
        clients += await asyncio.gather(
            *(
                open_client(PORT + n % PROCESSES, client_tokens[n])
                for n in range(start, min(start + 50, CLIENTS))
            )
        )
    readers = [asyncio.create_task(client.read_forever()) for client in clients]
    joined_at = time.time()
    # Joins are announced to every socket (coalesced presence changes): wait until
    # this process has read them all, or the first updates would measure the backlog,
    # not the fan-out.
    while time.time() - max(client.last_message_at for client in clients) < 2:
        await asyncio.sleep(0.2)
    presence_mb = sum(client.presence_bytes for client in clients) / 1e6
    for index, server in enumerate(servers):
        grown = psutil.Process(server.process.pid).memory_info().rss - rss_before[index]
        sockets = len(range(index, CLIENTS, PROCESSES))
        print(
            f"  Daphne {index + 1}: {sockets} sockets, RSS +{grown / 1e6:.0f} MB, "
            f"{grown / sockets / 1024:.1f} KiB per socket"
        )
    people = CLIENTS if DISTINCT_PEOPLE else 1
    print(
        f"  presence traffic while {CLIENTS} clients ({people} people) joined: "
        f"{presence_mb:.1f} MB in all, the last of it "
        f"{max(client.last_message_at for client in clients) - joined_at:.1f} s after the last join"
    )

    latencies, lost, patch_ms, spreads, fanout_ms = [], 0, [], [], []
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{PORT}", headers={"Authorization": f"Bearer {token}"}
    ) as http:
        version = (await http.get(f"/api/v1/tasks/{task_id}/")).json()["version"]
        # One unmeasured update first: cold code paths are not what is being measured.
        response = await http.patch(
            f"/api/v1/tasks/{task_id}/", json={"title": "bench warm-up", "version": version}
        )
        version = response.json()["version"]
        await asyncio.sleep(1)
        for n in range(UPDATES):
            sent = time.time()
            response = await http.patch(
                f"/api/v1/tasks/{task_id}/", json={"title": f"bench update {n}", "version": version}
            )
            response.raise_for_status()
            patch_ms.append((time.time() - sent) * 1000)
            version = response.json()["version"]
            # The sequence of this update: the board stream's newest one.
            sequence = await _newest_board_sequence()
            deadline = time.perf_counter() + DEADLINE_SECONDS
            while time.perf_counter() < deadline:
                if all(sequence in client.received for client in clients):
                    break
                await asyncio.sleep(0.005)
            arrivals = [client.received.get(sequence) for client in clients]
            lost += sum(arrival is None for arrival in arrivals)
            if all(arrivals):
                latencies.append((max(arrivals) - sent) * 1000)
                spreads.append((max(arrivals) - min(arrivals)) * 1000)
                # From the event's timestamp (taken in the writing transaction) to the
                # last client: the fan-out itself, without the HTTP request around it.
                recorded = clients[0].committed[sequence]
                fanout_ms.append((max(arrivals) - recorded) * 1000)
            await asyncio.sleep(0.2)
    print("  per update, ms from the PATCH sent:", " ".join(f"{ms:.0f}" for ms in latencies))
    print(
        f"  API side: PATCH answered in {statistics.median(patch_ms):.1f} ms (median); "
        f"first to last client {statistics.median(spreads):.1f} ms (median)"
    )

    # Catch-up: whoever missed something resumes from their last sequence.
    last = await _newest_board_sequence()
    first = last - UPDATES + 1
    for client in clients:
        if any(s not in client.received for s in range(first, last + 1)):
            await client.ws.send(json.dumps({"type": "resume", "streams": {"board": first - 1}}))
    await asyncio.sleep(3)
    lost_after = sum(
        1 for client in clients for s in range(first, last + 1) if s not in client.received
    )
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*(client.ws.close() for client in clients), return_exceptions=True)
    return latencies, fanout_ms, lost, lost_after


async def _newest_board_sequence() -> int:
    from channels.db import database_sync_to_async

    from api.realtime.publisher import stream_position

    return (await database_sync_to_async(stream_position)("board")).last_sequence


# ----------------------------------------------------------------------- raw pub/sub


async def raw_fanout(text: str) -> tuple[list[float], int]:
    import redis.asyncio as aioredis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
    channel = "bench:raw-fanout"
    received: list[dict[int, float]] = [{} for _ in range(CLIENTS)]
    subscribers = []
    for _ in range(CLIENTS):
        client = aioredis.Redis.from_url(url, socket_timeout=None)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel)
        subscribers.append((client, pubsub))

    async def listen(index: int, pubsub) -> None:
        async for message in pubsub.listen():
            if message["type"] == "message":
                number = json.loads(message["data"])["n"]
                received[index].setdefault(number, time.perf_counter())

    listeners = [asyncio.create_task(listen(i, p)) for i, (_, p) in enumerate(subscribers)]
    await asyncio.sleep(1)
    publisher = aioredis.Redis.from_url(url)
    await publisher.publish(channel, json.dumps({"n": -1, "event": text}))  # warm-up
    await asyncio.sleep(1)
    latencies, lost = [], 0
    for n in range(UPDATES):
        payload = json.dumps({"n": n, "event": text})
        sent = time.perf_counter()
        await publisher.publish(channel, payload)
        deadline = time.perf_counter() + DEADLINE_SECONDS
        while time.perf_counter() < deadline and not all(n in r for r in received):
            await asyncio.sleep(0.005)
        arrivals = [r.get(n) for r in received]
        lost += sum(arrival is None for arrival in arrivals)
        if all(arrivals):
            latencies.append((max(arrivals) - sent) * 1000)
        await asyncio.sleep(0.2)
    for listener in listeners:
        listener.cancel()
    for client, pubsub in subscribers:
        await pubsub.aclose()
        await client.aclose()
    await publisher.aclose()
    return latencies, lost


def main() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * CLIENTS + 256)), hard))
    harness.ensure_database()
    harness.setup_django()
    task_id, token = prepare()
    client_tokens = people_tokens(CLIENTS) if DISTINCT_PEOPLE else [token] * CLIENTS
    cores = os.cpu_count() or 1
    if PROCESSES == 1 and hasattr(os, "sched_setaffinity") and cores > 1:
        os.sched_setaffinity(0, {1})  # clients on core 1; Daphne gets core 0
    servers = [harness.start_daphne(PORT + n, cpu=n % cores) for n in range(PROCESSES)]
    try:
        api_latencies, api_fanout_ms, api_lost, api_lost_after = asyncio.run(
            api_fanout(task_id, token, client_tokens, servers)
        )
    finally:
        for server in servers:
            server.stop()
    sample = json.dumps({"type": "task.updated", "stream": "board", "payload": {"x": "y" * 500}})
    raw_latencies, raw_lost = asyncio.run(raw_fanout(sample))

    api, fan, raw = summary(api_latencies), summary(api_fanout_ms), summary(raw_latencies)
    print(
        f"{CLIENTS} clients over {PROCESSES} Daphne process(es), {UPDATES} updates; "
        "time until every client has an update (ms)"
    )
    rows = [
        [
            "API: from the PATCH sent",
            *(f"{api[k]:.1f}" for k in ("p50", "p99", "max")),
            str(api_lost),
            str(api_lost_after),
        ],
        [
            "API: from the event timestamp",
            *(f"{fan[k]:.1f}" for k in ("p50", "p99", "max")),
            str(api_lost),
            str(api_lost_after),
        ],
        [
            "raw Redis pub/sub: from PUBLISH",
            *(f"{raw[k]:.1f}" for k in ("p50", "p99", "max")),
            str(raw_lost),
            "-",
        ],
    ]
    print(harness.table(rows, ["path", "p50", "p99", "max", "lost live", "lost after catch-up"]))
    harness.target("ws-fanout-p99-vs-raw", fan["p99"] / raw["p99"], "<=", 3)
    # End to end includes the PATCH's own work (rules, audit, event): printed, no target.
    print(f"p99 end to end / raw = {api['p99'] / raw['p99']:.2f} (no target)")
    harness.target("ws-lost-after-catch-up", api_lost_after, "==", 0, digits=0)

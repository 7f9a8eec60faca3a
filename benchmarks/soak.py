"""`make soak`: a working day, compressed: does anything grow without end?

Two Daphne processes, a Celery worker and beat on PostgreSQL and Redis (production-like
settings, the benchmark database); SOAK_SOCKETS board sockets spread over both
processes, a share of them dropping and resuming every half minute; SOAK_RPS mixed
requests a second (lists, board moves, comments, overtime filed, submitted and
approved) for SOAK_MINUTES (20).

Every minute it prints, per process, RSS and open file descriptors, then errors by
status, board events lost and duplicated, rows of the tables that grow, Redis clients
and keys, PostgreSQL connections. It ends with `target` lines (the `make bench` format):
RSS slope over the second half <= 0.5 MB/min per process, no errors, nothing lost or
duplicated after resume, bounded presence rows and connections.

Environment: SOAK_MINUTES (20), SOAK_SOCKETS (400), SOAK_RPS (30), SOAK_STAFF (40),
SOAK_PORTS (8781,8782), BENCH_DATABASE_URL; BENCH_SERVER_LOGS=<dir> keeps the servers'
logs there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import httpx

from benchmarks import harness

MINUTES = float(os.environ.get("SOAK_MINUTES", "20"))
SOCKETS = int(os.environ.get("SOAK_SOCKETS", "400"))
RPS = float(os.environ.get("SOAK_RPS", "30"))
STAFF = int(os.environ.get("SOAK_STAFF", "40"))
# Two ports for the two Daphne processes ("8781,8782"): another run on the same machine
# needs others.
PORTS = tuple(int(port) for port in os.environ.get("SOAK_PORTS", "8781,8782").split(","))
GROWING_TABLES = (
    "api_realtimeevent",
    "api_boardpresence",
    "api_useractivitylog",
    "api_notification",
    "api_usersession",
    "api_overtimerequest",
    "api_taskcomment",
)


def prepare() -> dict:
    """Staff of one department, its admin, a board of four columns, and their tokens."""
    from api.accounts.auth.tokens import issue_local_tokens
    from api.accounts.models import User
    from api.accounts.roles import Role
    from api.accounts.services import user_set_role
    from api.common.client import ClientInfo
    from api.kanban.models import Task, TaskGroup
    from api.kanban.services import task_create
    from api.org.models import Department, Employee
    from api.overtime.models import OvertimeRequest
    from benchmarks.bench_writes import _regulation

    _regulation()
    department, _ = Department.objects.get_or_create(code="SOAK", defaults={"name": "Soak"})
    client = ClientInfo("127.0.0.1", "soak")

    def person(name: str, role: str) -> tuple[User, str]:
        user, _ = User.objects.get_or_create(username=name)
        if user.role != role:
            user_set_role(user=user, role=role)
        Employee.objects.get_or_create(
            user=user,
            defaults={
                "employee_code": f"SK-{user.pk}",
                "first_name": name,
                "department": department,
            },
        )
        return user, issue_local_tokens(user=user, client=client)["access"]

    admin, admin_token = person("soak-admin", Role.PTB_ADMIN)
    staff = [person(f"soak-staff-{n}", Role.STAFF)[1] for n in range(STAFF)]
    # Each run files its requests on the days before today again: start from none.
    OvertimeRequest.objects.filter(employee__department=department).delete()
    groups = [
        TaskGroup.objects.get_or_create(name=f"Soak {n}", defaults={"position": 200 + n})[0]
        for n in range(4)
    ]
    tasks = list(Task.objects.filter(title__startswith="soak card", archived_at=None))
    for n in range(len(tasks), 40):
        tasks.append(
            task_create(
                by=admin, title=f"soak card {n}", department=department, group=groups[n % 4]
            )
        )
    return {
        "admin": admin_token,
        "staff": staff,
        "tasks": [task.pk for task in tasks],
        "groups": [group.pk for group in groups],
    }


# ----------------------------------------------------------------------- sockets


class BoardSocket:
    """One board client: remembers every sequence it got; after a drop it reconnects
    with its last position in `auth`."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.seen: Counter[int] = Counter()
        self.first: int | None = None
        self.ws = None

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(
            f"ws://127.0.0.1:{self.port}/ws/board/",
            origin=f"http://127.0.0.1:{self.port}",
            max_queue=None,
            ping_interval=None,
        )
        auth = {"type": "auth", "token": self.token}
        if self.seen:
            # Positions in auth, not a resume after it: between the two the socket would
            # already follow the board live, and the replay would repeat what came.
            auth["streams"] = {"board": max(self.seen)}
        await self.ws.send(json.dumps(auth))

    async def read(self) -> None:
        async for raw in self.ws:
            event = json.loads(raw)
            # Durable board events carry a sequence; presence and replies carry none.
            if event.get("stream") == "board" and isinstance(event.get("sequence"), int):
                self.seen[event["sequence"]] += 1
                if self.first is None:
                    self.first = event["sequence"]

    async def drop(self) -> None:
        await self.ws.close()


async def run_sockets(sockets: list[BoardSocket], stop: asyncio.Event) -> None:
    async def keep(socket: BoardSocket) -> None:
        while not stop.is_set():
            try:
                await socket.connect()
                await socket.read()
            except (TimeoutError, OSError, Exception) as exc:
                if stop.is_set():
                    return
                print(f"  socket error, reconnecting: {type(exc).__name__}: {exc}", flush=True)
                await asyncio.sleep(1)

    async def churn() -> None:
        rng = random.Random(3)
        while not stop.is_set():
            await asyncio.sleep(30)
            for socket in rng.sample(sockets, max(1, len(sockets) // 20)):
                if socket.ws is not None:
                    await socket.drop()  # keep() reconnects from its position

    tasks = []
    for start in range(0, len(sockets), 50):  # connect in waves
        tasks += [asyncio.create_task(keep(s)) for s in sockets[start : start + 50]]
        await asyncio.sleep(0.5)
    churner = asyncio.create_task(churn())
    await stop.wait()
    churner.cancel()
    for socket in sockets:
        if socket.ws is not None:
            await socket.ws.close()
    await asyncio.gather(*tasks, return_exceptions=True)


# ----------------------------------------------------------------------- requests


async def run_requests(world: dict, stop: asyncio.Event, statuses: Counter) -> None:
    rng = random.Random(11)
    days_back = dict.fromkeys(range(STAFF), 1)
    submitted: list[int] = []
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) for port in PORTS]

    def auth(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    async def file_overtime(http) -> httpx.Response:
        who = rng.randrange(STAFF)
        from django.utils import timezone

        while True:
            day = timezone.localdate() - timedelta(days=days_back[who])
            days_back[who] += 1
            if day.weekday() < 5:
                break
        body = {
            "start_at": f"{day.isoformat()}T18:00:00+07:00",
            "end_at": f"{day.isoformat()}T19:00:00+07:00",
            "reason": "soak",
            "submit": True,
        }
        response = await http.post(
            "/api/v1/overtime-requests/", json=body, headers=auth(world["staff"][who])
        )
        if response.status_code == 201:
            submitted.append(response.json()["id"])
        return response

    async def approve(http) -> httpx.Response | None:
        if not submitted:
            return None
        pk = submitted.pop(0)
        return await http.post(
            f"/api/v1/overtime-requests/{pk}/approve/", json={}, headers=auth(world["admin"])
        )

    def get(path: str):
        return lambda http: http.get(path, headers=auth(rng.choice(world["staff"])))

    mix = [
        (30, get("/api/v1/overtime-requests/?page_size=20")),
        (15, get("/api/v1/tasks/?page_size=20")),
        (10, get("/api/v1/notifications/")),
        (
            15,
            lambda http: http.post(
                "/api/v2/board/move/",
                json={
                    "task": rng.choice(world["tasks"]),
                    "group": rng.choice(world["groups"]),
                    "position": rng.randrange(12),
                },
                headers=auth(world["admin"]),
            ),
        ),
        (
            10,
            lambda http: http.post(
                "/api/v1/task-comments/",
                json={"task": rng.choice(world["tasks"]), "body": "soak comment"},
                headers=auth(world["admin"]),
            ),
        ),
        (10, file_overtime),
        (10, approve),
    ]
    weights = [weight for weight, _ in mix]

    async def one() -> None:
        call = rng.choices([call for _, call in mix], weights)[0]
        try:
            response = await call(rng.choice(clients))
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1
            return
        if response is not None:
            statuses[response.status_code] += 1
            if response.status_code >= 400 and len(samples) < 5:
                samples.append(
                    f"{response.request.method} {response.request.url.path} "
                    f"{response.status_code}: {response.text[:300]}"
                )

    samples: list[str] = []
    pending: set[asyncio.Task] = set()
    while not stop.is_set():
        task = asyncio.create_task(one())
        pending.add(task)
        task.add_done_callback(pending.discard)
        await asyncio.sleep(rng.expovariate(RPS))
    await asyncio.gather(*pending, return_exceptions=True)
    for http in clients:
        await http.aclose()
    for sample in samples:
        print(f"  error answer: {sample}")


# ----------------------------------------------------------------------- sampling


def _table_rows() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        rows = {}
        for table in GROWING_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (constant names)
            rows[table.removeprefix("api_")] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        rows["pg connections"] = cursor.fetchone()[0]
        cursor.execute("SELECT last_sequence FROM api_realtimestream WHERE name = 'board'")
        found = cursor.fetchone()
        rows["board sequence"] = found[0] if found else 0
    return rows


def _redis_figures() -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))
    try:
        keys = sum(db.get("keys", 0) for db in client.info("keyspace").values())
        return {"redis clients": client.info("clients")["connected_clients"], "redis keys": keys}
    finally:
        client.close()


def _errors(statuses: Counter) -> int:
    """Answers that are not 2xx, and requests that got no answer at all."""
    return sum(n for status, n in statuses.items() if not str(status).startswith("2"))


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (minute, value) points."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


async def sample_forever(processes: dict, stop: asyncio.Event, statuses: Counter, log: list):
    import psutil

    started = time.monotonic()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=60)
        minute = (time.monotonic() - started) / 60
        figures = {"minute": round(minute, 1)}
        for name, process in processes.items():
            info = psutil.Process(process.pid)
            figures[f"{name} MB"] = round(info.memory_info().rss / 1e6, 1)
            figures[f"{name} fds"] = info.num_fds()
        figures |= await asyncio.to_thread(_table_rows)
        figures |= await asyncio.to_thread(_redis_figures)
        figures["requests"] = sum(statuses.values())
        figures["errors"] = sum(
            n for status, n in statuses.items() if not str(status).startswith("2")
        )
        log.append(figures)
        print("  " + ", ".join(f"{key} {value}" for key, value in figures.items()), flush=True)


def _start_celery(kind: str, schedule_dir: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "backend", kind, "-l", "warning"]
    if kind == "worker":
        command += ["--concurrency=1", "--without-gossip", "--without-mingle"]
    else:
        command += ["-s", os.path.join(schedule_dir, "beat-schedule")]
    return subprocess.Popen(
        command,
        cwd=harness.REPO_ROOT,
        env=harness.bench_environment(CELERY_TASK_ALWAYS_EAGER="false"),
        stdout=subprocess.DEVNULL,
        stderr=harness.server_log(f"celery-{kind}"),
    )


async def soak(world: dict, processes: dict) -> tuple[list[dict], Counter, list[BoardSocket]]:
    stop = asyncio.Event()
    statuses: Counter = Counter()
    log: list[dict] = []
    sockets = [
        BoardSocket(PORTS[n % len(PORTS)], world["staff"][n % STAFF]) for n in range(SOCKETS)
    ]
    runners = [
        asyncio.create_task(run_sockets(sockets, stop)),
        asyncio.create_task(run_requests(world, stop, statuses)),
        asyncio.create_task(sample_forever(processes, stop, statuses, log)),
    ]
    await asyncio.sleep(MINUTES * 60)
    await asyncio.sleep(3)  # the last events reach the sockets
    stop.set()
    await asyncio.gather(*runners)
    return log, statuses, sockets


def main() -> int:
    import tempfile

    harness.ensure_database()
    # The clients' access tokens are issued once, here, before the run: they must
    # outlast it (a 2-hour run outlived the benchmarks' 120 minutes in its last
    # minute, and every socket was closed 4401 and every request refused).
    harness.setup_django(JWT_ACCESS_MINUTES=str(math.ceil(MINUTES) + 60))
    world = prepare()
    servers = [harness.start_daphne(port, cpu=n) for n, port in enumerate(PORTS)]
    schedule_dir = tempfile.mkdtemp(prefix="soak-beat-")
    celery = {kind: _start_celery(kind, schedule_dir) for kind in ("worker", "beat")}
    processes = {f"daphne{n + 1}": server.process for n, server in enumerate(servers)} | celery
    print(f"soak: {MINUTES:g} min, {SOCKETS} sockets over 2 Daphne processes, ~{RPS:g} req/s")
    try:
        log, statuses, sockets = asyncio.run(soak(world, processes))
    finally:
        for server in servers:
            server.stop()
        for process in celery.values():
            process.terminate()
            process.wait(timeout=30)

    last = _table_rows()["board sequence"]
    lost = duplicated = 0
    for socket in sockets:
        if socket.first is None:
            continue
        lost += sum(1 for n in range(socket.first, last + 1) if n not in socket.seen)
        duplicated += sum(count - 1 for count in socket.seen.values() if count > 1)
    print("statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items(), key=str)))
    second_half = [row for row in log if row["minute"] >= MINUTES / 2]
    for name in processes:
        slope = _slope([(row["minute"], row[f"{name} MB"]) for row in second_half])
        harness.target(f"soak-rss-slope-{name}-mb-per-min", slope, "<=", 0.5)
    harness.target("soak-errors", _errors(statuses), "==", 0, digits=0)
    harness.target("soak-events-lost", lost, "==", 0, digits=0)
    harness.target("soak-events-duplicated", duplicated, "==", 0, digits=0)
    if log:
        harness.target("soak-presence-rows", log[-1]["boardpresence"], "<=", SOCKETS, digits=0)
        for figure in ("pg connections", "redis clients"):
            harness.target(
                f"soak-{figure.replace(' ', '-')}-slope-per-min",
                _slope([(row["minute"], row[figure]) for row in second_half]),
                "<=",
                0.5,
            )
    print("\n".join(harness.TARGETS))
    return 0 if all(line.endswith("meets") for line in harness.TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())

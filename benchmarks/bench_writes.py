"""Write-path benchmark: submit, approve and a board move, against a naive PATCH.

One Daphne process on the benchmark database; load from this process with
BENCH_WRITES_CONCURRENCY (8) asyncio clients over HTTP keep-alive:

- submit:  POST /api/v1/overtime-requests/<id>/submit/ by the employee (regulation
           check, overlap and leave checks, audit, notifications to the department's
           admins, durable event);
- approve: POST /api/v1/overtime-requests/<id>/approve/ by the department admin (the
           same, plus the second-approval rule);
- naive:   PATCH /bench/naive-write/<id>/ of the same rows: a ModelViewSet with a
           ModelSerializer(fields="__all__"), the reference for "a write";
- move:    POST /api/v2/board/move/ by 8 concurrent movers shuffling cards between
           columns; after the run every column must be dense (positions 0..n-1).

The requests run in BENCH_WRITES_ROUNDS (5) rounds, each a slice of the rows: submit,
then approve and the naive PATCH back to back (approve first in one round, the PATCH
first in the next). Approve vs the naive PATCH is the median of the rounds' ratios: on
a shared machine whose speed drifts, two phases served back to back compare fairly.
The board moves run after the rounds.

Queries per write are counted in this process (Django's test client on the same
database) for an employee with a short history and one with a long history: they must
be equal. Targets: approve >= 0.5x the naive PATCH's requests/s, queries per write
independent of history, positions consistent, no errors.

Environment: BENCH_WRITES (400 requests per phase), BENCH_WRITES_ROUNDS (5),
BENCH_WRITES_CONCURRENCY (8), BENCH_WRITES_HISTORY (2000 earlier requests of the
long-history employee), BENCH_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from datetime import timedelta
from decimal import Decimal

import httpx

from benchmarks import harness

WRITES = int(os.environ.get("BENCH_WRITES", "400"))
CONCURRENCY = int(os.environ.get("BENCH_WRITES_CONCURRENCY", "8"))
ROUNDS = int(os.environ.get("BENCH_WRITES_ROUNDS", "5"))
HISTORY = int(os.environ.get("BENCH_WRITES_HISTORY", "2000"))
PORT = int(os.environ.get("BENCH_WRITES_PORT", "8767"))
CARDS = 40
COLUMNS = 4


def _people() -> dict:
    """An employee with a long history, one with none, and their department's admin
    (every one with an Employee record in the department: that is how roles scope)."""
    from api.accounts.models import User
    from api.accounts.roles import Role
    from api.accounts.services import user_set_role
    from api.org.models import Department, Employee

    department, _ = Department.objects.get_or_create(code="BENCHW", defaults={"name": "Bench W"})
    people = {}
    for name, role in (
        ("bench-w-employee", Role.STAFF),
        ("bench-w-fresh", Role.STAFF),
        ("bench-w-admin", Role.PTB_ADMIN),
    ):
        user, _ = User.objects.get_or_create(username=name)
        if user.role != role:
            user_set_role(user=user, role=role)
        Employee.objects.get_or_create(
            user=user,
            defaults={
                "employee_code": f"BW-{user.pk}",
                "first_name": name,
                "department": department,
            },
        )
        people[name] = user
    return people


def _tokens(people) -> dict[str, str]:
    from api.accounts.auth.tokens import issue_local_tokens
    from api.common.client import ClientInfo

    return {
        name: issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "bench-writes"))[
            "access"
        ]
        for name, user in people.items()
    }


def _regulation() -> None:
    """A global regulation in force (the defaults), unless the database has one."""
    from datetime import date

    from api.overtime.models import OvertimeRegulation, RegulationScope

    if not OvertimeRegulation.objects.filter(scope=RegulationScope.GLOBAL, is_active=True).exists():
        OvertimeRegulation.objects.create(
            name="Bench default",
            scope=RegulationScope.GLOBAL,
            max_hours_per_day=Decimal("4"),
            max_hours_per_week=Decimal("18"),
            max_hours_per_month=Decimal("72"),
            max_hours_per_year=Decimal("720"),
            second_approval_threshold_hours=Decimal("3"),
            effective_from=date(2000, 1, 1),
        )


def _drafts(employee_user, count: int, *, days_back_from: int, hours: int = 1) -> list[int]:
    """`count` one-hour drafts on distinct past workdays (inside every limit)."""
    from django.utils import timezone

    from api.org.models import Employee
    from api.overtime.models import OvertimeRequest, OvertimeStatus

    employee = Employee.objects.get(user=employee_user)
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    rows, day = [], days_back_from
    while len(rows) < count:
        date = today - timedelta(days=day)
        day += 1
        if date.weekday() >= 5:
            continue
        start = timezone.make_aware(timezone.datetime(date.year, date.month, date.day, 18, 0), tz)
        rows.append(
            OvertimeRequest(
                employee=employee,
                start_at=start,
                end_at=start + timedelta(hours=hours),
                total_hours=Decimal(hours),
                net_hours=Decimal(hours),
                reason="bench",
                status=OvertimeStatus.DRAFT,
                created_by=employee_user,
            )
        )
    return [row.pk for row in OvertimeRequest.objects.bulk_create(rows)]


def _clear(people) -> None:
    from api.overtime.models import OvertimeRequest

    OvertimeRequest.objects.filter(employee__user__in=people.values()).delete()


def _board(admin) -> tuple[list[int], list[int]]:
    from api.kanban.models import Task, TaskGroup
    from api.kanban.services import task_create
    from api.org.models import Employee

    department = Employee.objects.get(user=admin).department

    groups = []
    for index in range(COLUMNS):
        group, _ = TaskGroup.objects.get_or_create(
            name=f"Bench writes {index}", defaults={"position": 100 + index}
        )
        groups.append(group)
    tasks = list(Task.objects.filter(title__startswith="bench-writes card", archived_at=None))
    for index in range(len(tasks), CARDS):
        tasks.append(
            task_create(
                by=admin,
                title=f"bench-writes card {index}",
                department=department,
                group=groups[index % COLUMNS],
            )
        )
    return [task.pk for task in tasks], [group.pk for group in groups]


def _columns_dense() -> bool:
    from api.kanban.models import Task

    by_group: dict[int, list[int]] = {}
    for group_id, position in Task.objects.filter(archived_at=None).values_list(
        "group_id", "position"
    ):
        by_group.setdefault(group_id, []).append(position)
    return all(sorted(positions) == list(range(len(positions))) for positions in by_group.values())


def _queries_per_write(tokens, short_ids, long_ids) -> dict[str, int]:
    """Queries of one submit and one approve, for a short and a long history."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")

    def count(token: str, path: str, body: dict) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
        return len(queries)

    url = "/api/v1/overtime-requests/{}/{}/"
    figures = {}
    # One warm-up pair per token first: caches (permissions, regulation) filled and each
    # session's activity stamp written, so the two counts differ only by the history.
    for label, employee, pk in (
        ("warm-up short", "bench-w-fresh", short_ids[1]),
        ("warm-up long", "bench-w-employee", long_ids[1]),
        ("short", "bench-w-fresh", short_ids[0]),
        ("long", "bench-w-employee", long_ids[0]),
    ):
        figures[f"submit {label}"] = count(tokens[employee], url.format(pk, "submit"), {})
        figures[f"approve {label}"] = count(
            tokens["bench-w-admin"], url.format(pk, "approve"), {"note": "ok"}
        )
    for label in ("warm-up short", "warm-up long"):
        figures.pop(f"submit {label}"), figures.pop(f"approve {label}")
    return figures


async def _load(base: str, calls: list[tuple[str, str, str, dict]]) -> dict:
    """Runs (method, path, token, body) calls with CONCURRENCY clients; latencies in ms."""
    queue: asyncio.Queue = asyncio.Queue()
    for call in calls:
        queue.put_nowait(call)
    latencies: list[float] = []
    errors: list[str] = []

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            while not queue.empty():
                method, path, token, body = queue.get_nowait()
                started = time.perf_counter()
                response = await client.request(
                    method, path, json=body, headers={"Authorization": f"Bearer {token}"}
                )
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code >= 300 and response.status_code != 409:
                    errors.append(f"{method} {path}: {response.status_code}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    return {"calls": len(calls), "seconds": elapsed, "latencies": latencies, "errors": errors}


def _summary(runs: list[dict]) -> dict:
    """One phase over its rounds: requests/s over all of them, pooled latencies."""
    latencies = sorted(ms for run in runs for ms in run["latencies"])
    return {
        "rps": sum(run["calls"] for run in runs) / sum(run["seconds"] for run in runs),
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": [error for run in runs for error in run["errors"]],
    }


def main() -> None:
    harness.ensure_database()
    harness.setup_django()
    _regulation()
    people = _people()
    tokens = _tokens(people)
    _clear(people)
    # The long history: decided requests far in the past, never touched by the run.
    history = _drafts(people["bench-w-employee"], HISTORY, days_back_from=WRITES * 2 + 30)
    from api.overtime.models import OvertimeRequest, OvertimeStatus

    OvertimeRequest.objects.filter(pk__in=history).update(status=OvertimeStatus.APPROVED)
    work = _drafts(people["bench-w-employee"], WRITES + 2, days_back_from=1)
    fresh = _drafts(people["bench-w-fresh"], 2, days_back_from=1)
    queries = _queries_per_write(tokens, fresh, work)
    work = work[2:]
    task_ids, group_ids = _board(people["bench-w-admin"])

    employee, admin = tokens["bench-w-employee"], tokens["bench-w-admin"]
    rng = random.Random(7)

    def phases(rows: list[int]) -> dict[str, list]:
        return {
            "submit": [
                ("POST", f"/api/v1/overtime-requests/{pk}/submit/", employee, {}) for pk in rows
            ],
            "approve": [
                ("POST", f"/api/v1/overtime-requests/{pk}/approve/", admin, {"note": "ok"})
                for pk in rows
            ],
            "naive PATCH": [
                ("PATCH", f"/bench/naive-write/{pk}/", admin, {"reason": f"bench {pk}"})
                for pk in rows
            ],
        }

    moves = [
        (
            "POST",
            "/api/v2/board/move/",
            admin,
            {
                "task": rng.choice(task_ids),
                "group": rng.choice(group_ids),
                "position": rng.randrange(CARDS // COLUMNS + 2),
            },
        )
        for _ in range(WRITES)
    ]
    rounds: dict[str, list[dict]] = {"submit": [], "approve": [], "naive PATCH": []}
    server = harness.start_daphne(PORT)
    try:
        for number in range(ROUNDS):
            calls = phases(work[number::ROUNDS])
            order = ["approve", "naive PATCH"] if number % 2 == 0 else ["naive PATCH", "approve"]
            for name in ["submit", *order]:
                rounds[name].append(asyncio.run(_load(server.url, calls[name])))
        board = asyncio.run(_load(server.url, moves))
    finally:
        server.stop()
    results = {name: _summary(runs) for name, runs in rounds.items()}
    results["board move"] = _summary([board])
    approve_vs_naive = [
        (approve["calls"] / approve["seconds"]) / (naive["calls"] / naive["seconds"])
        for approve, naive in zip(rounds["approve"], rounds["naive PATCH"], strict=True)
    ]

    print(
        f"\nwrites: {WRITES} per phase in {ROUNDS} rounds, {CONCURRENCY} concurrent clients, "
        f"1 Daphne process; long history {HISTORY} requests"
    )
    rows = [
        [name, f"{r['rps']:.0f}", f"{r['p50']:.1f}", f"{r['p99']:.1f}", str(len(r["errors"]))]
        for name, r in results.items()
    ]
    print(harness.table(rows, ["phase", "req/s", "p50 ms", "p99 ms", "errors"]))
    print("queries per write: " + ", ".join(f"{k} {v}" for k, v in queries.items()))
    for name, r in results.items():
        for error in r["errors"][:3]:
            print(f"  {name} error: {error}")
    naive = results["naive PATCH"]["rps"]
    print(
        "approve vs naive PATCH, round by round: "
        + " ".join(f"{value:.2f}" for value in approve_vs_naive)
        + f" (over all rounds {results['approve']['rps'] / naive:.2f})"
    )
    harness.target("writes-approve-vs-naive-patch", harness.median(approve_vs_naive), ">=", 0.5)
    print(f"submit / naive PATCH: {results['submit']['rps'] / naive:.2f} (no target)")
    for action in ("submit", "approve"):
        harness.target(
            f"writes-{action}-queries-long-minus-short",
            queries[f"{action} long"] - queries[f"{action} short"],
            "==",
            0,
            digits=0,
        )
    harness.target("writes-board-positions-dense", int(_columns_dense()), "==", 1, digits=0)
    harness.target(
        "writes-errors", sum(len(r["errors"]) for r in results.values()), "==", 0, digits=0
    )

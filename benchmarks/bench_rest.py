"""REST list benchmark: GET /api/v1/overtime-requests/?page_size=50 over
100,000 requests in PostgreSQL, served by one Daphne process, against two references
served by the same process in the same run:

- plain:  a bare JsonResponse (the floor cost of Django + Daphne);
- naive:  ListAPIView + ModelSerializer(fields="__all__") of the same 50 rows, with the
          same authentication, scope and pagination.

The API is measured twice: as clients get it (a page is served again from the list
cache while nothing on it changed) and with `Cache-Control: no-cache`, which builds
every page (what the list costs under constant writes). A page built that way still
reads its rows from the database but renders only the rows this process has not
rendered as they are now (api/common/page_statement.py: a page rebuilt after a write
mostly shows unchanged rows). The benchmark reads the same page again and again, so
every row is one the process remembers: the best case. The worst, every row new to
the process, is measured too ("api, built, no row remembered": a second Daphne with
PAGE_ROWS_REMEMBERED=0, in the same rounds) and printed next to the targets.

Load comes from wrk in another process (32 connections, pinned to the other core),
round by round. In a round the endpoints are served one after the other in an order
that puts each compared pair side by side (served, plain, built, naive, then the page
that remembers no row), forwards in one round and backwards in the next, so no endpoint
always goes first or last. A ratio is taken within each round and the target is the
median of those ratios: on a shared machine whose speed drifts over minutes, two
endpoints measured back to back compare more fairly than medians of rounds up to 16 s
apart (one run on a slowing machine gave 0.25 against 0.31-0.34 for the runs around
it, most likely from a slowdown that fell on one endpoint's rounds). Targets: served
from the cache >= 0.45x plain; every page built >= 0.30x plain and >= 2.5x naive; a
query count per request that does not depend on the page size.

Before the load, each endpoint's CPU per request is measured in this process
(django.test.Client, the fastest of 15 batches): the figure to compare across runs
on a shared machine, where req/s move with the neighbours' load.

Environment: BENCH_ROWS (100000), BENCH_ROUNDS (5), BENCH_SECONDS (6), BENCH_PORT
(8765), BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/ptb_bench).
"""

from __future__ import annotations

import os
import time

from benchmarks import harness

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
CONNECTIONS = 32
PORT = int(os.environ.get("BENCH_PORT", "8765"))

# In the order a round serves them: each compared pair side by side.
ENDPOINTS = {
    "api": "/api/v1/overtime-requests/?page_size=50",
    "plain": "/bench/plain/",
    "api, cache bypassed": "/api/v1/overtime-requests/?page_size=50",
    "naive": "/bench/naive/?page_size=50",
    "api, built, no row remembered": "/api/v1/overtime-requests/?page_size=50",
}
# The API serves a page again from its cache while nothing on it changed
# (api/common/list_cache.py); "Cache-Control: no-cache" makes it build every page,
# which is what a list under constant writes costs.
EXTRA_HEADERS = {
    "api, cache bypassed": {"Cache-Control": "no-cache"},
    "api, built, no row remembered": {"Cache-Control": "no-cache"},
}
# Served by a second Daphne that remembers no rendered row (PAGE_ROWS_REMEMBERED=0).
FORGETFUL = "api, built, no row remembered"


def seed() -> None:
    from django.core.management import call_command
    from django.db import connection

    from api.accounts.models import User
    from api.overtime.dummy_data import generate_overtime_dummy
    from api.overtime.models import OvertimeRequest

    if OvertimeRequest.objects.count() == ROWS:
        return
    print(f"seeding {ROWS} overtime requests (once; kept in the benchmark database)...")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE api_overtimebreak, api_overtimerequest RESTART IDENTITY CASCADE")
    call_command(
        "loaddata", "generate_data/employees.json", "generate_data/projects.json", verbosity=0
    )
    User.objects.get_or_create(username="bench-owner")
    generate_overtime_dummy(ROWS, seed=1, days=365)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  seeded in {time.perf_counter() - started:.1f}s")


def bench_user():
    from api.accounts.models import User
    from api.accounts.roles import Role
    from api.accounts.services import user_set_role

    user, _ = User.objects.get_or_create(username="bench-superadmin")
    if user.role != Role.SUPERADMIN:
        user_set_role(user=user, role=Role.SUPERADMIN)
    return user


def access_token(user) -> str:
    from api.accounts.auth.tokens import issue_local_tokens
    from api.common.client import ClientInfo

    return issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "bench"))["access"]


def queries_per_request(token: str) -> dict[str, int]:
    """SQL statements one request runs, measured in-process on the same code path."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    counts = {}
    for name, path in ENDPOINTS.items():
        headers = EXTRA_HEADERS.get(name, {})
        client.get(path, headers=headers)  # warm: the first request also records activity
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, (name, response.status_code, response.content[:300])
        if name != "plain":
            assert len(response.json()["results"]) == 50, name
        counts[name] = len(captured.captured_queries)
    # The same count with a page of one row: the query count does not grow with the page.
    with CaptureQueriesContext(connection) as captured:
        client.get(
            ENDPOINTS["api"].replace("page_size=50", "page_size=1"),
            headers={"Cache-Control": "no-cache"},
        )
    counts["api (page_size=1)"] = len(captured.captured_queries)
    return counts


def cpu_per_request(token: str, batches: int = 15, size: int = 40) -> dict[str, float]:
    """CPU milliseconds one request costs this process (the fastest of `batches`
    batches, django.test.Client, no server): on a machine shared with other work the
    figure that moves least, where wrk's req/s move with the neighbours' load."""
    from django.test import Client

    from api.common.page_statement import page_statement
    from api.overtime.serializers import OVERTIME_REQUEST

    remembered = page_statement(OVERTIME_REQUEST, "default").rendered_rows
    capacity = remembered.capacity
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    costs = {}
    for name, path in ENDPOINTS.items():
        headers = EXTRA_HEADERS.get(name, {})
        remembered.capacity = 0 if name == FORGETFUL else capacity
        remembered.clear()
        for _ in range(10):
            client.get(path, headers=headers)
        fastest = float("inf")
        for _ in range(batches):
            started = time.process_time()
            for _ in range(size):
                client.get(path, headers=headers)
            fastest = min(fastest, (time.process_time() - started) / size * 1000)
        costs[name] = fastest
    remembered.capacity = capacity
    return costs


def main() -> None:
    harness.ensure_database()
    harness.setup_django()
    seed()
    token = access_token(bench_user())
    counts = queries_per_request(token)
    cpu = cpu_per_request(token)
    headers = {"Authorization": f"Bearer {token}"}

    server = harness.start_daphne(PORT)
    forgetful = harness.start_daphne(PORT + 1, PAGE_ROWS_REMEMBERED="0")
    urls = {name: (forgetful if name == FORGETFUL else server).url for name in ENDPOINTS}
    results: dict[str, list[harness.LoadResult]] = {name: [] for name in ENDPOINTS}
    try:
        for name, path in ENDPOINTS.items():  # warm-up: imports, pools, caches
            harness.wrk(
                urls[name] + path,
                seconds=2,
                connections=CONNECTIONS,
                headers=headers | EXTRA_HEADERS.get(name, {}),
            )
        names = list(ENDPOINTS)
        for round_number in range(ROUNDS):
            order = names if round_number % 2 == 0 else names[::-1]
            for name in order:
                results[name].append(
                    harness.wrk(
                        urls[name] + ENDPOINTS[name],
                        seconds=SECONDS,
                        connections=CONNECTIONS,
                        headers=headers | EXTRA_HEADERS.get(name, {}),
                    )
                )
    finally:
        server.stop()
        forgetful.stop()

    rps = {
        name: harness.median([r.requests_per_second for r in runs])
        for name, runs in results.items()
    }
    rows = [
        [
            name,
            ENDPOINTS[name],
            f"{rps[name]:.0f}",
            f"{harness.median([r.p50_ms for r in runs]):.1f}",
            f"{harness.median([r.p99_ms for r in runs]):.1f}",
            f"{cpu[name]:.2f}",
            str(counts.get(name, "-")),
            str(sum(r.errors for r in runs)),
        ]
        for name, runs in results.items()
    ]
    print(
        f"\nREST list, {ROWS} rows, 50 per page, 1 Daphne process each, wrk -c{CONNECTIONS}, "
        f"{ROUNDS} rounds x {SECONDS}s (medians)"
    )
    print(
        harness.table(
            rows,
            ["endpoint", "path", "req/s", "p50 ms", "p99 ms", "CPU ms", "queries", "errors"],
        )
    )
    print("CPU ms: this process's CPU per request in-process (fastest of 15 batches of 40)")
    print(
        f"queries per page built: page_size=50 -> {counts['api, cache bypassed']}, "
        f"page_size=1 -> {counts['api (page_size=1)']}; served from the cache -> {counts['api']}"
    )

    def ratio(name: str, reference: str) -> float:
        """The median of the rounds' ratios, each of two endpoints served back to back;
        every round's ratio is printed beside it."""
        per_round = [
            run.requests_per_second / base.requests_per_second
            for run, base in zip(results[name], results[reference], strict=True)
        ]
        print(
            f"{name} vs {reference}, round by round: "
            + " ".join(f"{value:.2f}" for value in per_round)
            + f" (ratio of the medians {rps[name] / rps[reference]:.2f})"
        )
        return harness.median(per_round)

    cached_vs_plain = ratio("api", "plain")
    built_vs_plain = ratio("api, cache bypassed", "plain")
    built_vs_naive = ratio("api, cache bypassed", "naive")
    forgetful_vs_plain = ratio(FORGETFUL, "plain")
    forgetful_vs_naive = ratio(FORGETFUL, "naive")
    print(
        "every row new to the process (the worst case for a built page): "
        f"{forgetful_vs_plain:.2f}x plain, {forgetful_vs_naive:.2f}x naive (medians of rounds)"
    )
    harness.target("rest-cached-vs-plain", cached_vs_plain, ">=", 0.45)
    harness.target("rest-built-vs-plain", built_vs_plain, ">=", 0.30)
    harness.target("rest-built-vs-naive", built_vs_naive, ">=", 2.5)
    # Constant: a page of 50 costs the queries a page of 1 does.
    harness.target(
        "rest-queries-50-minus-1",
        counts["api, cache bypassed"] - counts["api (page_size=1)"],
        "==",
        0,
        digits=0,
    )
    harness.target(
        "rest-errors", sum(r.errors for runs in results.values() for r in runs), "==", 0, digits=0
    )

"""The server's garbage-collection policy: full collections at quiet moments."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import weakref

import pytest

from api.common import gc_policy
from api.common.gc_policy import (
    MAX_DEFERRAL_SECONDS,
    MIN_INTERVAL_SECONDS,
    PROMOTIONS_BEFORE_FULL,
    QUIET_SECONDS,
    IdleCollector,
    full_collection_due,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("since_full", "since_activity", "promotions", "due"),
    [
        (MIN_INTERVAL_SECONDS, QUIET_SECONDS, PROMOTIONS_BEFORE_FULL, True),
        (MIN_INTERVAL_SECONDS, QUIET_SECONDS - 0.1, PROMOTIONS_BEFORE_FULL, False),  # busy
        (MIN_INTERVAL_SECONDS - 1, 60, PROMOTIONS_BEFORE_FULL, False),  # just collected
        (MIN_INTERVAL_SECONDS, 60, PROMOTIONS_BEFORE_FULL - 1, False),  # nothing promoted
        (MAX_DEFERRAL_SECONDS, 0, PROMOTIONS_BEFORE_FULL, True),  # busy for too long
        (MAX_DEFERRAL_SECONDS, 0, 0, False),
    ],
)
def test_full_collection_due(since_full, since_activity, promotions, due):
    now = 10_000.0
    assert (
        full_collection_due(
            now=now,
            last_full=now - since_full,
            last_activity=now - since_activity,
            promotions=promotions,
        )
        is due
    )


class Node:
    def __init__(self) -> None:
        self.other = None


def _old_garbage_cycle() -> weakref.ref:
    """A reference cycle that has reached the oldest generation, then became garbage:
    only a full collection frees it."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    holder = [a]
    for _ in range(PROMOTIONS_BEFORE_FULL):
        gc.collect(1)  # promotes the live cycle, and counts as a promotion
    ref = weakref.ref(a)
    del holder, a, b
    return ref


@pytest.fixture
def automatic_gc_off():
    """Automatic collections would free the cycle behind the test's back."""
    enabled = gc.isenabled()
    gc.disable()
    yield
    if enabled:
        gc.enable()


def test_old_garbage_waits_while_busy_and_goes_once_quiet(automatic_gc_off):
    clock = FakeClock()
    collector = IdleCollector(clock)
    cycle = _old_garbage_cycle()
    gc.collect(1)  # young collections alone do not free it
    assert cycle() is not None

    clock.now += MIN_INTERVAL_SECONDS
    collector.mark_busy()
    clock.now += QUIET_SECONDS / 2
    assert collector.collect_if_due() is False
    assert cycle() is not None

    clock.now += QUIET_SECONDS
    assert collector.collect_if_due() is True
    assert cycle() is None


def test_a_process_never_quiet_still_collects_after_the_maximum_deferral(automatic_gc_off):
    clock = FakeClock()
    collector = IdleCollector(clock)
    cycle = _old_garbage_cycle()
    for _ in range(int(MAX_DEFERRAL_SECONDS) - 1):
        clock.now += 1
        collector.mark_busy()
        assert collector.collect_if_due() is False
    clock.now += 1
    collector.mark_busy()
    assert collector.collect_if_due() is True
    assert cycle() is None


def test_quiet_collections_are_spaced(automatic_gc_off):
    clock = FakeClock()
    collector = IdleCollector(clock)
    clock.now += MIN_INTERVAL_SECONDS
    _old_garbage_cycle()
    assert collector.collect_if_due() is True
    cycle = _old_garbage_cycle()
    clock.now += MIN_INTERVAL_SECONDS / 2
    assert collector.collect_if_due() is False
    assert cycle() is not None


async def test_the_asgi_wrapper_counts_requests_and_runs_the_collector():
    calls = []

    async def inner(scope, receive, send):
        calls.append(scope["type"])

    clock = FakeClock()
    collector = IdleCollector(clock)
    original, gc_policy.collector = gc_policy.collector, collector
    try:
        app = gc_policy.CollectAtQuietMoments(inner)
        clock.now += 5
        await app({"type": "http"}, None, None)
        assert collector.last_activity == clock.now
        clock.now += 5
        await app({"type": "websocket"}, None, None)  # a socket's lifetime is not busy
        assert collector.last_activity == clock.now - 5
        assert calls == ["http", "websocket"]
        task = collector._task
        assert task is not None
        assert task.get_loop() is asyncio.get_running_loop()
        await app({"type": "http"}, None, None)
        assert collector._task is task  # one per loop
        task.cancel()
    finally:
        gc_policy.collector = original


def _server_process(tuning: str) -> dict:
    """How a fresh process that imports the ASGI application ends up configured."""
    script = (
        "import gc, json, backend.asgi as a; print(json.dumps({"
        "'application': type(a.application).__name__, "
        "'thresholds': gc.get_threshold(), 'frozen': gc.get_freeze_count() > 0}))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "ASGI_GC_TUNING": tuning},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_server_process_turns_automatic_full_collections_off():
    assert _server_process("true") == {
        "application": "CollectAtQuietMoments",
        "thresholds": list(gc_policy.THRESHOLDS),
        "frozen": True,
    }
    untouched = _server_process("false")
    assert untouched["application"] == "ProtocolTypeRouter"
    assert untouched["thresholds"] != list(gc_policy.THRESHOLDS)
    assert untouched["frozen"] is False

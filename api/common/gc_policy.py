"""Full garbage collections at quiet moments, not in the middle of a fan-out.

A full collection walks every live container object of the process and holds the
event loop while it does. In a Daphne process with 1,000 open sockets that is
~170 ms (measured: docs/performance.md), during which no socket hears anything.
CPython starts one whenever enough objects have been promoted since the last, i.e.
at a moment chosen by allocation counts; under a burst of updates that is exactly
when the burst is being fanned out.

So in the server process:

- everything imported at start-up is frozen (`gc.freeze()`): it lives as long as
  the process and no collection needs to walk it;
- young collections keep CPython's defaults (they are small: ≤ 7,000 objects),
  so short-lived cycles are still freed promptly;
- automatic full collections are switched off, and `IdleCollector` runs them
  instead: once enough has been promoted, at the first moment the process has been
  quiet (no event fanned out, no HTTP request started) for `QUIET_SECONDS`, and at
  most every `MIN_INTERVAL_SECONDS`; a process that is never quiet still gets one
  every `MAX_DEFERRAL_SECONDS`, so cyclic garbage waits minutes at worst.

`ASGI_GC_TUNING=false` leaves CPython's collector alone (the test suite does, since
it shares its process with many event loops).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

from django.conf import settings

logger = logging.getLogger("api.gc")

QUIET_SECONDS = 1.0
MIN_INTERVAL_SECONDS = 30.0
MAX_DEFERRAL_SECONDS = 300.0
CHECK_EVERY_SECONDS = 0.5
# CPython's own default for the oldest generation: a full collection is worth doing
# once the middle generation has been collected (and promoted) this many times.
PROMOTIONS_BEFORE_FULL = 10
# Young generations as CPython ships them; the oldest one is never due by count.
THRESHOLDS = (700, 10, 2**31 - 1)


def full_collection_due(
    *, now: float, last_full: float, last_activity: float, promotions: int
) -> bool:
    """The policy, without side effects (times from one monotonic clock)."""
    if promotions < PROMOTIONS_BEFORE_FULL:
        return False
    since_full = now - last_full
    if since_full >= MAX_DEFERRAL_SECONDS:
        return True
    return since_full >= MIN_INTERVAL_SECONDS and now - last_activity >= QUIET_SECONDS


class IdleCollector:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_full = clock()
        self.last_activity = self.last_full
        self._task: asyncio.Task | None = None

    def mark_busy(self) -> None:
        """Something latency-sensitive is happening now (a fan-out, a request)."""
        self.last_activity = self.clock()

    def collect_if_due(self) -> bool:
        now = self.clock()
        if not full_collection_due(
            now=now,
            last_full=self.last_full,
            last_activity=self.last_activity,
            promotions=gc.get_count()[2],
        ):
            return False
        started = time.perf_counter()
        freed = gc.collect()
        self.last_full = self.clock()
        logger.debug(
            "full garbage collection: %d objects freed in %.1f ms",
            freed,
            (time.perf_counter() - started) * 1000,
        )
        return True

    def ensure_running(self) -> None:
        """Start the checking task on the running loop (once per loop)."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run(), name="idle-gc")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(CHECK_EVERY_SECONDS)
            self.collect_if_due()


collector = IdleCollector()


def mark_busy() -> None:
    collector.mark_busy()


def install() -> None:
    """Called once, where the server process imports the ASGI application."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


class CollectAtQuietMoments:
    """ASGI wrapper: HTTP requests count as activity; the collector runs on the
    server's event loop from the first connection on."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            collector.mark_busy()
        collector.ensure_running()
        return await self.app(scope, receive, send)


def wrap(app):
    """The application as the server should run it (`ASGI_GC_TUNING`)."""
    if not settings.ASGI_GC_TUNING:
        return app
    install()
    return CollectAtQuietMoments(app)

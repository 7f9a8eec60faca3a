"""Per-socket flood bounds: a token bucket per message type.

One client that sends a thousand `resume`s a second must not take the process's
database threads from everyone else: past its bucket a message is refused with an
`error` (code `rate_limited`) without being handled, and a socket that keeps going
is closed (4429). Buckets are per socket, in memory: nothing to share across
processes, since a socket lives in one. Bounds are settings (docs/realtime.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.conf import settings


@dataclass(slots=True)
class TokenBucket:
    capacity: float
    rate: float  # tokens added per second
    tokens: float = field(default=-1.0)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def wait(self) -> float:
        """Seconds until the next token."""
        return max(0.0, (1 - self.tokens) / self.rate) if self.rate > 0 else float("inf")


class FloodGuard:
    """The buckets of one socket, and how many messages it had refused in a row."""

    # Types a client may name are few; anything else shares one bucket, so inventing
    # new type names does not buy new buckets (nor memory).
    KNOWN = frozenset(
        {
            "auth",
            "ping",
            "resume",
            "heartbeat",
            "presence",
            "mark_read",
            "mark_all_read",
            "typing",
            "editing",
        }
    )

    def __init__(self) -> None:
        self._buckets: dict[str, TokenBucket] = {}
        self.refused_in_a_row = 0
        self.closed = False  # closed for flooding: the rest of its messages are dropped

    def allow(self, kind: str) -> bool:
        key = kind if kind in self.KNOWN else "*"
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(
                settings.REALTIME_MESSAGE_BURST, settings.REALTIME_MESSAGE_RATE
            )
        if bucket.take():
            self.refused_in_a_row = 0
            return True
        self.refused_in_a_row += 1
        return False

    def retry_after(self, kind: str) -> float:
        bucket = self._buckets.get(kind if kind in self.KNOWN else "*")
        return round(bucket.wait(), 2) if bucket is not None else 0.0

    @property
    def should_close(self) -> bool:
        return self.refused_in_a_row >= settings.REALTIME_FLOOD_CLOSE_AFTER

"""Cache calls that must not take a request down with them.

The cache (Redis) holds conveniences — logout markers, token verdicts, throttle
counters, activity throttling. When it is unreachable the API keeps working: each
caller says what to do instead (ask the database, skip the optimisation).
"""

import logging
import time

from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger("api.cache")

CACHE_ERRORS = (RedisError, ConnectionInterrupted, OSError)


def cache_unavailable(operation: str, exc: Exception) -> None:
    logger.warning("cache unavailable during %s: %s", operation, type(exc).__name__)


def restart_number() -> int:
    """Where a counter kept in the cache starts (again): microseconds since the epoch.
    A counter whose key vanished (evicted, flushed) thus restarts above every value it
    had before, so nothing stamped with an old value can look current again."""
    return time.time_ns() // 1000

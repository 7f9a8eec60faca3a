"""Cache calls that must not take a request down with them.

The cache (Redis) holds conveniences — logout markers, token verdicts, throttle
counters, activity throttling. When it is unreachable the API keeps working: each
caller says what to do instead (ask the database, skip the optimisation).
"""

import logging

from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger("api.cache")

CACHE_ERRORS = (RedisError, ConnectionInterrupted, OSError)


def cache_unavailable(operation: str, exc: Exception) -> None:
    logger.warning("cache unavailable during %s: %s", operation, type(exc).__name__)

"""The Redis channel layer, made to ride out a Redis restart.

channels-redis raises out of `receive()` when its connection drops, and Channels
then kills every consumer of the process (close 1011): one Redis blip would cut
every socket. Here the receive loop waits and tries again; the consumer meanwhile
keeps its socket, and re-joins its groups once the hub reports Redis is back
(group memberships do not survive a Redis restart without persistence).

Its pools also wait for a free connection instead of failing: redis-py's default
pool raises MaxConnectionsError past 100 connections in use, which 1,000 sockets
joining or leaving at once (a deploy, a proxy restart) reach easily.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

import redis
import redis.asyncio as aioredis
from channels_redis.core import RedisChannelLayer

logger = logging.getLogger("api.realtime")


# Connections per process and layer, and how long a caller queues for one.
POOL_MAX_CONNECTIONS = 100
POOL_WAIT_SECONDS = 20


# Every pool made here and the loop it serves (async connections belong to the loop
# that opened them; tests run several), so that their idle connections can be released.
_pools: weakref.WeakKeyDictionary[aioredis.BlockingConnectionPool, object] = (
    weakref.WeakKeyDictionary()
)


def blocking_pool(url: str, **options) -> aioredis.BlockingConnectionPool:
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=POOL_MAX_CONNECTIONS, timeout=POOL_WAIT_SECONDS, **options
    )
    try:
        _pools[pool] = asyncio.get_running_loop()
    except RuntimeError:
        _pools[pool] = None
    return pool


async def release_idle_connections() -> None:
    """Closes the connections no one is using in this loop's pools.

    A pool keeps every connection it ever opened: a burst (a deploy reconnecting
    every socket) would leave up to POOL_MAX_CONNECTIONS per pool and process open
    on Redis for good. Closed ones stay in the pool and reconnect when next taken.
    Called by the fan-out hub every REALTIME_REDIS_IDLE_SECONDS.
    """
    loop = asyncio.get_running_loop()
    for pool, owner in list(_pools.items()):
        if owner is not loop:
            continue
        try:
            await pool.disconnect(inuse_connections=False)
        except (redis.RedisError, OSError) as exc:
            logger.warning("releasing idle Redis connections failed: %s", type(exc).__name__)


class ResilientRedisChannelLayer(RedisChannelLayer):
    def create_pool(self, index):
        host = dict(self.hosts[index])
        if "address" not in host:  # sentinel setups keep channels-redis' own pool
            return super().create_pool(index)
        return blocking_pool(host.pop("address"), **host)

    async def receive(self, channel):
        backoff = 0.1
        while True:
            try:
                return await super().receive(channel)
            except (redis.RedisError, OSError) as exc:
                logger.warning("channel layer receive failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

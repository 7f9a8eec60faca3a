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

import redis
import redis.asyncio as aioredis
from channels_redis.core import RedisChannelLayer

logger = logging.getLogger("api.realtime")


# Connections per process and layer, and how long a caller queues for one.
POOL_MAX_CONNECTIONS = 100
POOL_WAIT_SECONDS = 20


def blocking_pool(url: str, **options) -> aioredis.BlockingConnectionPool:
    return aioredis.BlockingConnectionPool.from_url(
        url, max_connections=POOL_MAX_CONNECTIONS, timeout=POOL_WAIT_SECONDS, **options
    )


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

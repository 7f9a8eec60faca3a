"""The Redis channel layer, made to ride out a Redis restart.

channels-redis raises out of `receive()` when its connection drops, and Channels
then kills every consumer of the process (close 1011): one Redis blip would cut
every socket. Here the receive loop waits and tries again; the consumer meanwhile
keeps its socket, and re-joins its groups once the hub reports Redis is back
(group memberships do not survive a Redis restart without persistence).
"""

from __future__ import annotations

import asyncio
import logging

import redis
from channels_redis.core import RedisChannelLayer

logger = logging.getLogger("api.realtime")


class ResilientRedisChannelLayer(RedisChannelLayer):
    async def receive(self, channel):
        backoff = 0.1
        while True:
            try:
                return await super().receive(channel)
            except (redis.RedisError, OSError) as exc:
                logger.warning("channel layer receive failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

"""Who is here: board presence, task editors and typing, shared by every process.

Entries live in Redis sorted sets scored by their expiry time, so a process or a
client that dies without saying goodbye simply stops renewing and drops out. The
embedded default (no Redis) keeps the same structure in memory.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from api.realtime.layers import blocking_pool

logger = logging.getLogger("api.realtime")


@dataclass(frozen=True, slots=True)
class Member:
    key: str  # one per socket: "<user id>|<channel name>"
    info: dict


class PresenceUnavailable(Exception):
    """Redis could not be reached: presence is unknown for now (not empty)."""


def _tolerant(method):
    """Presence is best effort: a Redis outage must not close the socket asking."""

    async def call(self, *args, **kwargs):
        try:
            return await method(self, *args, **kwargs)
        except (redis.RedisError, OSError) as exc:
            logger.warning("presence store unavailable: %s", type(exc).__name__)
            raise PresenceUnavailable from exc

    return call


class _RedisRooms:
    def __init__(self) -> None:
        pool = blocking_pool(
            settings.REDIS_CHANNELS_URL,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
            # After a Redis restart the first command on a pooled connection fails:
            # retry it on a fresh one (presence writes are idempotent).
            retry=Retry(NoBackoff(), 1),
            retry_on_error=[redis.ConnectionError, redis.TimeoutError, OSError],
        )
        self._client = aioredis.Redis(connection_pool=pool)

    @staticmethod
    def _keys(room: str) -> tuple[str, str]:
        base = f"{settings.CACHE_KEY_PREFIX}:presence:{room}"
        return base, base + ":info"

    @_tolerant
    async def put(self, room: str, member: Member, ttl: float) -> None:
        scores, infos = self._keys(room)
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.zadd(scores, {member.key: time.time() + ttl})
            pipe.hset(infos, member.key, json.dumps(member.info))
            # The room's keys outlive their last member by a little, then vanish.
            pipe.expire(scores, int(ttl) + 60)
            pipe.expire(infos, int(ttl) + 60)
            await pipe.execute()

    @_tolerant
    async def remove(self, room: str, key: str) -> None:
        scores, infos = self._keys(room)
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.zrem(scores, key)
            pipe.hdel(infos, key)
            await pipe.execute()

    @_tolerant
    async def members(self, room: str) -> tuple[list[dict], int]:
        """Live members' info, and how many expired entries were swept just now."""
        scores, infos = self._keys(room)
        now = time.time()
        expired = await self._client.zrangebyscore(scores, "-inf", now)
        if expired:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.zrem(scores, *expired)
                pipe.hdel(infos, *expired)
                await pipe.execute()
        live = await self._client.zrangebyscore(scores, now, "+inf")
        if not live:
            return [], len(expired)
        raw = await self._client.hmget(infos, live)
        return [json.loads(item) for item in raw if item], len(expired)


class _MemoryRooms:
    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, tuple[float, dict]]] = {}

    async def put(self, room: str, member: Member, ttl: float) -> None:
        self._rooms.setdefault(room, {})[member.key] = (time.time() + ttl, member.info)

    async def remove(self, room: str, key: str) -> None:
        self._rooms.get(room, {}).pop(key, None)

    async def members(self, room: str) -> tuple[list[dict], int]:
        now = time.time()
        entries = self._rooms.get(room, {})
        expired = [key for key, (expiry, _) in entries.items() if expiry <= now]
        for key in expired:
            del entries[key]
        return [info for _, info in entries.values()], len(expired)


_rooms: dict[object, _RedisRooms | _MemoryRooms] = {}


def rooms():
    """The store for the running event loop (async Redis clients are loop-bound)."""
    import asyncio

    loop = asyncio.get_running_loop()
    if loop not in _rooms:
        _rooms[loop] = _RedisRooms() if settings.USE_REDIS_CHANNELS else _MemoryRooms()
    return _rooms[loop]


def distinct_people(members: list[dict]) -> list[dict]:
    """One entry per person however many tabs they have open, in a stable order."""
    people: dict[int, dict] = {}
    for info in members:
        people.setdefault(info["user_id"], info)
    return sorted(people.values(), key=lambda info: (info["full_name"].lower(), info["user_id"]))

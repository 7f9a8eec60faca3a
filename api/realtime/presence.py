"""Who is here: board presence, task editors and typing, shared by every process.

Entries live in Redis sorted sets scored by their expiry time, so a process or a
client that dies without saying goodbye simply stops renewing and drops out. The
embedded default (no Redis) keeps the same structure in memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import asdict, dataclass

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from api.common.cache import restart_number
from api.realtime.layers import blocking_pool

logger = logging.getLogger("api.realtime")


@dataclass(frozen=True, slots=True)
class Member:
    key: str  # one per socket: "<user id>|<channel name>"
    info: dict


class PresenceUnavailable(Exception):
    """Redis could not be reached: presence is unknown for now (not empty)."""


@dataclass(frozen=True, slots=True)
class Announced:
    """The people list last announced for a room, and its version."""

    version: int
    people: list[dict]


@dataclass(frozen=True, slots=True)
class PresenceChange:
    """What changed between two consecutive announced versions of a room."""

    base: int
    version: int
    joined: list[dict]
    left: list[int]

    def payload(self) -> dict:
        return asdict(self)


def diff_people(old: list[dict], new: list[dict]) -> tuple[list[dict], list[int]]:
    """(people who joined, ids of people who left), by user id."""
    old_ids = {person["user_id"] for person in old}
    new_ids = {person["user_id"] for person in new}
    return [p for p in new if p["user_id"] not in old_ids], sorted(old_ids - new_ids)


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

    @staticmethod
    def _announced_key(room: str) -> str:
        return f"{settings.CACHE_KEY_PREFIX}:presence:{room}:announced"

    @_tolerant
    async def announced(self, room: str) -> Announced:
        raw = await self._client.get(self._announced_key(room))
        if raw is None:
            # Nothing announced yet, or lost: a version above any a client may hold,
            # so clients notice the gap and ask for the whole list.
            await self._client.set(
                self._announced_key(room),
                json.dumps({"version": restart_number(), "people": []}),
                nx=True,
            )
            raw = await self._client.get(self._announced_key(room))
        state = json.loads(raw)
        return Announced(state["version"], state["people"])

    @_tolerant
    async def record_announcement(self, room: str, people: list[dict]) -> PresenceChange | None:
        """Makes `people` the room's next announced version, unless no one joined or
        left since the last one. Compare-and-set (WATCH/MULTI): processes announcing
        at once get consecutive versions, never two changes from the same base."""
        key = self._announced_key(room)
        async with self._client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    if raw is None:
                        version, old = restart_number(), []
                    else:
                        state = json.loads(raw)
                        version, old = state["version"], state["people"]
                    joined, left = diff_people(old, people)
                    if not joined and not left:
                        await pipe.unwatch()
                        return None
                    pipe.multi()
                    pipe.set(key, json.dumps({"version": version + 1, "people": people}))
                    await pipe.execute()
                    return PresenceChange(version, version + 1, joined, left)
                except redis.WatchError:
                    continue  # another process announced first: diff against theirs

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

    @_tolerant
    async def next_expiry(self, room: str) -> float | None:
        """When the room's first entry expires (epoch seconds); None when it is empty.
        What a typing watcher sleeps until (api/kanban/consumers.py)."""
        first = await self._client.zrange(self._keys(room)[0], 0, 0, withscores=True)
        return first[0][1] if first else None


class _MemoryRooms:
    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, tuple[float, dict]]] = {}
        self._announced: dict[str, Announced] = {}

    async def announced(self, room: str) -> Announced:
        return self._announced.setdefault(room, Announced(restart_number(), []))

    async def record_announcement(self, room: str, people: list[dict]) -> PresenceChange | None:
        last = await self.announced(room)
        joined, left = diff_people(last.people, people)
        if not joined and not left:
            return None
        self._announced[room] = Announced(last.version + 1, people)
        return PresenceChange(last.version, last.version + 1, joined, left)

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

    async def next_expiry(self, room: str) -> float | None:
        expiries = [expiry for expiry, _ in self._rooms.get(room, {}).values()]
        return min(expiries, default=None)


_rooms: dict[object, _RedisRooms | _MemoryRooms] = {}


def rooms():
    """The store for the running event loop (async Redis clients are loop-bound)."""
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

"""Fan-out of events to sockets: one subscription per process, one text per event.

Publishers (request threads, Celery workers) PUBLISH each event once to Redis; every
Daphne process holds ONE pub/sub connection, subscribed to the streams its sockets
follow, and hands the already-serialized text to its local sockets. Going through the
Channels layer instead would route and decode every message once per socket; here an
event costs one parse per process (serialize once, not once per socket).

Redis delivers at most once. Nothing is lost anyway: events are in the database
(api/realtime/models.py); sockets notice holes in sequence numbers and read the
log, every hub re-reads the log after it reconnects to Redis, and a periodic
reconciliation compares each stream's last committed sequence with what was
delivered. The embedded default (no Redis) uses the same hub in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import redis
import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

from api.common import gc_policy
from api.realtime.audience import Audience
from api.realtime.layers import release_idle_connections
from api.realtime.log import envelope_of, events_after, stream_position

logger = logging.getLogger("api.realtime")


@dataclass(frozen=True, slots=True)
class Message:
    stream: str
    sequence: int | None
    audience: Audience
    text: str


class Sink(Protocol):
    """A local socket following streams (the consumers)."""

    async def deliver(self, message: Message) -> None: ...

    def transport_reconnected(self) -> None: ...


def _channel_prefix() -> str:
    # Pub/sub channels are server-wide (they ignore the database number), so the
    # channel-layer database names the namespace: instances sharing a Redis stay apart.
    db = urlsplit(settings.REDIS_CHANNELS_URL).path.strip("/") or "0"
    return f"{settings.CACHE_KEY_PREFIX}:rt:{db}:"


def _encode(message: Message) -> str:
    audience = message.audience.to_dict()
    header = json.dumps({"s": message.stream, "q": message.sequence, "a": audience})
    return f"{header}\n{message.text}"


def _decode(raw: bytes | str) -> Message:
    data = raw.decode() if isinstance(raw, bytes) else raw
    header, _, text = data.partition("\n")
    meta = json.loads(header)
    audience = Audience.from_dict(meta["a"])
    return Message(stream=meta["s"], sequence=meta["q"], audience=audience, text=text)


# ----------------------------------------------------------------------- publishing

_publisher: redis.Redis | None = None
_publisher_lock = threading.Lock()


def _redis_publisher() -> redis.Redis:
    global _publisher
    with _publisher_lock:
        if _publisher is None:
            _publisher = redis.Redis.from_url(
                settings.REDIS_CHANNELS_URL,
                socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
                socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
                # A pooled connection that died with a Redis restart fails once: retry
                # on a new one (a rare duplicate is dropped by the sockets' sequences).
                retry=Retry(NoBackoff(), 1),
                retry_on_error=[redis.ConnectionError, redis.TimeoutError, OSError],
            )
        return _publisher


def publish(stream: str, message: Message) -> None:
    """Sends an event to every process following `stream`. Never raises."""
    if settings.USE_REDIS_CHANNELS:
        try:
            _redis_publisher().publish(_channel_prefix() + stream, _encode(message))
        except redis.RedisError as exc:
            # The event is in the log: sockets get it at their next catch-up.
            logger.warning("realtime publish to %s failed: %s", stream, type(exc).__name__)
        return
    for hub in list(_hubs.values()):
        hub.dispatch_threadsafe(message)


# ----------------------------------------------------------------------- the hub


class Hub:
    """The streams this process's sockets follow, and the one connection feeding them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._sinks: dict[str, set[Sink]] = defaultdict(set)
        self._delivered: dict[str, int] = {}  # last sequence handed out per stream
        self._pubsub: aioredis.client.PubSub | None = None
        self._reader: asyncio.Task | None = None
        self._reconciler: asyncio.Task | None = None
        self._releaser: asyncio.Task | None = None
        self._lock = asyncio.Lock()
        self._ready = asyncio.Event()  # the pub/sub connection is up and subscribed
        self._local: asyncio.Queue[Message] = asyncio.Queue()  # the in-memory transport

    # -- sockets come and go --------------------------------------------------------

    async def subscribe(self, stream: str, sink: Sink, position: int = 0) -> None:
        """`position`: the stream's last sequence the sink already has (from the log)."""
        self._start()
        if settings.USE_REDIS_CHANNELS and not self._ready.is_set():
            # Return only once Redis delivers to us, so nothing published from now on
            # is missed; if Redis is down, the log covers it once it is back.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), timeout=2)
        async with self._lock:
            self._delivered[stream] = max(self._delivered.get(stream, 0), position)
            first = not self._sinks[stream]
            self._sinks[stream].add(sink)
            if first and self._pubsub is not None:
                try:
                    await self._pubsub.subscribe(_channel_prefix() + stream)
                except (redis.RedisError, OSError) as exc:
                    # The reader reconnects and subscribes to every followed stream.
                    logger.warning("realtime subscribe %s failed: %s", stream, exc)

    async def unsubscribe(self, stream: str, sink: Sink) -> None:
        async with self._lock:
            sinks = self._sinks.get(stream)
            if not sinks:
                return
            sinks.discard(sink)
            if not sinks:
                del self._sinks[stream]
                self._delivered.pop(stream, None)
                if self._pubsub is not None:
                    # A failure means the connection is gone: nothing is subscribed.
                    with contextlib.suppress(redis.RedisError, OSError):
                        await self._pubsub.unsubscribe(_channel_prefix() + stream)

    def streams(self) -> list[str]:
        return list(self._sinks)

    # -- messages arrive ------------------------------------------------------------

    async def dispatch(self, message: Message) -> None:
        """Hands one event to every local socket following its stream, in one task.

        Called by the single reader task (or the in-memory queue's task), so events
        reach each socket in the order they came; a socket's send does not suspend
        under Daphne, so 1,000 sockets cost one pass, not 1,000 task wake-ups.
        """
        gc_policy.mark_busy()
        if message.sequence is not None:
            previous = self._delivered.get(message.stream, 0)
            self._delivered[message.stream] = max(previous, message.sequence)
        for sink in tuple(self._sinks.get(message.stream, ())):
            try:
                await sink.deliver(message)
            except Exception:  # one broken socket must not starve the others
                logger.exception("delivering to a socket failed")

    def dispatch_threadsafe(self, message: Message) -> None:
        """In-memory transport (no Redis): publishers in other threads queue here."""
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._local.put_nowait, message)

    async def _dispatch_local_forever(self) -> None:
        while True:
            await self.dispatch(await self._local.get())

    def _reconnected(self) -> None:
        """Redis is back: every socket re-joins what Redis forgot; what was published
        while it was away is replayed from the log, once for all local sockets."""
        for sink in {sink for sinks in self._sinks.values() for sink in sinks}:
            sink.transport_reconnected()
        for stream in self.streams():
            self.loop.create_task(self._replay(stream))

    async def _replay(self, stream: str) -> None:
        """Reads the log after what this process delivered and dispatches it: one query
        for all local sockets (each drops what it already has, by sequence)."""
        after = self._delivered.get(stream, 0)
        events = await database_sync_to_async(events_after)(stream, after)
        for event in events:
            envelope, audience = envelope_of(event)
            await self.dispatch(Message(stream, event.sequence, audience, envelope.to_json()))

    # -- background work ------------------------------------------------------------

    def _start(self) -> None:
        if self._reader is None:
            self._reader = self.loop.create_task(
                self._read_forever()
                if settings.USE_REDIS_CHANNELS
                else self._dispatch_local_forever()
            )
        if self._reconciler is None:
            self._reconciler = self.loop.create_task(self._reconcile_forever())
        if self._releaser is None and settings.USE_REDIS_CHANNELS:
            self._releaser = self.loop.create_task(self._release_idle_forever())

    async def _release_idle_forever(self) -> None:
        """Redis connections left over from a burst are closed instead of kept open
        for good (api/realtime/layers.py); the publisher's too."""
        while True:
            await asyncio.sleep(settings.REALTIME_REDIS_IDLE_SECONDS)
            await release_idle_connections()
            if _publisher is not None:
                await asyncio.to_thread(_publisher.connection_pool.disconnect, False)

    async def _connect(self) -> aioredis.client.PubSub:
        client = aioredis.Redis.from_url(
            settings.REDIS_CHANNELS_URL,
            # A pub/sub connection sits idle for long stretches: no read timeout
            # (redis-py 8 would otherwise time it out), keepalive and health checks
            # to notice a dead server instead.
            socket_timeout=None,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_keepalive=True,
            health_check_interval=30,
        )
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        streams = self.streams()
        if streams:
            await pubsub.subscribe(*(_channel_prefix() + s for s in streams))
        else:
            # redis-py needs one subscription before it can listen.
            await pubsub.subscribe(_channel_prefix() + "__hub__")
        return pubsub

    async def _read_forever(self) -> None:
        backoff, reconnecting = 0.1, False
        while True:
            try:
                pubsub = await self._connect()
                async with self._lock:
                    self._pubsub = pubsub
                    # Streams followed while we were away: subscribe them too.
                    missing = set(self.streams()) - {
                        c.decode().removeprefix(_channel_prefix()) for c in pubsub.channels
                    }
                    if missing:
                        await pubsub.subscribe(*(_channel_prefix() + s for s in missing))
                self._ready.set()
                if reconnecting:
                    logger.info("realtime fan-out reconnected to Redis; catching up")
                    self._reconnected()
                backoff, reconnecting = 0.1, True
                async for raw in pubsub.listen():
                    if raw.get("type") == "message":
                        await self.dispatch(_decode(raw["data"]))
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError) as exc:
                logger.warning("realtime fan-out lost Redis (%s); retrying", type(exc).__name__)
            except Exception:
                logger.exception("realtime fan-out reader failed; restarting it")
            self._pubsub = None
            self._ready.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    async def _reconcile_forever(self) -> None:
        """Backstop: a stream whose log stays ahead of what was delivered for a whole
        interval lost a message on the way; it is replayed from the log. (A single
        look would also catch events merely in flight between commit and delivery.)"""
        suspects: dict[str, int] = {}
        while True:
            await asyncio.sleep(settings.REALTIME_RECONCILE_SECONDS)
            try:
                for stream in self.streams():
                    position = await database_sync_to_async(stream_position)(stream)
                    delivered = self._delivered.get(stream, 0)
                    if position.last_sequence <= delivered:
                        suspects.pop(stream, None)
                    elif suspects.get(stream, 0) > delivered:
                        suspects.pop(stream)
                        await self._replay(stream)
                    else:
                        suspects[stream] = position.last_sequence
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("realtime reconciliation failed")

    async def close(self) -> None:
        for task in (self._reader, self._reconciler, self._releaser):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._reader = self._reconciler = self._releaser = None
        if self._pubsub is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                await self._pubsub.aclose()
            self._pubsub = None


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


async def close_hub() -> None:
    """Stops the running loop's hub (tests, which get a new loop each time)."""
    current = _hubs.pop(asyncio.get_running_loop(), None)
    if current is not None:
        await current.close()


def hub() -> Hub:
    """The hub of the running event loop (Daphne has one; tests may have several)."""
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    if current is None:
        for stale in [known for known in _hubs if known.is_closed()]:
            del _hubs[stale]
        current = _hubs[loop] = Hub(loop)
    return current

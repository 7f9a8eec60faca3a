"""How a socket follows its streams: in order, once each, holes filled from the log.

A replay (joining from a position, `resume`, a hole noticed in the live numbers) and
live events of the same stream must not overtake one another. While a stream's
replay runs, its live events are held; one replay at most runs per stream (a
`resume` arriving meanwhile makes the running one start again from the earlier
point); when it ends, the held events with a number above the last one replayed are
queued behind it, in order, without a task switch in between.

A socket that authenticates with positions (`auth` with `streams`) follows those
streams from them: the replay, then live events, as one step with authentication. An
`auth` followed by a `resume` cannot give that: between the two the socket already
follows its stream from "now", and the replay the resume asks for repeats what
arrived live meanwhile.

A mixin of RealtimeConsumer (api/realtime/consumers.py), which provides `identity`,
`reply`, `reply_error`, `_queue`, `_emit` and `_spawn`.
"""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async
from django.conf import settings

from api.realtime import fanout
from api.realtime.envelope import EventType
from api.realtime.log import CATCH_UP_LIMIT, envelope_of, events_after, stream_position
from api.realtime.positions import Positions, parse_positions
from api.realtime.registry import may_read

logger = logging.getLogger("api.realtime")


class StreamFollower:
    def _init_streams(self) -> None:
        self._positions: dict[str, int] = {}  # per stream, the last sequence queued
        self._followed: set[str] = set()
        # Live events held while the stream's replay runs (key present = replaying).
        self._catching_up: dict[str, list[fanout.Message]] = {}
        self._replaying: set[str] = set()  # streams whose replay task is running
        self._rewind_to: dict[str, int] = {}  # earlier positions asked meanwhile
        self._asked: dict[str, int] = {}  # positions named in `auth`, not yet followed

    async def follow(self, stream: str, after: int | None = None) -> bool:
        """Subscribe to a stream (permission checked now), from `after`; without one,
        from the position the client named in `auth`, else from now.

        Subscribes before reading the log, holding live messages meanwhile, so an
        event committed in between is either in the log or held.
        """
        asked = self._asked.pop(stream, None)
        if after is None:
            after = asked
        if not await database_sync_to_async(may_read)(self.identity.user, stream):
            await self.reply_error("You may not follow this stream.", stream=stream)
            return False
        limit = settings.REALTIME_MAX_STREAMS
        if stream not in self._followed and len(self._followed) >= limit:
            await self.reply_error(
                f"At most {limit} streams per socket.",
                code="too_many_streams",
                stream=stream,
                limit=limit,
            )
            return False
        self._catching_up.setdefault(stream, [])
        self._followed.add(stream)
        # The hub takes the position as what this process has delivered of the stream:
        # a number the client claims beyond the log's end (a restored database, a
        # client's bug) must not raise it, or the hub would stop noticing holes.
        known = 0
        if after:
            known = min(
                after, (await database_sync_to_async(stream_position)(stream)).last_sequence
            )
        await fanout.hub().subscribe(stream, self, position=known)
        position = await database_sync_to_async(stream_position)(stream)
        if after is None or after > position.last_sequence:
            after = position.last_sequence
        self._positions[stream] = after
        await self.reply(
            EventType.SUBSCRIBED, {"last_sequence": position.last_sequence}, stream=stream
        )
        if after < position.purged_through:
            await self.reply(EventType.RESYNC, {"reason": "history expired"}, stream=stream)
            self._positions[stream] = position.last_sequence
        await self._catch_up(stream)
        return True

    async def unfollow(self, stream: str) -> None:
        self._followed.discard(stream)
        self._positions.pop(stream, None)
        self._catching_up.pop(stream, None)
        self._rewind_to.pop(stream, None)
        await fanout.hub().unsubscribe(stream, self)

    async def _take_positions(self, kind: str, raw) -> dict[str, int]:
        """The well-formed positions of an `auth` or `resume`; the rest answered."""
        positions = Positions() if kind == "auth" and raw is None else parse_positions(kind, raw)
        for message, extra in positions.errors:
            await self.reply_error(message, **extra)
        return positions.valid

    async def follow_asked(self) -> None:
        """After the socket's own streams: the others named in `auth`."""
        asked, self._asked = self._asked, {}
        for stream, after in asked.items():
            if stream not in self._followed:
                await self.follow(stream, after)

    async def _resume(self, raw) -> None:
        for stream, after in (await self._take_positions("resume", raw)).items():
            if stream in self._followed:
                await self._rewind(stream, after)
            else:
                await self.follow(stream, after)

    async def _rewind(self, stream: str, after: int) -> None:
        """A followed stream asked again from an earlier point (the client reconnected
        its UI, or lost messages it had been sent)."""
        self._catching_up.setdefault(stream, [])
        position = await database_sync_to_async(stream_position)(stream)
        if after < position.purged_through:
            await self.reply(EventType.RESYNC, {"reason": "history expired"}, stream=stream)
            after = position.last_sequence
        if stream in self._positions:
            self._rewind_to[stream] = min(self._rewind_to.get(stream, after), after)
        await self._catch_up(stream)

    async def deliver(self, message: fanout.Message) -> None:
        """From the hub: in order, once each, holes filled from the log."""
        stream = message.stream
        if stream not in self._followed:
            return
        if message.sequence is None:
            await self._emit(message.text)
            return
        held = self._catching_up.get(stream)
        if held is not None:
            held.append(message)
            return
        position = self._positions.get(stream, 0)
        if message.sequence <= position:
            return
        if message.sequence > position + 1:
            # Something went missing on the way (Redis restart, full buffer): read the
            # log from our position; this message is replayed from there too.
            self._catching_up[stream] = []
            self._spawn(self._catch_up(stream))
            return
        self._positions[stream] = message.sequence
        if self._admits(message.audience):
            await self._emit(message.text)

    def _admits(self, audience) -> bool:
        identity = self.identity
        return audience.admits(
            user_id=identity.user.pk,
            department_id=identity.department_id,
            is_global=identity.user.is_global_admin,
        )

    async def _catch_up(self, stream: str) -> None:
        """Queues the log after our position, then the live events held meanwhile."""
        self._catching_up.setdefault(stream, [])
        if stream in self._replaying:
            return  # the running replay sees the request (its positions) and covers it
        self._replaying.add(stream)
        try:
            while stream in self._followed:
                if stream in self._rewind_to:
                    earlier = self._rewind_to.pop(stream)
                    self._positions[stream] = min(self._positions.get(stream, 0), earlier)
                after = self._positions.get(stream, 0)
                events = await database_sync_to_async(events_after)(stream, after)
                if stream not in self._followed or stream in self._rewind_to:
                    continue  # unfollowed, or asked from further back: read again
                for event in events:
                    envelope, audience = envelope_of(event)
                    self._positions[stream] = event.sequence
                    if self._admits(audience):
                        self._queue(envelope.to_json())
                if len(events) < CATCH_UP_LIMIT:
                    break
        except Exception:
            logger.exception("catch-up of %s failed", stream)
        finally:
            self._replaying.discard(stream)
        self._flush_held(stream)

    def _flush_held(self, stream: str) -> None:
        """Queues the held live events after the replay, in order, skipping what it
        already sent; no await, so nothing live can come in between."""
        held = self._catching_up.pop(stream, None)
        if not held or stream not in self._followed:
            return
        held.sort(key=lambda message: message.sequence)
        for index, message in enumerate(held):
            position = self._positions.get(stream, 0)
            if message.sequence <= position:
                continue
            if message.sequence > position + 1:
                # A hole between the replay and what was held: read the log again,
                # holding the rest.
                self._catching_up[stream] = held[index:]
                self._spawn(self._catch_up(stream))
                return
            self._positions[stream] = message.sequence
            if self._admits(message.audience):
                self._queue(message.text)

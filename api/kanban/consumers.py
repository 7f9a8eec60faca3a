"""ws/board/ (presence, card events) and ws/board/task/<id>/ (comments, typing,
editors). Thin: permissions come from selectors, writes from services."""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import suppress

from channels.db import database_sync_to_async
from django.conf import settings

from api.accounts.permissions import user_can
from api.accounts.roles import Action, Resource
from api.common.timezones import moment_iso
from api.kanban.services import (
    board_presence_joined,
    board_presence_left,
    board_presence_seen,
)
from api.realtime.consumers import SERVER_ID, CloseCode, RealtimeConsumer, in_thread
from api.realtime.envelope import EventType
from api.realtime.fanout import Message
from api.realtime.presence import Member, PresenceUnavailable, distinct_people, rooms
from api.realtime.publisher import broadcast_state
from api.realtime.registry import may_read
from api.realtime.streams import BOARD, task_stream

# Seconds between the sweeps that notice members whose heartbeats stopped.
SWEEP_SECONDS = 10
_sweepers: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}


def _member(consumer: RealtimeConsumer) -> Member:
    user = consumer.identity.user
    return Member(
        key=f"{user.pk}|{consumer.channel_name}",
        info={
            "user_id": user.pk,
            "username": user.username,
            "full_name": user.get_full_name() or user.username,
            "since": moment_iso(time.time()),
        },
    )


async def _announce(room: str, stream: str, type: str) -> None:
    """The full list of a small room (a card's typing people and editors)."""
    try:
        members, _ = await rooms().members(room)
    except PresenceUnavailable:
        return  # the next change or sweep after Redis is back announces
    await in_thread(broadcast_state, stream, type, {"people": distinct_people(members)})


async def _announce_board_change() -> None:
    """Who joined and left the board since its last announced version: O(changes)
    per socket instead of the whole list (1,000 people are ~100 KB)."""
    try:
        members, _ = await rooms().members(BOARD)
        change = await rooms().record_announcement(BOARD, distinct_people(members))
    except PresenceUnavailable:
        return
    if change is not None:
        await in_thread(broadcast_state, BOARD, EventType.PRESENCE_CHANGED, change.payload())


async def board_presence_state() -> dict:
    """The board's announced list and its version (raises PresenceUnavailable)."""
    announced = await rooms().announced(BOARD)
    return {"version": announced.version, "people": announced.people}


# Joins and leaves come in bursts (a deploy reconnects everyone at once): the board's
# presence changes go out at most once per this many seconds per process, instead of
# once per join to every socket (N joins x N sockets).
PRESENCE_COALESCE_SECONDS = 0.3
_announcing: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}


def _announce_board_soon() -> None:
    loop = asyncio.get_running_loop()
    pending = _announcing.get(loop)
    if pending is not None and not pending.done():
        return
    _announcing[loop] = loop.create_task(_announce_board_later(loop))


async def _announce_board_later(loop: asyncio.AbstractEventLoop) -> None:
    await asyncio.sleep(PRESENCE_COALESCE_SECONDS)
    # Changes from here on schedule a new announcement.
    _announcing.pop(loop, None)
    await _announce_board_change()


async def _sweep_board_forever() -> None:
    """Someone whose heartbeats stopped (a dead process, a vanished laptop) leaves the
    board here; every process sweeps, which is harmless (the first one announces)."""
    while True:
        await asyncio.sleep(SWEEP_SECONDS)
        try:
            _, swept = await rooms().members(BOARD)
        except PresenceUnavailable:
            continue
        if swept:
            _announce_board_soon()


# A typist who goes quiet (stops renewing, or their laptop vanished) drops out of the
# card's typing room when their entry expires; nobody would say so until the next
# typing change. A process that has seen typing on a card (a typist of its own, or
# typists in the room when one of its sockets joined) watches the room: it sleeps
# until the first entry's expiry, sweeps, and announces the new list to the card's
# stream, which reaches the sockets of every process. Several processes watching the
# same card are harmless: the sweep removes an entry once, and only the process that
# swept it announces.
EXPIRY_MARGIN_SECONDS = 0.05


class _TypingWatch:
    def __init__(self, stream: str) -> None:
        self.stream = stream
        self.room = f"{stream}.typing"
        self.poked = True
        self.task: asyncio.Task | None = None

    async def run(self) -> None:
        while True:
            # A poke while this waits for Redis means a new entry may be missing from
            # the answer: look again rather than stop.
            self.poked = False
            try:
                expiry = await rooms().next_expiry(self.room)
            except PresenceUnavailable:
                expiry = time.time() + settings.REALTIME_TYPING_TTL_SECONDS
            if expiry is None:
                if self.poked:
                    continue
                return
            await asyncio.sleep(max(expiry - time.time(), 0) + EXPIRY_MARGIN_SECONDS)
            try:
                _, swept = await rooms().members(self.room)
            except PresenceUnavailable:
                continue
            if swept:
                await _announce(self.room, self.stream, EventType.TYPING)


_typing_watches: dict[tuple[asyncio.AbstractEventLoop, str], _TypingWatch] = {}


def _watch_typing(stream: str) -> None:
    loop = asyncio.get_running_loop()
    watch = _typing_watches.setdefault((loop, stream), _TypingWatch(stream))
    watch.poked = True
    if watch.task is None or watch.task.done():
        watch.task = loop.create_task(watch.run())
        watch.task.add_done_callback(lambda _: _typing_watch_ended(loop, watch))


def _typing_watch_ended(loop: asyncio.AbstractEventLoop, watch: _TypingWatch) -> None:
    if _typing_watches.get((loop, watch.stream)) is watch and watch.task.done():
        del _typing_watches[loop, watch.stream]


async def stop_sweeper() -> None:
    """Stops the running loop's presence sweeper, typing watches and pending
    announcements (tests)."""
    loop = asyncio.get_running_loop()
    tasks = [_sweepers.pop(loop, None), _announcing.pop(loop, None)]
    for key in [key for key in _typing_watches if key[0] is loop]:
        tasks.append(_typing_watches.pop(key).task)
    for task in tasks:
        if task is not None:
            task.cancel()


class BoardConsumer(RealtimeConsumer):
    async def authorized(self) -> bool:
        return await database_sync_to_async(user_can)(
            self.identity.user, Resource.TASKS, Action.VIEW
        )

    async def joined(self) -> None:
        await self.follow(BOARD)
        self._presence = _member(self)
        with suppress(PresenceUnavailable):  # the next heartbeat puts it again
            await rooms().put(BOARD, self._presence, settings.REALTIME_PRESENCE_TTL_SECONDS)
        await database_sync_to_async(board_presence_joined)(
            user_id=self.identity.user.pk, channel_name=self.channel_name, server_id=SERVER_ID
        )
        # The list as last announced, then changes from that version on (this
        # socket's own arrival among the first).
        await self._reply_presence()
        _announce_board_soon()
        loop = asyncio.get_running_loop()
        if loop not in _sweepers or _sweepers[loop].done():
            _sweepers[loop] = loop.create_task(_sweep_board_forever())

    async def handle(self, kind: str, message: dict) -> None:
        if kind == "heartbeat":
            with suppress(PresenceUnavailable):
                await rooms().put(BOARD, self._presence, settings.REALTIME_PRESENCE_TTL_SECONDS)
            await database_sync_to_async(board_presence_seen)(
                channel_name=self.channel_name, user_id=self.identity.user.pk
            )
        elif kind == "presence":
            await self._reply_presence()
        else:
            await super().handle(kind, message)

    async def _reply_presence(self) -> None:
        try:
            state = await board_presence_state()
        except PresenceUnavailable:
            await self.reply_error("Presence is unavailable right now; ask again shortly.")
            return
        await self.reply(EventType.PRESENCE, state, BOARD)

    async def departed(self) -> None:
        if getattr(self, "_presence", None) is None:
            return
        with suppress(PresenceUnavailable):  # else it expires by itself
            await rooms().remove(BOARD, self._presence.key)
        await database_sync_to_async(board_presence_left)(channel_name=self.channel_name)
        _announce_board_soon()


class TaskDetailConsumer(RealtimeConsumer):
    """One card's detail view: its comments live, who is typing, who is editing."""

    async def revoked_close_code(self) -> int:
        """4000 when the user may no longer see cards at all, 4403 when only this one
        left their sight (moved to another department, unassigned)."""
        sees_cards = await database_sync_to_async(user_can)(
            self.identity.user, Resource.TASKS, Action.VIEW
        )
        return CloseCode.FORBIDDEN if sees_cards else CloseCode.SESSION_ENDED

    async def deliver(self, message: Message) -> None:
        await super().deliver(message)
        # A change of the card itself (moved to another department, its people
        # changed, deleted) may take it out of this user's sight.
        if (
            message.sequence is not None
            and message.stream == self.stream
            and json.loads(message.text).get("type", "").startswith("task.")
        ):
            self._spawn(self._close_unless_visible())

    async def _close_unless_visible(self) -> None:
        if self.identity is not None and not await self.authorized():
            await self.close(code=await self.revoked_close_code())

    @property
    def task_id(self) -> int:
        return int(self.scope["url_route"]["kwargs"]["task_id"])

    @property
    def stream(self) -> str:
        return task_stream(self.task_id)

    def _room(self, what: str) -> str:
        return f"{self.stream}.{what}"

    async def authorized(self) -> bool:
        return await database_sync_to_async(may_read)(self.identity.user, self.stream)

    async def joined(self) -> None:
        self._presence = _member(self)
        await self.follow(self.stream)
        for what, type in (("editors", EventType.EDITORS), ("typing", EventType.TYPING)):
            with suppress(PresenceUnavailable):
                members, swept = await rooms().members(self._room(what))
                await self.reply(type, {"people": distinct_people(members)}, self.stream)
                if what == "typing" and swept:
                    # This read dropped quiet typists: the others hear it too (a
                    # watch finding nothing left to sweep announces nothing).
                    await _announce(self._room(what), self.stream, type)
                if what == "typing" and members:
                    _watch_typing(self.stream)  # their process may be gone

    async def handle(self, kind: str, message: dict) -> None:
        if kind not in ("typing", "editing", "heartbeat"):
            await super().handle(kind, message)
            return
        # Visibility can change under an open socket (department, assignment): check
        # again on every action.
        if not await self.authorized():
            await self.close(code=CloseCode.FORBIDDEN)
            return
        if kind == "heartbeat":
            if getattr(self, "_editing", False):
                await self._set("editors", True, settings.REALTIME_PRESENCE_TTL_SECONDS)
            return
        active = message.get("is_typing" if kind == "typing" else "is_editing")
        if not isinstance(active, bool):
            await self.reply_error(f"'{kind}' needs a boolean 'is_{kind}'.")
            return
        if kind == "typing":
            await self._set("typing", active, settings.REALTIME_TYPING_TTL_SECONDS)
            await _announce(self._room("typing"), self.stream, EventType.TYPING)
            if active:
                _watch_typing(self.stream)
        else:
            self._editing = active
            await self._set("editors", active, settings.REALTIME_PRESENCE_TTL_SECONDS)
            await _announce(self._room("editors"), self.stream, EventType.EDITORS)

    async def _set(self, what: str, active: bool, ttl: float) -> None:
        with suppress(PresenceUnavailable):
            if active:
                await rooms().put(self._room(what), self._presence, ttl)
            else:
                await rooms().remove(self._room(what), self._presence.key)

    async def departed(self) -> None:
        if getattr(self, "_presence", None) is None:
            return
        for what, type in (("editors", EventType.EDITORS), ("typing", EventType.TYPING)):
            with suppress(PresenceUnavailable):
                await rooms().remove(self._room(what), self._presence.key)
            await _announce(self._room(what), self.stream, type)

"""What every socket does: authenticate, follow streams in order, catch up, close.

Subclasses (notifications, board, task detail) say which streams they follow and
which actions they accept; business rules stay in services and selectors, reached
through database_sync_to_async. The protocol is documented in docs/realtime.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from collections import deque

from asgiref.sync import sync_to_async
from autobahn.exception import Disconnected as SocketGone
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from redis.exceptions import RedisError

from api.accounts.models import User
from api.accounts.selectors import user_department_id
from api.accounts.services import session_is_closed
from api.common.timezones import moment_iso
from api.realtime import diagnostics, fanout
from api.realtime.auth import SocketAuthError, SocketIdentity, authenticate_socket, sso_refusal
from api.realtime.control import control_group
from api.realtime.envelope import Envelope, EventType
from api.realtime.flood import FloodGuard
from api.realtime.following import StreamFollower
from api.realtime.registry import may_read
from api.realtime.streams import user_stream

logger = logging.getLogger("api.realtime")

# SocketGone: what Daphne (autobahn) raises for a send to a socket whose client closed a
# moment ago. Its websocket.disconnect is on the way; what was not sent is not lost
# (the client catches up from the log when it comes back), so it is no error to log.
# Memory tracing for soaks, when PTB_TRACEMALLOC asks for it (this module loads in
# every web process, and only there).
diagnostics.install_from_environment()

# Names this process in the rows it writes (board presence): which server held a socket.
SERVER_ID = f"{socket.gethostname()}:{os.getpid()}"


class CloseCode:
    """WebSocket close codes of this API (docs/realtime.md)."""

    SESSION_ENDED = 4000  # logout, deactivation, or the user's role no longer allows it
    BAD_MESSAGE = 4400  # the first message was not JSON / not an auth message
    UNAUTHENTICATED = 4401  # bad, expired or missing token or ticket
    FORBIDDEN = 4403  # authenticated, but this socket's object is not visible
    AUTH_TIMEOUT = 4408  # no auth message in time
    FLOODING = 4429  # kept sending past its message bounds (api/realtime/flood.py)


class RealtimeConsumer(StreamFollower, AsyncWebsocketConsumer):
    identity = None

    # ----------------------------------------------------------------- lifecycle

    async def connect(self) -> None:
        self._init_streams()
        self._outbox: deque[str] = deque()
        self._outbox_ready = asyncio.Event()
        self._sending = False
        self._sender = asyncio.ensure_future(self._send_forever())
        self._timers: list[asyncio.TimerHandle] = []
        self._background: set[asyncio.Task] = set()
        self._flood = FloodGuard()
        await self.accept()
        self._timers.append(
            asyncio.get_running_loop().call_later(
                settings.REALTIME_AUTH_TIMEOUT_SECONDS, self._close_if_anonymous
            )
        )

    async def disconnect(self, code: int) -> None:
        for timer in self._timers:
            timer.cancel()
        hub = fanout.hub()
        for stream in list(self._followed):
            await hub.unsubscribe(stream, self)
        if self.identity is not None:
            # Presence first: others should see this person leave even if Redis is
            # struggling; a membership left behind expires with the channel.
            await self.departed()
            try:
                await self.channel_layer.group_discard(
                    control_group(self.identity.user.pk), self.channel_name
                )
            except (RedisError, OSError) as exc:
                logger.warning("leaving the control group failed: %s", type(exc).__name__)
        self._sender.cancel()
        for task in list(self._background):
            task.cancel()

    def _spawn(self, coroutine) -> None:
        """Background work of this socket, referenced until done (not garbage-collected)."""
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _close_if_anonymous(self) -> None:
        if self.identity is None:
            self._spawn(self.close(code=CloseCode.AUTH_TIMEOUT))

    def _close_on_expiry(self) -> None:
        if self.identity is not None and self.identity.expires_at <= time.time() + 1:
            self._spawn(self.close(code=CloseCode.UNAUTHENTICATED))

    def _schedule_sso_check(self) -> None:
        """SSO users: the company's service may disable them at any time, and nothing
        here hears of it; ask again every EXTERNAL_REVALIDATE_SECONDS (at most one
        question per user and bound, shared with session renewals)."""
        seconds = settings.EXTERNAL_REVALIDATE_SECONDS
        if seconds > 0:
            self._timers.append(
                asyncio.get_running_loop().call_later(
                    seconds, lambda: self._spawn(self._check_sso_user())
                )
            )

    async def _check_sso_user(self) -> None:
        refusal = await database_sync_to_async(sso_refusal)(self.identity.user)
        if refusal is not None:
            logger.info("socket closed: the SSO service refused the user (%s)", refusal)
            await self.close(code=CloseCode.UNAUTHENTICATED)
            return
        self._schedule_sso_check()

    # ----------------------------------------------------------------- messages in

    async def receive(self, text_data=None, bytes_data=None) -> None:
        try:
            message = json.loads(text_data or "")
            kind = message["type"]
            if not isinstance(message, dict) or not isinstance(kind, str):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            if self.identity is None:
                await self.close(code=CloseCode.BAD_MESSAGE)
            else:
                await self.reply_error("Messages are JSON objects with a 'type'.")
            return
        if self._flood.closed:
            return  # what was already on its way after the close
        if not self._flood.allow(kind):
            await self._refuse_flood(kind)
            return
        if kind == "auth":
            await self._authenticate(message)
        elif self.identity is None:
            await self.close(code=CloseCode.UNAUTHENTICATED)
        elif kind == "ping":
            await self.reply(EventType.PONG, {"time": moment_iso(time.time())})
        elif kind == "resume":
            await self._resume(message.get("streams"))
        else:
            await self.handle(kind, message)

    async def _refuse_flood(self, kind: str) -> None:
        """Over this type's bucket: not handled, the client told (or, if it keeps on
        regardless, disconnected)."""
        if self._flood.should_close:
            logger.info("socket closed for flooding with %r", kind[:32])
            self._flood.closed = True
            await self.close(code=CloseCode.FLOODING)
            return
        await self.reply_error(
            "Too many messages of this type; slow down.",
            code="rate_limited",
            message_type=kind[:32],
            retry_after=self._flood.retry_after(kind),
        )

    async def _authenticate(self, message: dict) -> None:
        try:
            identity = await database_sync_to_async(authenticate_socket)(message)
        except SocketAuthError as exc:
            logger.info("socket authentication refused: %s", exc.reason)
            await self.close(code=CloseCode.UNAUTHENTICATED)
            return
        first = self.identity is None
        if not first and identity.user.pk != self.identity.user.pk:
            await self.close(code=CloseCode.UNAUTHENTICATED)  # no switching users mid-socket
            return
        self.identity = identity
        # Re-authenticating with a fresh token extends the socket past the old expiry.
        self._timers.append(
            asyncio.get_running_loop().call_later(
                max(0.0, identity.expires_at - time.time()), self._close_on_expiry
            )
        )
        if not first:
            # A renewal: the socket follows its streams already, so any `streams` in
            # it is not read (a client may build every `auth` the same way).
            await self.reply(
                EventType.AUTHENTICATED, {"expires_at": moment_iso(identity.expires_at)}
            )
            return
        self._schedule_sso_check()
        await self.channel_layer.group_add(control_group(identity.user.pk), self.channel_name)
        if not await self.authorized():
            await self.close(code=CloseCode.FORBIDDEN)
            return
        await self.reply(
            EventType.AUTHENTICATED,
            {"user_id": identity.user.pk, "expires_at": moment_iso(identity.expires_at)},
        )
        # The client's last positions, if it brought them: each stream is followed from
        # its own, replay first, before anything live can reach the socket (a `resume`
        # sent after auth.ok would come too late for that).
        self._asked = await self._take_positions("auth", message.get("streams"))
        await self.joined()
        await self.follow_asked()

    # ----------------------------------------------------------------- subclass hooks

    async def authorized(self) -> bool:
        """May this user have this socket at all (checked at auth and on permission changes)."""
        return True

    async def revoked_close_code(self) -> int:
        """How the socket closes when a permission change takes it away: 4000, the
        user's role no longer allows it (sockets for one object may say 4403)."""
        return CloseCode.SESSION_ENDED

    async def joined(self) -> None:
        """Follow streams, announce presence: right after a successful authentication.
        `follow(stream)` starts from the position the client's `auth` named, if any."""

    async def departed(self) -> None:
        """Presence cleanup when an authenticated socket closes."""

    async def handle(self, kind: str, message: dict) -> None:
        await self.reply_error(f"Unknown message type '{kind}'.")

    # ----------------------------------------------------------------- replies out

    async def reply(self, type: str, payload: dict, stream: str | None = None) -> None:
        self._queue(Envelope.now(type, stream, payload).to_json())

    async def reply_error(self, message: str, **extra) -> None:
        await self.reply(EventType.ERROR, {"message": message, **extra})

    def _queue(self, text: str) -> None:
        self._outbox.append(text)
        self._outbox_ready.set()

    async def _emit(self, text: str) -> None:
        """Live events: sent right away when nothing is waiting before them (the
        common case, no task switch), else queued behind what is."""
        if self._outbox or self._sending:
            self._queue(text)
            return
        try:
            await self.base_send({"type": "websocket.send", "text": text})
        except SocketGone:
            self._outbox.clear()

    async def _send_forever(self) -> None:
        """One writer per socket keeps its messages in order."""
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            self._sending = True
            try:
                while self._outbox:
                    await self.send(text_data=self._outbox.popleft())
            except SocketGone:
                self._outbox.clear()
            finally:
                self._sending = False

    def transport_reconnected(self) -> None:
        self._spawn(self._rejoin())

    async def _rejoin(self) -> None:
        """After a Redis outage: its group memberships may be gone, and a logout or a
        permission change may have happened while control messages could not flow."""
        if self.identity is None:
            return
        try:
            await self.channel_layer.group_add(
                control_group(self.identity.user.pk), self.channel_name
            )
        except (RedisError, OSError) as exc:
            logger.warning("re-joining the control group failed: %s", type(exc).__name__)
        session_id = self.identity.session_id
        if session_id and await database_sync_to_async(session_is_closed)(session_id):
            await self.close(code=CloseCode.SESSION_ENDED)
            return
        await self.permissions_changed({})

    # ----------------------------------------------------------------- control plane

    async def session_ended(self, event: dict) -> None:
        """Channel-layer message: a logout or deactivation ends these sockets."""
        session_id = event.get("session_id")
        if session_id is None or session_id == self.identity.session_id:
            await self.close(code=CloseCode.SESSION_ENDED)

    async def permissions_changed(self, event: dict) -> None:
        """Channel-layer message: re-check everything this socket may see."""
        self.identity = await database_sync_to_async(_refreshed)(self.identity)
        if not self.identity.user.is_active:
            await self.close(code=CloseCode.SESSION_ENDED)
            return
        if not await self.authorized():
            await self.close(code=await self.revoked_close_code())
            return
        for stream in list(self._followed):
            if not await database_sync_to_async(may_read)(self.identity.user, stream):
                await self.unfollow(stream)
                await self.reply_error(
                    "You may no longer follow this stream.", code="stream_revoked", stream=stream
                )
        own = user_stream(self.identity.user.pk)
        if "update" in event and own not in self._followed:
            # The notifications socket has it as a durable event; the others are told
            # here (momentary), after their streams were re-checked.
            await self.reply(EventType.PERMISSION_UPDATE, event["update"], stream=own)


def _refreshed(identity: SocketIdentity) -> SocketIdentity:
    user = User.objects.get(pk=identity.user.pk)
    return SocketIdentity(user, identity.expires_at, identity.session_id, user_department_id(user))


async def in_thread(func, *args, **kwargs):
    """Run blocking non-database work (a Redis publish) off the event loop."""
    return await sync_to_async(func, thread_sensitive=False)(*args, **kwargs)

"""Sockets: the event log, presence, tickets; and the web process's shutdown."""

from __future__ import annotations

from backend.settings.base import env

# --------------------------------------------------------------------------- realtime

REALTIME_EVENT_RETENTION_HOURS = env.int("REALTIME_EVENT_RETENTION_HOURS", default=24)
# ...and at most this many rows (the oldest go first, whatever their age).
REALTIME_EVENTS_MAX_ROWS = env.int("REALTIME_EVENTS_MAX_ROWS", default=200_000)
# How often each process compares the event log with what it delivered (seconds).
REALTIME_RECONCILE_SECONDS = env.float("REALTIME_RECONCILE_SECONDS", default=15)
# A socket must authenticate within this many seconds of connecting.
REALTIME_AUTH_TIMEOUT_SECONDS = env.float("REALTIME_AUTH_TIMEOUT_SECONDS", default=5)
# Presence: clients heartbeat every ~20 s; an entry lasts this long without one.
REALTIME_PRESENCE_TTL_SECONDS = env.int("REALTIME_PRESENCE_TTL_SECONDS", default=60)
# "Someone is typing" lasts this long unless repeated.
REALTIME_TYPING_TTL_SECONDS = env.int("REALTIME_TYPING_TTL_SECONDS", default=6)
# One-time WebSocket tickets (POST /api/v1/realtime/tickets/) expire after this.
REALTIME_TICKET_SECONDS = env.int("REALTIME_TICKET_SECONDS", default=30)
# ...and a user gets at most this many (429 with Retry-After beyond), throttling on or off.
REALTIME_TICKET_RATE = env.str("REALTIME_TICKET_RATE", default="30/min")
# Per socket and message type, a token bucket: this many messages at once, refilled at
# this many a second. Over it a message gets an `error` (code rate_limited); a socket
# that goes on past REALTIME_FLOOD_CLOSE_AFTER refused messages in a row is closed 4429.
REALTIME_MESSAGE_BURST = env.int("REALTIME_MESSAGE_BURST", default=20)
REALTIME_MESSAGE_RATE = env.float("REALTIME_MESSAGE_RATE", default=5.0)
REALTIME_FLOOD_CLOSE_AFTER = env.int("REALTIME_FLOOD_CLOSE_AFTER", default=100)
# A socket follows at most this many streams; an `auth` or `resume` naming more is refused.
REALTIME_MAX_STREAMS = env.int("REALTIME_MAX_STREAMS", default=20)
# Every this many seconds each web process closes its Redis connections no one is using.
REALTIME_REDIS_IDLE_SECONDS = env.float("REALTIME_REDIS_IDLE_SECONDS", default=60)
# On SIGTERM the web process (backend/serve.py) finishes requests for at most this long.
SHUTDOWN_GRACE_SECONDS = env.float("SHUTDOWN_GRACE_SECONDS", default=20)

"""Sockets: the event log, presence, tickets; and the web process's shutdown."""

from __future__ import annotations

from backend.settings.base import env

# --------------------------------------------------------------------------- realtime

REALTIME_EVENT_RETENTION_HOURS = env.int("REALTIME_EVENT_RETENTION_HOURS", default=24)
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
# On SIGTERM the web process (backend/serve.py) finishes requests for at most this long.
SHUTDOWN_GRACE_SECONDS = env.float("SHUTDOWN_GRACE_SECONDS", default=20)

"""Accounts events, sent inside the writing transaction (see api/kanban/signals.py)."""

from django.dispatch import Signal

# kwargs: user (User whose role or overrides changed), by (User)
permissions_changed = Signal()

# kwargs: sessions ([(user_id, session_id)]) — logged out or closed by deactivation
sessions_ended = Signal()

"""Accounts events, sent by api/accounts/services.py inside the writing transaction.

Receivers are connected in ApiConfig.ready() (api/apps.py): api/accounts/receivers.py
turns them into the user's live permission update and socket control messages.
"""

from django.dispatch import Signal

# kwargs: user (User whose role or overrides changed), by (User)
permissions_changed = Signal()

# kwargs: user (User whose access an administrator changed), by (User), changes
# ({"role": {"old", "new"}} and/or {"overrides": {"old", "new"}}) — the user is told
# by api/notifications/receivers.py: notify_access_changed
access_changed = Signal()

# kwargs: sessions ([(user_id, session_id)]) — logged out or closed by deactivation
sessions_ended = Signal()

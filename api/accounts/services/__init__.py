"""Writes of the accounts domain, by responsibility: sessions, SSO identities, roles
and access control. Callers import from here; the modules say what belongs where."""

from api.accounts.services.access import (
    roles_sync,
    superadmin_ensure,
    user_access_update,
    user_deactivate,
    user_local_create,
    user_set_role,
)
from api.accounts.services.identities import external_identity_upsert
from api.accounts.services.sessions import (
    SESSION_CLOSED,
    SESSION_OPEN,
    SESSION_OPEN_CACHE_SECONDS,
    SESSION_TOUCH_INTERVAL,
    session_close,
    session_is_closed,
    session_start,
    session_state_key,
    session_touch,
    session_touch_key,
    token_expiry,
)

__all__ = [
    "SESSION_CLOSED",
    "SESSION_OPEN",
    "SESSION_OPEN_CACHE_SECONDS",
    "SESSION_TOUCH_INTERVAL",
    "external_identity_upsert",
    "roles_sync",
    "session_close",
    "session_is_closed",
    "session_start",
    "session_state_key",
    "session_touch",
    "session_touch_key",
    "superadmin_ensure",
    "token_expiry",
    "user_access_update",
    "user_deactivate",
    "user_local_create",
    "user_set_role",
]

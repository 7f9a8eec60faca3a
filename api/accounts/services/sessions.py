"""Sessions: opened at sign-in, touched by requests, closed by logout, deactivation or
a token family's revocation. The row is the truth; the cache holds copies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from api.accounts.models import User, UserSession
from api.accounts.signals import sessions_ended
from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.client import ClientInfo

# last_activity_at is refreshed at most this often per session: a write per request
# would make every API call a database write.
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)


def session_state_key(session_id: str) -> str:
    """Cache copy of a session's state: "open" or "closed". Only a copy: when it is
    missing (evicted, flushed, Redis restarted) the session row decides."""
    return f"session-state:{session_id}"


SESSION_OPEN = "open"
SESSION_CLOSED = "closed"
# How long "open" may be believed without asking the row. A logout overwrites it at
# once; this bounds only a logout whose cache write failed (Redis down at that moment).
SESSION_OPEN_CACHE_SECONDS = 60


def session_touch_key(session_or_jti: str) -> str:
    """Cache marker of a session whose activity time was written recently."""
    return f"session-touch:{session_or_jti}"


def session_start(
    *,
    user: User,
    source: str,
    client: ClientInfo,
    token_jti: str = "",
    expires_at: datetime | None = None,
) -> UserSession:
    now = timezone.now()
    session = UserSession.objects.create(
        user=user,
        auth_source=source,
        token_jti=token_jti,
        ip_address=client.ip_address,
        user_agent=client.user_agent,
        login_at=now,
        last_activity_at=now,
        expires_at=expires_at,
    )
    try:
        cache.add(
            session_state_key(str(session.session_id)),
            SESSION_OPEN,
            timeout=SESSION_OPEN_CACHE_SECONDS,
        )
    except CACHE_ERRORS as exc:
        cache_unavailable("session start", exc)
    return session


def session_touch(*, session_id: str | None = None, token_jti: str | None = None) -> None:
    marker = session_touch_key(session_id or token_jti)
    try:
        if not cache.add(marker, 1, timeout=int(SESSION_TOUCH_INTERVAL.total_seconds())):
            return
    except CACHE_ERRORS as exc:
        cache_unavailable("session touch", exc)
        return  # activity time is a convenience; skip it rather than write every request
    sessions = UserSession.objects.filter(logout_at__isnull=True)
    if session_id:
        sessions = sessions.filter(session_id=session_id)
    elif token_jti:
        sessions = sessions.filter(token_jti=token_jti)
    else:
        return
    sessions.update(last_activity_at=timezone.now())


def session_is_closed(session_id: str, cached_state: str | None = None) -> bool:
    """Is the session logged out? The cached state when there is one, else the row.

    `cached_state` is what the caller already read from the cache (one round trip for
    all of a request's identity facts); without it the cache is asked here.
    """
    key = session_state_key(session_id)
    try:
        state = cached_state if cached_state is not None else cache.get(key)
    except CACHE_ERRORS as exc:
        cache_unavailable("session check", exc)
        state = None
    if state in (SESSION_OPEN, SESSION_CLOSED):
        return state == SESSION_CLOSED
    closed = UserSession.objects.filter(session_id=session_id, logout_at__isnull=False).exists()
    try:
        if closed:
            cache.set(key, SESSION_CLOSED, timeout=_closed_marker_seconds())
        else:
            # add, not set: a logout that wrote "closed" meanwhile must win.
            cache.add(key, SESSION_OPEN, timeout=SESSION_OPEN_CACHE_SECONDS)
    except CACHE_ERRORS as exc:
        cache_unavailable("session check", exc)
    return closed


def _closed_marker_seconds() -> int:
    # Outlive every access token that could still carry this session id; after that a
    # token of the session is refused for its expiry anyway.
    return int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()) + 60


def session_close(*, session_id: str | None = None, token_jti: str | None = None) -> int:
    """Ends the session; access tokens that carry it are refused from now on."""
    sessions = UserSession.objects.filter(logout_at__isnull=True)
    if session_id:
        sessions = sessions.filter(session_id=session_id)
    elif token_jti:
        sessions = sessions.filter(token_jti=token_jti)
    else:
        return 0
    closed = [(user_id, str(sid)) for user_id, sid in sessions.values_list("user_id", "session_id")]
    closed_ids = [sid for _, sid in closed]
    count = sessions.update(logout_at=timezone.now())
    if closed:
        sessions_ended.send(sender=UserSession, sessions=closed)
    try:
        cache.set_many(
            {session_state_key(sid): SESSION_CLOSED for sid in closed_ids},
            timeout=_closed_marker_seconds(),
        )
    except CACHE_ERRORS as exc:
        # An "open" copy may then be believed for SESSION_OPEN_CACHE_SECONDS at most.
        cache_unavailable("session close", exc)
    return count


def token_expiry(claims: dict) -> datetime | None:
    exp = claims.get("exp")
    return datetime.fromtimestamp(exp, tz=UTC) if isinstance(exp, int | float) else None

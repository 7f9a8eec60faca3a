"""Local refresh tokens as one family per sign-in, and what ends a family.

A sign-in opens a `UserSession`; every refresh token minted for it carries the
session's id (`sid`), and the session row holds the jti of the one refresh token that
is current. Refreshing swaps that jti under a row lock. Presenting any other refresh
token of the session, i.e. one already rotated away, means two parties hold the
family: the token was copied. Then the whole family dies at once: the session ends
(its access tokens are refused from the next request, its sockets close with 4000),
the current refresh token is blacklisted too, and the theft is audited.

Two tabs refreshing the same token at the same moment look exactly like that, and are
treated the same way: a client must share one refresh between its tabs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

from api.accounts.auth import sso_session
from api.accounts.auth.identity import load_user_checked
from api.accounts.models import AuthSource, User, UserSession
from api.accounts.services import session_close
from api.audit.trail import audit_record

logger = logging.getLogger("api.accounts")

JTI = settings.SIMPLE_JWT.get("JTI_CLAIM", "jti")


class SignedRefreshToken(RefreshToken):
    """A refresh token whose signature, expiry and type are checked, but not the
    blacklist: a rotated token must still be recognised to be reported as reused."""

    def verify(self) -> None:
        Token.verify(self)


def parse_refresh(raw: str) -> SignedRefreshToken:
    try:
        return SignedRefreshToken(raw)
    except TokenError as exc:
        raise InvalidToken(str(exc)) from exc


def parse_access(raw: str) -> AccessToken:
    try:
        return AccessToken(raw)
    except TokenError as exc:
        raise InvalidToken(str(exc)) from exc


def _session_ended() -> AuthenticationFailed:
    return AuthenticationFailed("This session has ended.", code="session_ended")


def rotate(raw: str) -> dict[str, str]:
    """A new access + refresh pair for the current refresh token of an open session.

    401 for a junk, expired or blacklisted token, a user who is gone, inactive or has
    a new password, an ended session; a rotated-away token ends its whole family.
    """
    token = parse_refresh(raw)
    user = load_user_checked(token)
    session_id = token.get("sid")
    if not session_id:  # tokens minted outside a sign-in (tests, scripts): no family
        return _rotate_plain(raw)
    _require_sso_still_vouches(session_id=session_id, user=user)

    with transaction.atomic():
        session = UserSession.objects.select_for_update().filter(session_id=session_id).first()
        if session is None or session.user_id != user.pk or session.logout_at is not None:
            raise _session_ended()
        reused = session.token_jti != token[JTI]
        if not reused:
            _check_not_blacklisted(token)
            token.blacklist()
            token.set_jti()
            token.set_exp()
            token.set_iat()
            token.outstand()
            session.token_jti = token[JTI]
            session.last_activity_at = timezone.now()
            session.save(update_fields=["token_jti", "last_activity_at", "updated_at"])
            return {"access": str(token.access_token), "refresh": str(token)}
    # Outside the transaction: the revocation must not roll back with the error.
    family_revoke(session_id=session_id, reason="refresh_token_reused", user=user)
    raise AuthenticationFailed(
        "This refresh token was already used. The session has been ended; sign in again.",
        code="token_reused",
    )


def _require_sso_still_vouches(*, session_id: str, user: User) -> None:
    """An SSO session is renewed only while the company still knows the person
    (api.accounts.auth.sso_session); otherwise all their SSO sessions end, sockets
    included, and the refresh is refused. Asked before the row lock: it may be a
    network round trip."""
    source = (
        UserSession.objects.filter(session_id=session_id, logout_at__isnull=True)
        .values_list("auth_source", flat=True)
        .first()
    )
    if source != AuthSource.EXTERNAL:
        return
    refusal = sso_session.refusal_for(user)
    if refusal is None:
        return
    open_sessions = UserSession.objects.filter(
        user=user, auth_source=AuthSource.EXTERNAL, logout_at__isnull=True
    ).values_list("session_id", flat=True)
    for sid in list(open_sessions):
        family_revoke(session_id=str(sid), reason=refusal.code, user=user)
    raise AuthenticationFailed(refusal.message, code=refusal.code)


def _rotate_plain(raw: str) -> dict[str, str]:
    try:
        token = RefreshToken(raw)  # the blacklist is checked here
    except TokenError as exc:
        raise InvalidToken(str(exc)) from exc
    token.blacklist()
    token.set_jti()
    token.set_exp()
    token.set_iat()
    token.outstand()
    return {"access": str(token.access_token), "refresh": str(token)}


def _check_not_blacklisted(token: Token) -> None:
    if BlacklistedToken.objects.filter(token__jti=token[JTI]).exists():
        raise InvalidToken("Token is blacklisted")


def family_revoke(*, session_id: str, reason: str, user: User | None = None) -> bool:
    """Ends the session and blacklists its current refresh token. True if it was open."""
    session = UserSession.objects.filter(session_id=session_id).first()
    if session is None:
        return False
    was_open = session.logout_at is None
    session_close(session_id=session_id)
    outstanding = OutstandingToken.objects.filter(jti=session.token_jti).first()
    if outstanding is not None:
        BlacklistedToken.objects.get_or_create(token=outstanding)
    if was_open and reason != "logout":
        logger.warning("token family revoked", extra={"reason": reason, "user_id": session.user_id})
        audit_record(
            user=user or session.user,
            action="token_family_revoked",
            resource="auth",
            object_id=str(session.user_id),
            object_repr=str(session.session_id),
            changes={"reason": reason, "session_id": str(session.session_id)},
        )
    return was_open


def refresh_check(raw: str) -> dict[str, Any]:
    """What authentication would conclude of a refresh token, for token/verify."""
    token = parse_refresh(raw)
    user = load_user_checked(token)
    session_id = token.get("sid")
    if session_id:
        session = UserSession.objects.filter(session_id=session_id, user=user).first()
        if session is None or session.logout_at is not None:
            raise _session_ended()
    _check_not_blacklisted(token)
    return token.payload


def _session_of(token: Token) -> str | None:
    return token.get("sid") or None


def logout(*, refresh: str | None = None, access: str | None = None) -> None:
    """Ends the session a refresh or an access token belongs to; already ended is fine
    (a second logout, or one after a reuse ended the family, still answers 200)."""
    token: Token = parse_refresh(refresh) if refresh else parse_access(access or "")
    session_id = _session_of(token)
    if session_id:
        family_revoke(session_id=session_id, reason="logout")
    elif refresh and not BlacklistedToken.objects.filter(token__jti=token[JTI]).exists():
        token.blacklist()

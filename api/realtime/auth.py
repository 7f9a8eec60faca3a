"""Who is on a socket: the same local or SSO tokens as the REST API, sent in the
first message (never in the URL, where proxies and logs keep it), or a one-time
ticket obtained from POST /api/v1/realtime/tickets/."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import APIException
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError

from api.accounts.auth.external import authenticate_external_token
from api.accounts.auth.sso_session import refusal_for
from api.accounts.auth.tokens import is_external_token
from api.accounts.models import ExternalUser, User
from api.accounts.selectors import user_department_id
from api.accounts.services import session_is_closed
from api.common.exceptions import DomainError, ServiceUnavailable


class SocketAuthError(Exception):
    """Authentication refused; `reason` goes to the client with close code 4401."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SocketIdentity:
    user: User
    expires_at: float  # epoch seconds: the socket must re-authenticate before this
    session_id: str | None
    department_id: int | None


def _identity(user: User, expires_at: float, session_id: str | None) -> SocketIdentity:
    return SocketIdentity(user, expires_at, session_id, user_department_id(user))


def _from_token(raw: str) -> SocketIdentity:
    try:
        if is_external_token(raw):
            user, claims = authenticate_external_token(raw)
            return _identity(user, float(claims["exp"]), None)
        authenticator = JWTAuthentication()
        validated = authenticator.get_validated_token(raw.encode())
        user = authenticator.get_user(validated)
    except (TokenError, APIException, DomainError) as exc:
        raise SocketAuthError(str(getattr(exc, "detail", exc))) from exc
    session_id = validated.get("sid")
    if session_id and session_is_closed(session_id):
        raise SocketAuthError("This session has ended.")
    return _identity(user, float(validated["exp"]), session_id)


def _ticket_key(ticket: str) -> str:
    return f"ws-ticket:{ticket}"


def issue_ticket(*, user: User, session_id: str | None, expires_at: float) -> str:
    """A random one-time ticket naming the user; valid for REALTIME_TICKET_SECONDS."""
    ticket = secrets.token_urlsafe(32)
    cache.set(
        _ticket_key(ticket),
        {"user_id": user.pk, "session_id": session_id, "expires_at": expires_at},
        timeout=settings.REALTIME_TICKET_SECONDS,
    )
    return ticket


def _from_ticket(ticket: str) -> SocketIdentity:
    key = _ticket_key(ticket)
    grant = cache.get(key)
    # delete() is true for one caller only: a ticket opens one socket, once.
    if not grant or not cache.delete(key):
        raise SocketAuthError("Unknown, used or expired ticket.")
    user = User.objects.filter(pk=grant["user_id"], is_active=True).first()
    if user is None:
        raise SocketAuthError("User is inactive or does not exist.")
    if grant["session_id"] and session_is_closed(grant["session_id"]):
        raise SocketAuthError("This session has ended.")
    return _identity(user, grant["expires_at"], grant["session_id"])


def authenticate_socket(message: dict) -> SocketIdentity:
    """The identity behind an {"type": "auth", "token" | "ticket": ...} message."""
    token, ticket = message.get("token"), message.get("ticket")
    if isinstance(token, str) and token:
        identity = _from_token(token)
    elif isinstance(ticket, str) and ticket:
        identity = _from_ticket(ticket)
    else:
        raise SocketAuthError("Send {'type': 'auth', 'token': ...} or a 'ticket'.")
    if identity.expires_at <= time.time():
        raise SocketAuthError("Token has expired.")
    return identity


def sso_refusal(user: User) -> str | None:
    """Why an open socket of an SSO user must close now (the company's service no
    longer knows them, or reports them inactive), or None. An unreachable service
    closes nothing, as with session renewals (api/accounts/auth/sso_session.py)."""
    if not ExternalUser.objects.filter(user=user).exists():
        return None
    try:
        refusal = refusal_for(user)
    except ServiceUnavailable:
        return None
    return refusal.code if refusal is not None else None

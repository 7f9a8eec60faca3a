"""Our JWTs: a refresh/access pair tied to a UserSession by the `sid` claim, issued
for local and SSO sign-ins alike."""

from __future__ import annotations

from typing import Any

import jwt
from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from api.accounts.models import AuthSource, User
from api.accounts.services import session_start, token_expiry
from api.common.client import ClientInfo


def issue_session_tokens(
    *, user: User, client: ClientInfo, source: str = AuthSource.LOCAL
) -> dict[str, Any]:
    """Our refresh/access pair and the session (token family) they belong to, for a
    password sign-in or an SSO one alike: rotation, reuse detection and logout treat
    both the same."""
    refresh = RefreshToken.for_user(user)
    session = session_start(
        user=user,
        source=source,
        client=client,
        token_jti=refresh[settings.SIMPLE_JWT.get("JTI_CLAIM", "jti")],
        expires_at=token_expiry(refresh.payload),
    )
    # Copied into every access token minted from this refresh token (and kept across
    # rotations), so a logout can end them all and /me can say how the user signed in.
    refresh["sid"] = str(session.session_id)
    refresh["role"] = user.role
    refresh["auth_source"] = source
    access = refresh.access_token
    return {
        "access": str(access),
        "refresh": str(refresh),
        "token_type": "Bearer",
        "expires_in": int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()),
        "session_id": str(session.session_id),
        "auth_source": source,
    }


def issue_local_tokens(*, user: User, client: ClientInfo) -> dict[str, Any]:
    return issue_session_tokens(user=user, client=client, source=AuthSource.LOCAL)


def unverified_claims(raw_token: str | bytes) -> dict[str, Any] | None:
    """Claims without checking the signature: only to route a token to its validator."""
    try:
        claims = jwt.decode(raw_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    return claims if isinstance(claims, dict) else None


def is_external_token(raw_token: str | bytes) -> bool:
    claims = unverified_claims(raw_token)
    return bool(claims) and claims.get("iss") == settings.EXTERNAL_JWT_ISSUER

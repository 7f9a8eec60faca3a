"""Validation of tokens issued by the company SSO.

Cheap local checks first (pinned algorithm, issuer, audience, expiry, and the
signature when EXTERNAL_JWT_VERIFY_KEY is known), then the service's own verdict,
cached for at most the token's remaining lifetime so an API call does not pay a
network round trip each time.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import jwt
from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import AuthenticationFailed

from api.accounts.auth.sso_session import remember_checked
from api.accounts.models import ExternalUser, User, UserSession
from api.accounts.services import external_identity_upsert
from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.exceptions import ServiceUnavailable
from api.integrations.external_api import (
    ExternalAPIError,
    ExternalAPIUnavailable,
    ExternalAuthRejected,
    get_client,
)

logger = logging.getLogger("api.accounts.external")


def _token_key(raw: str) -> str:
    return "ext-token:" + hashlib.sha256(raw.encode()).hexdigest()


def _revoked_key(jti: str) -> str:
    return f"ext-revoked:{jti}"


def check_external_claims(raw: str) -> dict[str, Any]:
    """The token's claims if its form is acceptable; AuthenticationFailed otherwise."""
    algorithm = settings.EXTERNAL_JWT_ALGORITHM
    try:
        header = jwt.get_unverified_header(raw)
    except jwt.PyJWTError as exc:
        raise AuthenticationFailed("Token is malformed.", code="token_not_valid") from exc
    if header.get("alg") != algorithm:
        raise AuthenticationFailed("Token algorithm is not accepted.", code="token_not_valid")
    options = {"require": ["exp", "iss", "aud", "sub"]}
    key: str | None = settings.EXTERNAL_JWT_VERIFY_KEY or None
    if key is None:
        # Without the key the service's verify call is the signature check; these
        # claims are still checked here so junk never costs a round trip.
        options |= {
            "verify_signature": False,
            "verify_exp": True,
            "verify_iss": True,
            "verify_aud": True,
        }
    try:
        return jwt.decode(
            raw,
            key=key,
            algorithms=[algorithm],
            issuer=settings.EXTERNAL_JWT_ISSUER,
            audience=settings.EXTERNAL_JWT_AUDIENCE,
            leeway=5,
            options=options,
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationFailed("Token has expired.", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationFailed("Token is invalid.", code="token_not_valid") from exc


def _cache_ttl(claims: dict[str, Any]) -> int:
    remaining = int(claims["exp"] - time.time())
    return max(0, min(remaining, settings.EXTERNAL_TOKEN_CACHE_SECONDS))


def remember_valid_token(raw: str, claims: dict[str, Any], user: User) -> None:
    ttl = _cache_ttl(claims)
    if ttl > 0:
        try:
            cache.set(_token_key(raw), {"user_id": user.pk, "sub": claims["sub"]}, timeout=ttl)
        except CACHE_ERRORS as exc:
            cache_unavailable("token verdict", exc)


def forget_token(raw: str, claims: dict[str, Any]) -> None:
    """Logout: drop the cached verdict and refuse the token until it expires.

    The SSO is asked to revoke it too, so without the cache it is still refused
    (by the service, on the next uncached check).
    """
    try:
        cache.delete(_token_key(raw))
        remaining = int(claims.get("exp", 0) - time.time())
        if claims.get("jti") and remaining > 0:
            cache.set(_revoked_key(claims["jti"]), 1, timeout=remaining + 5)
    except CACHE_ERRORS as exc:
        cache_unavailable("token revoke", exc)
    try:
        get_client().revoke(raw)
    except ExternalAPIError:
        logger.warning("SSO revoke failed; the token stays refused here until it expires")


def _active_user(user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise AuthenticationFailed("User is inactive or does not exist.", code="user_inactive")
    return user


def authenticate_external_token(raw: str) -> tuple[User, dict[str, Any]]:
    claims = check_external_claims(raw)
    token_key = _token_key(raw)
    keys = [token_key]
    if claims.get("jti"):
        keys.append(_revoked_key(claims["jti"]))
    try:
        cached = cache.get_many(keys)
    except CACHE_ERRORS as exc:
        cache_unavailable("token check", exc)
        cached = {}  # ask the service instead
    if len(keys) > 1 and keys[1] in cached:
        raise AuthenticationFailed("This session has ended.", code="session_ended")
    if token_key in cached:
        return _active_user(cached[token_key]["user_id"]), claims

    try:
        verdict = get_client().verify(raw)
    except ExternalAuthRejected as exc:
        raise AuthenticationFailed(
            "Token was rejected by the sign-in service.", code="token_not_valid"
        ) from exc
    except ExternalAPIUnavailable as exc:
        raise ServiceUnavailable(
            "The company sign-in service is unreachable, so this token cannot be checked. "
            "Try again shortly."
        ) from exc

    identity = ExternalUser.objects.select_related("user").filter(external_id=claims["sub"]).first()
    if identity is not None:
        user = identity.user
    else:
        # A token minted by the SSO for someone who never signed in here before.
        user = external_identity_upsert(profile=verdict.get("user") or {}, claims=claims)
    if not user.is_active:
        raise AuthenticationFailed("User is inactive.", code="user_inactive")
    # The cache forgot a logout (evicted, flushed) and the SSO's revoke may have
    # failed: the session row still knows it ended.
    if claims.get("jti") and _signed_out_here(claims["jti"]):
        raise AuthenticationFailed("This session has ended.", code="session_ended")
    remember_valid_token(raw, claims, user)
    return user, claims


def _signed_out_here(jti: str) -> bool:
    return UserSession.objects.filter(token_jti=jti, logout_at__isnull=False).exists()


def external_login(*, username: str, password: str) -> User:
    """The user the SSO signs in with these credentials (AuthenticationFailed if it
    refuses them, ServiceUnavailable if it cannot be reached).

    The SSO's token is not handed on: the caller opens one of our sessions for the user
    (api.accounts.auth.tokens), which lasts as long as a local one and is renewed while
    the SSO still knows the person (api.accounts.auth.sso_session).
    """
    try:
        result = get_client().login(username, password)
    except ExternalAuthRejected as exc:
        raise AuthenticationFailed(
            "Invalid username or password.", code="invalid_credentials"
        ) from exc
    except ExternalAPIUnavailable as exc:
        raise ServiceUnavailable(
            "The company sign-in service is unreachable. Try again shortly, "
            "or sign in with a local account."
        ) from exc

    claims = check_external_claims(result.access_token)
    user = external_identity_upsert(profile=result.user, claims=claims)
    if not user.is_active:
        raise AuthenticationFailed("This account is disabled.", code="user_inactive")
    # The service vouched for the person this very moment.
    remember_checked(user)
    return user

"""DRF authentication: local SimpleJWT tokens and tokens of the company SSO.

Both read `Authorization: Bearer <token>`; the token's issuer says which class
owns it, so each token is validated once, by the right validator.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow

from api.accounts.auth.external import authenticate_external_token
from api.accounts.auth.identity import token_identity
from api.accounts.auth.tokens import is_external_token
from api.accounts.services import session_touch
from api.common.request_context import set_log_user


def bearer_token(request) -> str | None:
    parts = get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() != b"bearer":
        return None
    try:
        return parts[1].decode()
    except UnicodeDecodeError:
        return None


class NoTokenAuthentication(BaseAuthentication):
    """For endpoints that take credentials in the body (login, refresh, logout).

    It authenticates nobody, but its header makes failures 401 with
    `WWW-Authenticate: Bearer` instead of DRF's 403 for views without authenticators.
    """

    def authenticate(self, request):
        return None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class LocalJWTAuthentication(JWTAuthentication):
    """SimpleJWT access tokens, refused once their session has been logged out."""

    www_authenticate_realm = "api"

    def authenticate(self, request):
        raw = bearer_token(request)
        if raw is None:
            return None
        validated = _local_token(raw)
        if validated is None:  # the SSO's: ExternalJWTAuthentication's to validate
            return None
        try:
            validated.check_exp(current_time=aware_utcnow())
        except TokenError:
            self.get_validated_token(raw.encode())  # raises InvalidToken as DRF reports it
        # Session checks included, in one cache round trip that also reads what the
        # view will look up for this caller (api.common.list_cache).
        view = (request.parser_context or {}).get("view")
        wanted = getattr(view, "cache_keys_with_identity", None)
        user_id = validated.get(api_settings.USER_ID_CLAIM)
        also = wanted(request, user_id) if wanted and user_id is not None else ()
        user, found = token_identity(validated, also)
        if also and found is not None:
            request.cached_with_identity = (tuple(also), found)
        set_log_user(user)
        return user, validated


@lru_cache(maxsize=1024)
def _local_token(raw: str) -> Token | None:
    """The validated local access token of this text (None: an SSO token), kept.

    Validating costs ~0.18 ms a request (two decodes, PyJWT checking the base64 of
    each segment character by character). Nothing in that verdict changes while the
    token lives but its expiry, which the caller checks on every use; who the user
    is, whether the session is still open and the password unchanged are checked
    per request by token_user. Invalid tokens raise, so they are not kept."""
    if is_external_token(raw):
        return None
    return JWTAuthentication().get_validated_token(raw.encode())


@receiver(setting_changed)
def _forget_validated_tokens(*, setting, **kwargs):
    # A new signing key, issuer or audience (tests) decides anew.
    if setting in ("SIMPLE_JWT", "SECRET_KEY"):
        _local_token.cache_clear()


class ExternalJWTAuthentication(BaseAuthentication):
    """Tokens of the company SSO, validated against it (with a bounded cache)."""

    def authenticate(self, request):
        raw = bearer_token(request)
        if raw is None or not is_external_token(raw):
            return None
        user, claims = authenticate_external_token(raw)
        if claims.get("jti"):
            session_touch(token_jti=claims["jti"])
        set_log_user(user)
        return user, claims

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

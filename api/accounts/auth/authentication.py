"""DRF authentication: local SimpleJWT tokens and tokens of the company SSO.

Both read `Authorization: Bearer <token>`; the token's issuer says which class
owns it, so each token is validated once, by the right validator.
"""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework_simplejwt.authentication import JWTAuthentication

from api.accounts.auth.external import authenticate_external_token
from api.accounts.auth.identity import token_user
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
        if raw is None or is_external_token(raw):
            return None
        validated = self.get_validated_token(raw.encode())
        user = token_user(validated)  # session checks included, one cache round trip
        set_log_user(user)
        return user, validated


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

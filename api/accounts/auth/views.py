"""Auth endpoints: thin adapters over api.accounts.auth services."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import authenticate
from drf_yasg.utils import swagger_auto_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenRefreshView

from api.accounts.auth import serializers as s
from api.accounts.auth import token_family
from api.accounts.auth.authentication import NoTokenAuthentication, bearer_token
from api.accounts.auth.external import (
    authenticate_external_token,
    check_external_claims,
    external_login,
    forget_token,
)
from api.accounts.auth.identity import token_user
from api.accounts.auth.login_guard import LoginGuard
from api.accounts.auth.tokens import (
    is_external_token,
    issue_local_tokens,
    issue_session_tokens,
    unverified_claims,
)
from api.accounts.models import AuthSource
from api.accounts.selectors import user_profile
from api.accounts.services import session_close
from api.common.client import ClientInfo
from api.common.exceptions import InvalidInput
from api.common.request_context import set_log_user
from api.common.serializers import DetailSerializer, ErrorResponseSerializer
from api.common.throttling import SwitchableScopedThrottle

_AUTH_ERRORS = {400: ErrorResponseSerializer, 401: ErrorResponseSerializer}
_LOGIN_ERRORS = {**_AUTH_ERRORS, 429: ErrorResponseSerializer}


class LoginThrottled:
    """Sign-in endpoints: a request rate when throttling is on, and always the bound on
    failed attempts (LoginGuard) against password guessing."""

    authentication_classes = [NoTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [SwitchableScopedThrottle]
    throttle_scope = "login"


class LocalLoginView(LoginThrottled, APIView):
    @swagger_auto_schema(
        operation_summary="Sign in with a local username and password",
        request_body=s.CredentialsSerializer,
        responses={200: s.TokenPairResponseSerializer, **_LOGIN_ERRORS},
        tags=["auth"],
    )
    def post(self, request):
        credentials = s.CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        client = ClientInfo.from_request(request)
        username = credentials.validated_data["username"]
        guard = LoginGuard(source=AuthSource.LOCAL, username=username, client=client)
        guard.admit()
        user = authenticate(
            request, username=username, password=credentials.validated_data["password"]
        )
        if user is None:
            guard.failed()
            # Same answer for unknown user, wrong password and disabled account, so the
            # endpoint does not tell which usernames exist.
            raise AuthenticationFailed("Invalid username or password.", code="invalid_credentials")
        guard.succeeded()
        set_log_user(user)
        tokens = issue_local_tokens(user=user, client=client)
        tokens["user"] = user_profile(user=user, auth_source=AuthSource.LOCAL)
        return Response(tokens)


class ExternalLoginView(LoginThrottled, APIView):
    @swagger_auto_schema(
        operation_summary="Sign in through the company SSO",
        operation_description=(
            "Forwards the credentials to EXTERNAL_API_URL. On success the answer is the "
            "same as a local sign-in: our access and refresh tokens, with "
            "`auth_source: external`. Refresh them at /api/auth/token/refresh/ like local "
            "ones; each renewal re-checks the person with the SSO/HR service (at most "
            "every EXTERNAL_REVALIDATE_SECONDS): someone it no longer knows or reports "
            "inactive gets 401 `external_user_unknown` / `external_user_inactive` and "
            "their SSO sessions end. 503 when the SSO is unreachable. Tokens issued by "
            "the SSO itself are still accepted as Bearer tokens."
        ),
        request_body=s.CredentialsSerializer,
        responses={
            200: s.TokenPairResponseSerializer,
            **_LOGIN_ERRORS,
            409: ErrorResponseSerializer,
            503: ErrorResponseSerializer,
        },
        tags=["auth"],
    )
    def post(self, request):
        credentials = s.CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        client = ClientInfo.from_request(request)
        username = credentials.validated_data["username"]
        guard = LoginGuard(source=AuthSource.EXTERNAL, username=username, client=client)
        guard.admit()  # before the SSO is asked: a locked guess is never relayed
        try:
            user = external_login(
                username=username, password=credentials.validated_data["password"]
            )
        except AuthenticationFailed as exc:
            guard.failed(reason=str(exc.get_codes()))
            raise
        except Exception:
            guard.abandoned()
            raise
        guard.succeeded()
        set_log_user(user)
        tokens = issue_session_tokens(user=user, client=client, source=AuthSource.EXTERNAL)
        tokens["user"] = user_profile(user=user, auth_source=AuthSource.EXTERNAL)
        return Response(tokens)


class RotatingTokenRefreshView(TokenRefreshView):
    serializer_class = s.RotatingRefreshSerializer
    authentication_classes = [NoTokenAuthentication]
    permission_classes = [AllowAny]

    @swagger_auto_schema(
        operation_summary="Exchange a refresh token for a new pair (the old one is refused)",
        request_body=s.RotatingRefreshSerializer,
        responses={200: s.RefreshResponseSerializer, **_AUTH_ERRORS},
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class TokenVerifyView(APIView):
    authentication_classes = [NoTokenAuthentication]
    permission_classes = [AllowAny]

    @swagger_auto_schema(
        operation_summary="Check that an access or refresh token (local or SSO) is valid",
        request_body=s.VerifySerializer,
        responses={200: s.VerifyResponseSerializer, **_AUTH_ERRORS, 503: ErrorResponseSerializer},
        tags=["auth"],
    )
    def post(self, request):
        body = s.VerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        raw = body.validated_data["token"]
        if is_external_token(raw):
            _, claims = authenticate_external_token(raw)
            source = AuthSource.EXTERNAL
        else:
            # Exactly what authentication (or a refresh) would check: signature,
            # expiry, blacklist, the user still there and active with the same
            # password, the session still open.
            claims = _local_token_claims(raw)
            source = AuthSource.LOCAL
        exp = claims.get("exp")
        return Response(
            {
                "valid": True,
                "auth_source": source,
                "expires_at": datetime.fromtimestamp(exp, tz=UTC) if exp else None,
            }
        )


class LogoutView(APIView):
    """Ends the session. Works with an expired access token: the refresh token suffices."""

    authentication_classes = [NoTokenAuthentication]
    permission_classes = [AllowAny]

    @swagger_auto_schema(
        operation_summary="Sign out: blacklist the refresh token and close the session",
        operation_description=(
            "Sessions opened by either login: send `refresh`, or only the access token as "
            "the Bearer token; the whole session ends (every token of it is refused). A "
            "token issued by the SSO itself, sent as the Bearer token, is refused from "
            "now on. Signing out "
            "of a session that already ended answers 200 too."
        ),
        request_body=s.LogoutSerializer,
        responses={200: DetailSerializer, **_AUTH_ERRORS},
        tags=["auth"],
    )
    def post(self, request):
        body = s.LogoutSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        refresh = body.validated_data.get("refresh")
        bearer = bearer_token(request)
        if refresh:
            token_family.logout(refresh=refresh)
        elif bearer and is_external_token(bearer):
            claims = check_external_claims(bearer)
            forget_token(bearer, claims)
            session_close(token_jti=claims.get("jti", ""))
        elif bearer:
            token_family.logout(access=bearer)
        else:
            raise InvalidInput(
                {"refresh": ["Send the refresh token, or the access token as the Bearer token."]}
            )
        return Response({"detail": "Signed out."}, status=status.HTTP_200_OK)


def _local_token_claims(raw: str) -> dict:
    claims = unverified_claims(raw) or {}
    if claims.get("token_type") == "refresh":
        return token_family.refresh_check(raw)
    access = token_family.parse_access(raw)
    token_user(access)
    return access.payload


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @swagger_auto_schema(
        operation_summary="The signed-in user: profile, role and effective permissions",
        responses={200: s.ProfileSerializer, 401: ErrorResponseSerializer},
        tags=["auth"],
    )
    def get(self, request):
        if isinstance(request.auth, dict):  # a token of the SSO itself
            source = AuthSource.EXTERNAL
        else:
            source = request.auth.get("auth_source", AuthSource.LOCAL)
        return Response(user_profile(user=request.user, auth_source=source))

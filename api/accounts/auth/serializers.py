from django.conf import settings
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from api.accounts.services import session_is_closed, session_rotated
from api.common.fields import EmployeeBriefSerializer


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=512, trim_whitespace=False, write_only=True)


class RotatingRefreshSerializer(TokenRefreshSerializer):
    """SimpleJWT's rotation + blacklist, plus: the session must still be open, and it
    follows the new refresh token."""

    def validate(self, attrs):
        # Parse first (signature, expiry, blacklist) so a junk token is a 401 here.
        session_id = RefreshToken(attrs["refresh"]).get("sid")
        if session_id and session_is_closed(session_id):
            raise AuthenticationFailed("This session has ended.", code="session_ended")
        data = super().validate(attrs)
        if session_id and "refresh" in data:
            new_jti = RefreshToken(data["refresh"], verify=False)[
                settings.SIMPLE_JWT.get("JTI_CLAIM", "jti")
            ]
            session_rotated(session_id=session_id, token_jti=new_jti)
        return data


class VerifySerializer(serializers.Serializer):
    token = serializers.CharField(max_length=8192)


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=8192, required=False)


# ---------------------------------------------------------------- response shapes


class ProfileEmployeeSerializer(EmployeeBriefSerializer):
    position = serializers.CharField(allow_blank=True)


class ProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    # Output only, and often empty (SSO profiles without mail): no email format or length.
    email = serializers.CharField(allow_blank=True)
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    role = serializers.CharField()
    role_level = serializers.IntegerField()
    is_global_admin = serializers.BooleanField()
    auth_source = serializers.CharField()
    employee = ProfileEmployeeSerializer(allow_null=True)
    permissions = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class TokenPairResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Access token lifetime in seconds.")
    session_id = serializers.UUIDField()
    auth_source = serializers.CharField()
    user = ProfileSerializer()


class ExternalLoginResponseSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="The SSO's own token; send it as a Bearer token.")
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()
    session_id = serializers.UUIDField()
    auth_source = serializers.CharField()
    user = ProfileSerializer()


class RefreshResponseSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(help_text="The new refresh token; the old one is now refused.")


class VerifyResponseSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    auth_source = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)

from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenRefreshSerializer

from api.accounts.auth.token_family import rotate
from api.common.fields import EmployeeBriefSerializer
from api.common.serializers import OffsetDateTimeField, Serializer, StrictInputMixin


class CredentialsSerializer(Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=512, trim_whitespace=False, write_only=True)


class RotatingRefreshSerializer(StrictInputMixin, TokenRefreshSerializer):
    """Rotation inside the token's family (api.accounts.auth.token_family): the session
    must be open and the token its current one; a reused token ends the family."""

    def validate(self, attrs):
        return rotate(attrs["refresh"])


class VerifySerializer(Serializer):
    token = serializers.CharField(max_length=8192)


class LogoutSerializer(Serializer):
    refresh = serializers.CharField(max_length=8192, required=False)


# ---------------------------------------------------------------- response shapes


class ProfileEmployeeSerializer(EmployeeBriefSerializer):
    position = serializers.CharField(allow_blank=True)


class ProfileSerializer(Serializer):
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


class TokenPairResponseSerializer(Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Access token lifetime in seconds.")
    session_id = serializers.UUIDField()
    auth_source = serializers.CharField()
    user = ProfileSerializer()


class RefreshResponseSerializer(Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(help_text="The new refresh token; the old one is now refused.")


class VerifyResponseSerializer(Serializer):
    valid = serializers.BooleanField()
    auth_source = serializers.CharField()
    expires_at = OffsetDateTimeField(allow_null=True)

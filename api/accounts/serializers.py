"""Shapes of /api/v1/users/access-control/ (auth payloads live in api.accounts.auth)."""

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from api.accounts.models import AuthSource, User, UserPermissionOverride
from api.accounts.roles import Action, Resource, Role
from api.accounts.selectors import permissions_with_overrides
from api.common.fields import EmployeeBriefSerializer, UserBriefSerializer
from api.common.serializers import ModelSerializer, Serializer


def _text() -> serializers.CharField:
    """A read-only string that may be empty (DRF drops allow_blank from read-only model
    fields, and the schema would then promise a non-empty value)."""
    return serializers.CharField(read_only=True, allow_blank=True)


class PermissionOverrideSerializer(ModelSerializer):
    granted_by = UserBriefSerializer(read_only=True, allow_null=True)
    note = _text()

    class Meta:
        model = UserPermissionOverride
        fields = ("resource", "action", "allowed", "note", "granted_by")
        read_only_fields = fields


class PermissionOverrideInputSerializer(Serializer):
    resource = serializers.ChoiceField(choices=Resource.choices)
    action = serializers.ChoiceField(choices=Action.choices)
    allowed = serializers.BooleanField(help_text="true grants the action, false revokes it.")
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class AccessControlUserSerializer(ModelSerializer):
    """An account as access control shows it: who, how they sign in, what they may do."""

    full_name = serializers.CharField(source="get_full_name", read_only=True, allow_blank=True)
    first_name = _text()
    last_name = _text()
    email = _text()
    auth_source = serializers.SerializerMethodField()
    employee = serializers.SerializerMethodField()
    overrides = PermissionOverrideSerializer(
        source="permission_overrides", many=True, read_only=True
    )
    permissions = serializers.SerializerMethodField(
        help_text="Effective permissions: {resource: [actions]}, role defaults plus overrides."
    )

    class Meta:
        model = User
        fields = (
            "id",
            "username",
            "full_name",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "role",
            "auth_source",
            "employee",
            "overrides",
            "permissions",
            "last_login",
            "date_joined",
        )
        read_only_fields = fields

    def get_auth_source(self, user) -> str:
        return AuthSource.EXTERNAL if hasattr(user, "external_identity") else AuthSource.LOCAL

    def get_employee(self, user) -> dict | None:
        employee = getattr(user, "employee", None) if hasattr(user, "employee") else None
        return EmployeeBriefSerializer(employee).data if employee else None

    def get_permissions(self, user) -> dict[str, list[str]]:
        return permissions_with_overrides(
            role=user.role, is_active=user.is_active, overrides=user.permission_overrides.all()
        )


class AccessUpdateSerializer(Serializer):
    """PUT and PATCH alike: send the role, the overrides, or both."""

    role = serializers.ChoiceField(choices=Role.choices, required=False)
    overrides = PermissionOverrideInputSerializer(
        many=True,
        required=False,
        help_text="The complete list: it replaces the user's overrides ([] removes them all).",
    )

    def validate_overrides(self, rows):
        seen: dict[tuple[str, str], int] = {}
        errors: list[dict] = [{} for _ in rows]
        for index, row in enumerate(rows):
            key = (row["resource"], row["action"])
            if key in seen:
                errors[index]["action"] = [
                    f"'{row['action']}' on {row['resource']} is already set by item {seen[key]}."
                ]
            seen.setdefault(key, index)
        if any(errors):
            raise serializers.ValidationError(errors)
        return rows


class LocalUserCreateSerializer(Serializer):
    username = serializers.CharField(
        max_length=150,
        validators=[
            UnicodeUsernameValidator(),
            # Case-insensitively unique: "Ana" and "ana" would be two people to the eye.
            UniqueValidator(queryset=User.objects.all(), lookup="iexact"),
        ],
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=128, style={"input_type": "password"}
    )
    role = serializers.ChoiceField(choices=Role.choices, default=Role.USER)

    def validate(self, attrs):
        candidate = User(
            username=attrs["username"],
            email=attrs.get("email", ""),
            first_name=attrs.get("first_name", ""),
            last_name=attrs.get("last_name", ""),
        )
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs

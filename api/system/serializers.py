from rest_framework import serializers

from api.audit.models import UserActivityLog
from api.common.fields import DepartmentBriefSerializer, UserBriefSerializer
from api.common.serializers import ModelSerializer
from api.system.models import (
    PersonalNote,
    ReleaseNote,
    SMBClientKind,
    SMBConfiguration,
    UserReport,
    UserReportStatus,
)


def _text() -> serializers.CharField:
    """A read-only string that may be empty (DRF drops allow_blank from read-only model
    fields, and the schema would then promise a non-empty value)."""
    return serializers.CharField(read_only=True, allow_blank=True)


class ActivityLogSerializer(ModelSerializer):
    user = UserBriefSerializer(read_only=True, allow_null=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    resource = _text()
    object_id = _text()
    object_repr = _text()
    request_id = _text()
    method = _text()
    path = _text()
    user_agent = _text()

    class Meta:
        model = UserActivityLog
        fields = (
            "id",
            "user",
            "action",
            "resource",
            "object_id",
            "object_repr",
            "changes",
            "department",
            "request_id",
            "method",
            "path",
            "ip_address",
            "user_agent",
            "created_at",
        )
        read_only_fields = fields


class PersonalNoteSerializer(ModelSerializer):
    class Meta:
        model = PersonalNote
        fields = ("id", "title", "content", "color", "is_pinned", "created_at", "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")


class UserReportSerializer(ModelSerializer):
    """Reporters write title, description, category, severity, page and screenshot;
    status and resolution_note are for the global admins who triage (see services)."""

    reporter = UserBriefSerializer(read_only=True)
    resolved_by = UserBriefSerializer(read_only=True, allow_null=True)
    screenshot = serializers.FileField(
        write_only=True,
        required=False,
        help_text="PNG, JPEG, GIF or WebP (checked by content); multipart upload.",
    )
    has_screenshot = serializers.SerializerMethodField()
    screenshot_url = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=UserReportStatus.choices, required=False)
    user_agent = _text()

    class Meta:
        model = UserReport
        fields = (
            "id",
            "reporter",
            "title",
            "description",
            "category",
            "severity",
            "status",
            "page_url",
            "user_agent",
            "screenshot",
            "screenshot_name",
            "has_screenshot",
            "screenshot_url",
            "resolution_note",
            "resolved_by",
            "resolved_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "id",
            "user_agent",
            "screenshot_name",
            "resolved_at",
            "created_at",
            "updated_at",
        )

    def validate(self, attrs):
        if self.instance is None:
            triage = {"status", "resolution_note"} & set(attrs)
            if triage:
                raise serializers.ValidationError(
                    {name: ["A new report is always filed open."] for name in triage}
                )
        return attrs

    def get_has_screenshot(self, obj) -> bool:
        return bool(obj.screenshot)

    def get_screenshot_url(self, obj) -> str | None:
        if not obj.screenshot:
            return None
        return f"/api/v1/user-reports/{obj.pk}/download-screenshot/"


class ReleaseNoteSerializer(ModelSerializer):
    created_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ReleaseNote
        fields = (
            "id",
            "version",
            "title",
            "body",
            "released_on",
            "is_published",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")


class SMBConfigurationSerializer(ModelSerializer):
    """The password goes in and never comes out: write-only here, encrypted at rest,
    `[REDACTED]` in the audit trail. On update, leaving it out keeps the stored one and
    an empty string clears it (guest access)."""

    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=255,
        style={"input_type": "password"},
    )
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = SMBConfiguration
        fields = (
            "id",
            "name",
            "server",
            "port",
            "share_name",
            "username",
            "password",
            "has_password",
            "domain",
            "path_prefix",
            "client",
            "require_encryption",
            "timeout_seconds",
            "is_active",
            "last_tested_at",
            "last_test_result",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "id",
            "last_tested_at",
            "last_test_result",
            "created_at",
            "updated_at",
        )
        extra_kwargs = {
            "port": {"min_value": 1, "max_value": 65535},
            "timeout_seconds": {"min_value": 1, "max_value": 600},
            # Activating one deactivates the previous one (services), so the model's
            # single-active constraint is not an input error here.
            "is_active": {"validators": []},
        }

    def get_has_password(self, obj) -> bool:
        return bool(obj.password_encrypted)

    def validate(self, attrs):
        current = self.instance
        client = attrs.get("client", getattr(current, "client", SMBClientKind.PYSMB))
        encryption = attrs.get("require_encryption", getattr(current, "require_encryption", False))
        if encryption and client != SMBClientKind.SMBPROTOCOL:
            raise serializers.ValidationError(
                {"client": ["Encryption (require_encryption) needs the smbprotocol client."]}
            )
        return attrs

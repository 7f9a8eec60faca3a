import json
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from api.common.crypto import decrypt, encrypt
from api.common.models import TimestampedModel
from api.common.uploads import stored_name


class ConfigValueType(models.TextChoices):
    STRING = "string", "Text"
    INTEGER = "integer", "Integer"
    DECIMAL = "decimal", "Decimal"
    BOOLEAN = "boolean", "Boolean"
    JSON = "json", "JSON"


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def parse_config_value(raw: str, value_type: str):
    """The typed value of a stored configuration string; ValueError when it is not one."""
    match value_type:
        case ConfigValueType.STRING:
            return raw
        case ConfigValueType.INTEGER:
            return int(raw)
        case ConfigValueType.DECIMAL:
            try:
                return Decimal(raw)
            except InvalidOperation as exc:
                raise ValueError(f"{raw!r} is not a decimal number") from exc
        case ConfigValueType.BOOLEAN:
            lowered = raw.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError(f"{raw!r} is not a boolean")
        case ConfigValueType.JSON:
            return json.loads(raw)
    raise ValueError(f"unknown value type {value_type!r}")


class SystemConfiguration(TimestampedModel):
    """A typed key/value setting that operators change without a deploy."""

    key = models.SlugField(max_length=100, unique=True)
    value = models.TextField(blank=True)
    value_type = models.CharField(
        max_length=16, choices=ConfigValueType.choices, default=ConfigValueType.STRING
    )
    description = models.CharField(max_length=255, blank=True)
    # Public entries are readable by every signed-in user (the client reads them).
    is_public = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("key",)
        verbose_name = "system configuration"

    def __str__(self) -> str:
        return self.key

    @property
    def typed_value(self):
        return parse_config_value(self.value, self.value_type)

    def clean(self) -> None:
        try:
            parse_config_value(self.value, self.value_type)
        except (ValueError, TypeError) as exc:
            raise ValidationError({"value": str(exc)}) from exc


class PersonalNote(TimestampedModel):
    """Private to its owner: no role, however high, reads another person's notes."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_notes"
    )
    title = models.CharField(max_length=200)
    content = models.TextField(blank=True)
    color = models.CharField(max_length=16, blank=True)
    is_pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ("-is_pinned", "-updated_at")
        indexes = [models.Index(fields=["owner", "-updated_at"], name="note_owner_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="note_title_not_blank"),
        ]

    def __str__(self) -> str:
        return self.title


class SMBClientKind(models.TextChoices):
    PYSMB = "pysmb", "pysmb (SMB1/SMB2)"
    SMBPROTOCOL = "smbprotocol", "smbprotocol (SMB 3.1.1, signing, encryption)"


class SMBConfiguration(TimestampedModel):
    """Where reports go. The password is stored Fernet-encrypted (api.common.crypto)."""

    name = models.CharField(max_length=100, unique=True)
    server = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=445)
    share_name = models.CharField(max_length=255)
    username = models.CharField(max_length=255, blank=True)
    password_encrypted = models.TextField(blank=True, editable=False)
    domain = models.CharField(max_length=255, blank=True, default="WORKGROUP")
    path_prefix = models.CharField(max_length=500, blank=True)
    client = models.CharField(
        max_length=16, choices=SMBClientKind.choices, default=SMBClientKind.PYSMB
    )
    require_encryption = models.BooleanField(default=False)
    timeout_seconds = models.PositiveIntegerField(default=30)
    is_active = models.BooleanField(default=False)
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_test_result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("name",)
        verbose_name = "SMB configuration"
        constraints = [
            # At most one configuration is the one reports are delivered to.
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="smb_single_active"
            ),
            models.CheckConstraint(
                condition=Q(port__gte=1) & Q(port__lte=65535), name="smb_port_range"
            ),
            models.CheckConstraint(
                condition=Q(timeout_seconds__gte=1), name="smb_timeout_positive"
            ),
            # pysmb cannot speak SMB3 encryption; such shares need smbprotocol.
            models.CheckConstraint(
                condition=Q(require_encryption=False) | Q(client="smbprotocol"),
                name="smb_encryption_needs_smbprotocol",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (\\\\{self.server}\\{self.share_name})"

    def set_password(self, raw: str) -> None:
        self.password_encrypted = encrypt(raw) if raw else ""

    def get_password(self) -> str:
        return decrypt(self.password_encrypted) if self.password_encrypted else ""


class UserReportCategory(models.TextChoices):
    BUG = "bug", "Bug"
    FEATURE = "feature", "Feature request"
    QUESTION = "question", "Question"
    OTHER = "other", "Other"


class UserReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class UserReportSeverity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


def user_report_screenshot_path(instance: "UserReport", filename: str) -> str:
    """A generated name in the reporter's folder; the client's is `screenshot_name`."""
    return stored_name(f"user-reports/{instance.reporter_id}", filename)


class UserReport(TimestampedModel):
    """A bug report or request filed from the app."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="user_reports"
    )
    title = models.CharField(max_length=200)
    description = models.TextField()
    category = models.CharField(
        max_length=16, choices=UserReportCategory.choices, default=UserReportCategory.BUG
    )
    severity = models.CharField(
        max_length=16, choices=UserReportSeverity.choices, default=UserReportSeverity.MEDIUM
    )
    status = models.CharField(
        max_length=16, choices=UserReportStatus.choices, default=UserReportStatus.OPEN
    )
    page_url = models.CharField(max_length=500, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    screenshot = models.FileField(
        upload_to=user_report_screenshot_path, max_length=500, null=True, blank=True
    )
    # The screenshot's name as uploaded (for display and downloads).
    screenshot_name = models.CharField(max_length=255, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["status", "created_at"], name="userreport_status_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="userreport_title_not_blank"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class ReleaseNote(TimestampedModel):
    version = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    released_on = models.DateField()
    is_published = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-released_on", "-id")
        constraints = [
            models.CheckConstraint(condition=~Q(version=""), name="releasenote_version_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.version} — {self.title}"

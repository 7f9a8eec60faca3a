from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.text import Truncator

from api.common.uploads import safe_name
from api.system.models import (
    PersonalNote,
    ReleaseNote,
    SMBConfiguration,
    SystemConfiguration,
    UserReport,
    UserReportStatus,
)


@admin.register(SystemConfiguration)
class SystemConfigurationAdmin(admin.ModelAdmin):
    """The value is validated against its type by the model's clean() (via full_clean)."""

    list_display = ("key", "value_type", "short_value", "is_public", "updated_by", "updated_at")
    list_filter = ("value_type", "is_public")
    search_fields = ("key", "description", "value")
    list_select_related = ("updated_by",)
    readonly_fields = ("updated_by", "created_at", "updated_at")
    fields = ("key", "value_type", "value", "description", "is_public", *readonly_fields)

    @admin.display(description="value")
    def short_value(self, obj):
        return Truncator(obj.value).chars(60)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PersonalNote)
class PersonalNoteAdmin(admin.ModelAdmin):
    """Notes are private to their owner, so the admin lists only the signed-in user's own."""

    list_display = ("title", "is_pinned", "color", "updated_at")
    list_filter = ("is_pinned",)
    search_fields = ("title", "content")
    date_hierarchy = "updated_at"
    readonly_fields = ("owner", "created_at", "updated_at")
    fields = ("title", "content", "color", "is_pinned", *readonly_fields)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(owner=request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


class SMBConfigurationForm(forms.ModelForm):
    """The password is write-only: typed here, stored encrypted, never rendered back."""

    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_password = forms.BooleanField(
        required=False, help_text="Remove the stored password (guest access)."
    )

    class Meta:
        model = SMBConfiguration
        fields = (
            "name",
            "is_active",
            "server",
            "port",
            "share_name",
            "path_prefix",
            "username",
            "domain",
            "client",
            "require_encryption",
            "timeout_seconds",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["password"].help_text = "Leave empty to keep the current password."
        else:
            self.fields["password"].help_text = "Optional: leave empty for guest access."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("clear_password"):
            self.add_error("clear_password", "Either type a new password or clear it, not both.")
        return cleaned


@admin.register(SMBConfiguration)
class SMBConfigurationAdmin(admin.ModelAdmin):
    form = SMBConfigurationForm
    list_display = (
        "name",
        "server",
        "share_name",
        "username",
        "client",
        "has_password",
        "is_active",
        "last_tested_at",
    )
    list_filter = ("is_active", "client", "require_encryption")
    search_fields = ("name", "server", "share_name", "username")
    readonly_fields = ("has_password", "last_tested_at", "last_test_result", "created_at")
    fieldsets = (
        (None, {"fields": ("name", "is_active")}),
        ("Share", {"fields": ("server", "port", "share_name", "path_prefix")}),
        (
            "Credentials",
            {"fields": ("username", "domain", "has_password", "password", "clear_password")},
        ),
        ("Protocol", {"fields": ("client", "require_encryption", "timeout_seconds")}),
        ("Last test", {"fields": ("last_tested_at", "last_test_result", "created_at")}),
    )

    @admin.display(description="has password", boolean=True)
    def has_password(self, obj):
        return bool(obj.password_encrypted)

    def save_model(self, request, obj, form, change):
        password = form.cleaned_data.get("password")
        if password:
            obj.set_password(password)
        elif form.cleaned_data.get("clear_password"):
            obj.set_password("")
        super().save_model(request, obj, form, change)


@admin.register(UserReport)
class UserReportAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "category",
        "severity",
        "status",
        "reporter",
        "resolved_by",
        "created_at",
    )
    list_filter = ("status", "category", "severity")
    search_fields = ("title", "description", "reporter__username")
    list_select_related = ("reporter", "resolved_by")
    date_hierarchy = "created_at"
    autocomplete_fields = ("reporter",)
    readonly_fields = (
        "page_url",
        "user_agent",
        "resolved_by",
        "resolved_at",
        "screenshot_name",
        "created_at",
        "updated_at",
    )

    def save_model(self, request, obj, form, change):
        if "screenshot" in form.changed_data:
            obj.screenshot_name = safe_name(obj.screenshot.name) if obj.screenshot else ""
        done = obj.status in (UserReportStatus.RESOLVED, UserReportStatus.CLOSED)
        if done and obj.resolved_at is None:
            obj.resolved_by, obj.resolved_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(ReleaseNote)
class ReleaseNoteAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "released_on", "is_published", "created_by")
    list_filter = ("is_published",)
    search_fields = ("version", "title", "body")
    list_select_related = ("created_by",)
    date_hierarchy = "released_on"
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

from django.contrib import admin
from django.utils import timezone

from api.common.uploads import safe_name
from api.overtime.models import (
    CompensationTier,
    OvertimeBreak,
    OvertimeRegulation,
    OvertimeRegulationDocument,
    OvertimeRequest,
)

DOCUMENT_META = ("original_name", "content_type", "size_bytes", "uploaded_by", "created_at")


def fill_document_meta(document: OvertimeRegulationDocument, user) -> None:
    """What the upload API records: who uploaded, the file's name, type and size."""
    upload = document.file
    if not upload:
        return
    document.uploaded_by = document.uploaded_by or user
    document.original_name = safe_name(upload.name)
    document.size_bytes = upload.size or 0
    content_type = getattr(getattr(upload, "file", None), "content_type", None)
    if content_type:
        document.content_type = content_type


class OvertimeRegulationDocumentInline(admin.TabularInline):
    model = OvertimeRegulationDocument
    extra = 0
    fields = ("title", "version", "file", *DOCUMENT_META)
    readonly_fields = DOCUMENT_META


@admin.register(OvertimeRegulation)
class OvertimeRegulationAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "scope",
        "department",
        "max_hours_per_day",
        "max_hours_per_week",
        "max_hours_per_month",
        "max_hours_per_year",
        "second_approval_threshold_hours",
        "effective_from",
        "effective_to",
        "is_active",
    )
    list_filter = ("scope", "is_active", "department")
    search_fields = ("name", "description", "department__code", "department__name")
    list_select_related = ("department",)
    autocomplete_fields = ("department",)
    date_hierarchy = "effective_from"
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "description", "scope", "department", "is_active")}),
        (
            "Limits (hours)",
            {
                "fields": (
                    ("max_hours_per_day", "max_hours_per_week"),
                    ("max_hours_per_month", "max_hours_per_year"),
                    "second_approval_threshold_hours",
                )
            },
        ),
        ("Validity", {"fields": ("effective_from", "effective_to", "created_at", "updated_at")}),
    )
    inlines = (OvertimeRegulationDocumentInline,)

    def save_formset(self, request, form, formset, change):
        for document in formset.save(commit=False):
            fill_document_meta(document, request.user)
            document.save()
        for document in formset.deleted_objects:
            document.delete()


@admin.register(OvertimeRegulationDocument)
class OvertimeRegulationDocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "version", "regulation", "original_name", "size_bytes", "created_at")
    list_filter = ("regulation__scope",)
    search_fields = ("title", "version", "original_name", "regulation__name")
    list_select_related = ("regulation__department",)
    autocomplete_fields = ("regulation",)
    date_hierarchy = "created_at"
    readonly_fields = (*DOCUMENT_META, "updated_at")

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data:
            fill_document_meta(obj, request.user)
        super().save_model(request, obj, form, change)


class OvertimeBreakInline(admin.TabularInline):
    """Breaks change the computed hours, so they are edited through the API only."""

    model = OvertimeBreak
    extra = 0
    fields = ("start_at", "end_at", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OvertimeBreak)
class OvertimeBreakAdmin(admin.ModelAdmin):
    """View-only: breaks feed the request's computed hours and are edited through the API."""

    list_display = ("request", "start_at", "end_at", "note")
    search_fields = ("=request__id", "note")
    list_select_related = ("request__employee",)
    date_hierarchy = "start_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OvertimeRequest)
class OvertimeRequestAdmin(admin.ModelAdmin):
    """Inspect and correct overtime requests; the workflow is not run from here.

    Creating, submitting, approving, rejecting and cancelling go through the API
    services, which compute the hours, check the regulation and notify people. So the
    computed fields, the status and every approval who/when field are read-only here,
    and requests cannot be added from the admin; only project and reason are editable.
    """

    # Fits a 1400-px window beside the filters (tests/browser/test_admin_changelist.py):
    # status and hours come first, the period is one short column, the project its code.
    list_display = (
        "id",
        "employee",
        "status",
        "net_hours",
        "period",
        "project_code",
        "requires_second_approval",
        "submitted_at",
    )
    list_display_links = ("id", "employee")
    list_filter = (
        "status",
        "requires_second_approval",
        "is_weekend",
        "is_holiday",
        "employee__department",
    )
    search_fields = (
        "=id",
        "employee__employee_code",
        "employee__first_name",
        "employee__last_name",
        "project__code",
        "reason",
    )
    list_select_related = ("employee", "project")
    autocomplete_fields = ("project",)
    date_hierarchy = "start_at"
    # Everything but the descriptive fields is workflow state owned by the API services.
    readonly_fields = tuple(
        f.name for f in OvertimeRequest._meta.fields if f.name not in ("id", "project", "reason")
    )
    fieldsets = (
        (None, {"fields": ("employee", "project", ("start_at", "end_at"), "reason", "status")}),
        (
            "Hours",
            {"fields": (("total_hours", "break_hours", "net_hours"), ("is_weekend", "is_holiday"))},
        ),
        ("Regulation", {"fields": ("regulation", "regulation_check", "requires_second_approval")}),
        (
            "Workflow",
            {
                "fields": (
                    ("created_by", "created_at", "updated_at"),
                    "submitted_at",
                    ("first_approved_by", "first_approved_at"),
                    "first_approval_note",
                    ("second_approved_by", "second_approved_at"),
                    "second_approval_note",
                    ("rejected_by", "rejected_at"),
                    "rejection_reason",
                    "cancelled_at",
                )
            },
        ),
    )
    inlines = (OvertimeBreakInline,)

    def has_add_permission(self, request):
        return False

    @admin.display(description="period", ordering="start_at")
    def period(self, obj: OvertimeRequest) -> str:
        start, end = timezone.localtime(obj.start_at), timezone.localtime(obj.end_at)
        until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
        return f"{start:%Y-%m-%d %H:%M} to {until}"

    @admin.display(description="project", ordering="project__code")
    def project_code(self, obj: OvertimeRequest) -> str | None:
        return obj.project.code if obj.project_id else None


@admin.register(CompensationTier)
class CompensationTierAdmin(admin.ModelAdmin):
    """Rows of the art. 31 tables of each regulation (api/overtime/rules.py weighs them)."""

    list_display = (
        "regulation",
        "day_category",
        "work_days_per_week",
        "hour_from",
        "hour_to",
        "multiplier",
    )
    list_filter = ("day_category", "work_days_per_week")
    search_fields = ("regulation__name",)
    list_select_related = ("regulation",)

from django.contrib import admin

from api.reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read-mostly: jobs change through the workers and the API (retry)."""

    list_display = (
        "id",
        "kind",
        "period_start",
        "period_end",
        "status",
        "requested_by",
        "row_count",
        "created_at",
        "finished_at",
    )
    list_filter = ("kind", "status")
    search_fields = ("file_name", "smb_path", "requested_by__username", "error")
    list_select_related = ("requested_by",)
    date_hierarchy = "created_at"
    readonly_fields = tuple(
        f.name for f in ReportJob._meta.get_fields() if getattr(f, "concrete", False)
    )
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

from django.contrib import admin

from api.audit.models import UserActivityLog
from api.common.admin import ReadOnlyAdminMixin


@admin.register(UserActivityLog)
class UserActivityLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "user",
        "action",
        "resource",
        "object_id",
        "object_repr",
        "department",
        "ip_address",
    )
    list_filter = ("action", "resource", "method")
    search_fields = ("object_repr", "object_id", "user__username", "request_id", "path")
    list_select_related = ("user", "department")
    date_hierarchy = "created_at"
    show_full_result_count = False

from django.contrib import admin

from api.realtime.models import RealtimeEvent, RealtimeStream


@admin.register(RealtimeStream)
class RealtimeStreamAdmin(admin.ModelAdmin):
    list_display = ("name", "last_sequence", "purged_through")
    search_fields = ("name",)
    readonly_fields = ("name", "last_sequence", "purged_through")


@admin.register(RealtimeEvent)
class RealtimeEventAdmin(admin.ModelAdmin):
    """Read-only: the log is what sockets replay; editing it would rewrite history."""

    list_display = ("stream", "sequence", "type", "created_at")
    list_filter = ("type",)
    search_fields = ("stream",)
    date_hierarchy = "created_at"
    readonly_fields = ("stream", "sequence", "type", "payload", "created_at")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

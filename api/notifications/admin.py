from django.contrib import admin

from api.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "recipient", "actor", "is_read", "created_at")
    list_filter = ("kind", "is_read")
    search_fields = ("title", "message", "recipient__username", "recipient__email")
    list_select_related = ("recipient", "actor")
    autocomplete_fields = ("recipient", "actor")
    date_hierarchy = "created_at"
    readonly_fields = ("read_at", "created_at", "updated_at")
    show_full_result_count = False

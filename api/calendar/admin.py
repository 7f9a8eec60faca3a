from django.contrib import admin

from api.calendar.models import CalendarEvent, EmployeeLeave, Holiday, HolidayImport


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "is_recurring")
    list_filter = ("is_recurring",)
    search_fields = ("name", "description")
    date_hierarchy = "date"
    readonly_fields = ("created_at", "updated_at")


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "event_type",
        "start_at",
        "end_at",
        "all_day",
        "visibility",
        "department",
        "created_by",
    )
    list_filter = ("event_type", "visibility", "all_day", "department")
    search_fields = ("title", "description", "location")
    list_select_related = ("department", "created_by")
    autocomplete_fields = ("department", "attendees")
    date_hierarchy = "start_at"
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(EmployeeLeave)
class EmployeeLeaveAdmin(admin.ModelAdmin):
    """Deciding leave (approve/reject, with notification) is done through the API."""

    list_display = (
        "employee",
        "leave_type",
        "start_date",
        "end_date",
        "status",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status", "leave_type", "employee__department")
    search_fields = (
        "employee__employee_code",
        "employee__first_name",
        "employee__last_name",
        "reason",
    )
    list_select_related = ("employee", "decided_by")
    autocomplete_fields = ("employee",)
    date_hierarchy = "start_date"
    readonly_fields = (
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
        "created_at",
        "updated_at",
    )


@admin.register(HolidayImport)
class HolidayImportAdmin(admin.ModelAdmin):
    """The import ledger: what import_holidays wrote (an empty holiday: deleted since)."""

    list_display = ("date", "country", "subdivision", "name", "holiday", "imported_at")
    list_filter = ("country",)
    search_fields = ("name",)
    list_select_related = ("holiday",)
    readonly_fields = ("imported_at",)

from django.contrib import admin

from api.org.models import Department, Employee, Project

SYNC_FIELDS = ("external_id", "synced_at", "created_at", "updated_at")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    """`external_id`/`synced_at` belong to the HR sync and are not edited by hand."""

    list_display = ("code", "name", "parent", "manager", "is_active", "synced_at")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "external_id")
    list_select_related = ("parent", "manager")
    autocomplete_fields = ("parent", "manager")
    readonly_fields = SYNC_FIELDS


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = (
        "employee_code",
        "full_name",
        "email",
        "department",
        "position",
        "user",
        "is_active",
    )
    list_filter = ("is_active", "department")
    search_fields = ("employee_code", "first_name", "last_name", "email", "external_id")
    list_select_related = ("department", "user")
    autocomplete_fields = ("department", "user")
    readonly_fields = SYNC_FIELDS

    @admin.display(description="name", ordering="last_name")
    def full_name(self, obj):
        return obj.full_name


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "is_active", "start_date", "end_date")
    list_filter = ("is_active", "department")
    search_fields = ("code", "name", "description")
    list_select_related = ("department",)
    autocomplete_fields = ("department",)
    readonly_fields = ("created_at", "updated_at")

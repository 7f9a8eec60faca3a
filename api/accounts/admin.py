from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from api.accounts.models import ExternalUser, User, UserPermissionOverride, UserSession
from api.accounts.services import user_set_role
from api.common.admin import ReadOnlyAdminMixin


class UserPermissionOverrideInline(admin.TabularInline):
    model = UserPermissionOverride
    fk_name = "user"
    extra = 0
    fields = ("resource", "action", "allowed", "note", "granted_by", "updated_at")
    readonly_fields = ("granted_by", "updated_at")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Role changes go through `user_set_role`, which also aligns `is_staff` with the role."""

    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "is_staff",
        "is_active",
        "last_login",
    )
    list_filter = ("role", *DjangoUserAdmin.list_filter)
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Role", {"fields": ("role",)}))
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Role", {"classes": ("wide",), "fields": ("role",)}),
    )
    inlines = (UserPermissionOverrideInline,)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "role" in form.changed_data:
            user_set_role(user=obj, role=obj.role, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is UserPermissionOverride:
            for override in formset.save(commit=False):
                override.granted_by = request.user
                override.save()
            for override in formset.deleted_objects:
                override.delete()
            return
        super().save_formset(request, form, formset, change)


@admin.register(ExternalUser)
class ExternalUserAdmin(admin.ModelAdmin):
    """SSO identities are created and refreshed at sign-in; only the links are editable."""

    list_display = (
        "username",
        "external_id",
        "user",
        "employee",
        "last_login_at",
        "last_synced_at",
    )
    search_fields = ("username", "external_id", "user__username", "employee__employee_code")
    list_select_related = ("user", "employee")
    autocomplete_fields = ("user", "employee")
    date_hierarchy = "last_login_at"
    readonly_fields = ("raw_claims", "last_login_at", "last_synced_at", "created_at", "updated_at")


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "user",
        "auth_source",
        "ip_address",
        "login_at",
        "last_activity_at",
        "logout_at",
        "is_open",
    )
    list_filter = ("auth_source", ("logout_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "ip_address", "session_id", "token_jti")
    list_select_related = ("user",)
    date_hierarchy = "login_at"

    @admin.display(description="open", boolean=True)
    def is_open(self, obj):
        return obj.is_open


@admin.register(UserPermissionOverride)
class UserPermissionOverrideAdmin(admin.ModelAdmin):
    list_display = ("user", "resource", "action", "allowed", "granted_by", "updated_at")
    list_filter = ("resource", "action", "allowed")
    search_fields = ("user__username", "user__email", "note")
    list_select_related = ("user", "granted_by")
    autocomplete_fields = ("user",)
    readonly_fields = ("granted_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.granted_by = request.user
        super().save_model(request, obj, form, change)

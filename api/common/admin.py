"""Admin building blocks shared by the domain admins."""


class ReadOnlyAdminMixin:
    """For append-only/audit rows: viewable, never added or edited; superusers may purge."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

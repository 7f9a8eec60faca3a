from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The single Django app: one label (`api`), one migrations history, domain packages."""

    name = "api"
    label = "api"
    verbose_name = "PTB Overtime"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # System checks and signal receivers are wired explicitly here, never by
        # import side effects scattered around the code base. These imports load
        # models, which Django allows only once every app is loaded: here, not at the top.
        from api.accounts import receivers as accounts_receivers  # noqa: F401
        from api.accounts.permissions import HasResourcePermission
        from api.accounts.roles import MODEL_RESOURCES
        from api.accounts.signals import access_changed
        from api.audit.trail import register_resources
        from api.common import checks, receivers  # noqa: F401
        from api.common.permissions import register_resource_permission
        from api.notifications.receivers import notify_access_changed
        from api.realtime import receivers as realtime_receivers  # noqa: F401

        # The lower layers know no domain above them: the domains register with them.
        register_resources(MODEL_RESOURCES)
        register_resource_permission(HasResourcePermission)
        access_changed.connect(notify_access_changed, dispatch_uid="notify-access-changed")

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The single Django app: one label (`api`), one migrations history, domain packages."""

    name = "api"
    label = "api"
    verbose_name = "PTB Overtime"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # System checks and signal receivers are wired explicitly here, never by
        # import side effects scattered around the code base.
        from api.accounts import receivers as accounts_receivers  # noqa: F401
        from api.common import checks, receivers  # noqa: F401
        from api.realtime import receivers as realtime_receivers  # noqa: F401

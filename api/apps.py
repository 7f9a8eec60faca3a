from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The single Django app: one label (`api`), one migrations history, domain packages."""

    name = "api"
    label = "api"
    verbose_name = "PTB Overtime"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # System checks, signal receivers and the registries of the lower layers are
        # wired explicitly here, never by import side effects scattered around the code
        # base. These imports load models, which Django allows only once every app is
        # loaded: here, not at the top.
        from api.accounts import receivers as accounts_receivers  # noqa: F401
        from api.accounts.permissions import HasResourcePermission
        from api.accounts.roles import MODEL_RESOURCES
        from api.accounts.signals import access_changed, permissions_changed, sessions_ended
        from api.audit.trail import register_resources
        from api.common import checks, receivers  # noqa: F401
        from api.common.permissions import register_resource_permission
        from api.kanban import selectors as kanban
        from api.notifications.receivers import notify_access_changed
        from api.realtime import account_events, registry
        from api.realtime.events import domain_event
        from api.realtime.receivers import record_and_publish

        # The lower layers know no domain above them: the domains register with them.
        register_resources(MODEL_RESOURCES)
        register_resource_permission(HasResourcePermission)
        access_changed.connect(notify_access_changed, dispatch_uid="notify-access-changed")
        permissions_changed.connect(
            account_events.push_permission_update, dispatch_uid="accounts-permissions-live"
        )
        sessions_ended.connect(
            account_events.close_ended_sessions, dispatch_uid="accounts-sessions-ended"
        )
        # Every live event of every domain: recorded durably, broadcast after commit.
        domain_event.connect(record_and_publish, dispatch_uid="realtime-record-and-publish")
        # Who may follow a stream, and who receives a card's events: kanban's rules.
        registry.register_stream("board", kanban.may_follow_board)
        registry.register_stream("task", kanban.may_follow_task)
        registry.register_audience("task", kanban.task_audience_of)

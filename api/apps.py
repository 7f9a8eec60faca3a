from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The single Django app: one label (`api`), one migrations history, domain packages."""

    name = "api"
    label = "api"
    verbose_name = "PTB Overtime"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # System checks, signal receivers and the realtime registry are wired
        # explicitly here, never by import side effects scattered around the code
        # base; imported here because models cannot be imported before the app loads.
        from api.accounts import receivers as accounts_receivers
        from api.accounts.signals import permissions_changed, sessions_ended
        from api.common import checks, receivers  # noqa: F401
        from api.kanban import selectors as kanban
        from api.realtime import registry
        from api.realtime.receivers import record_and_publish
        from api.realtime.signals import domain_event

        permissions_changed.connect(
            accounts_receivers.push_permission_update, dispatch_uid="accounts-permissions-live"
        )
        sessions_ended.connect(
            accounts_receivers.close_ended_sessions, dispatch_uid="accounts-sessions-ended"
        )
        # Every live event of every domain: recorded durably, broadcast after commit.
        domain_event.connect(record_and_publish, dispatch_uid="realtime-record-and-publish")
        # Who may follow a stream, and who receives a card's events: kanban's rules.
        registry.register_stream("board", kanban.may_follow_board)
        registry.register_stream("task", kanban.may_follow_task)
        registry.register_audience("task", kanban.task_audience_of)

"""The Celery application. Workers: `make celery`; scheduler: `make beat`.

Broker and results use Redis databases 1 and 2 (settings.CELERY_*); without a broker
(the embedded default) tasks run eagerly in-process. Reliability settings (late
acknowledgement, requeue of a dead worker's task, visibility timeout, JSON, the
30-minute limit) live with the other settings in backend/settings.py.
"""

import os

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["api.reports", "api.realtime", "api.org", "api.kanban"])

# Times are in settings.TIME_ZONE (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    "hr-directory-sync": {
        "task": "org.sync_directory",
        "schedule": crontab(minute=15, hour="*/6"),
    },
    "task-reminders": {
        "task": "kanban.send_due_reminders",
        "schedule": 60.0,
    },
    "stale-presence": {
        "task": "kanban.close_stale_presence",
        "schedule": 300.0,
    },
    "realtime-retention": {
        "task": "realtime.purge_events",
        "schedule": crontab(minute=40),
    },
    "expired-local-reports": {
        "task": "reports.purge_local_files",
        "schedule": crontab(minute=10, hour=3),
    },
    "stale-report-jobs": {
        "task": "reports.requeue_stale",
        "schedule": 600.0,
    },
    "daily-report": {
        "task": "reports.schedule",
        "schedule": crontab(minute=30, hour=0),
        "kwargs": {"kind": "daily"},
    },
    "monthly-report": {
        "task": "reports.schedule",
        "schedule": crontab(minute=45, hour=0, day_of_month=1),
        "kwargs": {"kind": "monthly"},
    },
}


@signals.celeryd_after_setup.connect
def _log_to_celery_file(**kwargs) -> None:
    """Workers also write logs/celery.log (JSON, like app.log) when logging to files.

    Sent after logging is configured (django-guid hands it to Django's LOGGING) and
    before the pool forks, so the children inherit the handler."""
    import logging
    from logging.handlers import WatchedFileHandler

    from django.conf import settings

    if not settings.LOG_TO_FILE:
        return
    root = logging.getLogger()
    handler = WatchedFileHandler(settings.LOG_DIR / "celery.log")
    for existing in root.handlers:
        if isinstance(existing, WatchedFileHandler):  # reuse app.log's JSON format and filters
            handler.setFormatter(existing.formatter)
            for log_filter in existing.filters:
                handler.addFilter(log_filter)
    root.addHandler(handler)

"""The Celery application. Workers: `make celery`; scheduler: `make beat`.

Broker and results use Redis databases 1 and 2 (settings.CELERY_*). Without Redis (the
embedded default) tasks run eagerly in-process, and the broker is a local folder
(kombu's filesystem transport) on which `make dev` runs a worker with embedded beat, so
the periodic jobs run without any server. Reliability settings (late
acknowledgement, requeue of a dead worker's task, visibility timeout, JSON, the
30-minute limit) live with the other settings in backend/settings/background.py.

Workers and beat log their life cycle at CELERY_LOG_LEVEL (INFO unless set, whatever
LOG_LEVEL says): ready, each task received and finished with its id, duration and the
request id it was queued under, each job beat sends.
"""

import logging
import os
import time
from contextlib import contextmanager
from logging.handlers import WatchedFileHandler
from pathlib import Path

from celery import Celery, signals
from celery.schedules import crontab
from django.conf import settings
from django_guid.context import guid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The packages whose tasks.py define Celery tasks (tests/test_beat_schedule.py reads
# this list too, so a schedule entry can only name a task that is found here).
TASK_PACKAGES = ("api.reports", "api.realtime", "api.org", "api.kanban", "api.calendar")
app.autodiscover_tasks(list(TASK_PACKAGES))


def _beat_schedule_file() -> str:
    """Where beat keeps when each job last ran (so a restart neither repeats nor skips
    one). Celery's default, ./celerybeat-schedule, is the checkout in development and
    the read-only /app in the image; a user's state directory is neither."""
    if configured := os.environ.get("CELERY_BEAT_SCHEDULE_FILE"):
        return configured
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return str(Path(state) / "ptb-overtime" / "celerybeat-schedule")


app.conf.beat_schedule_filename = _beat_schedule_file()

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
    # Often enough that REALTIME_EVENTS_MAX_ROWS holds on a busy day, not just by age.
    "realtime-retention": {
        "task": "realtime.purge_events",
        "schedule": 600.0,
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
    # Next year's public holidays, a month ahead (the package knows them by then).
    "public-holidays": {
        "task": "calendar.import_holidays",
        "schedule": crontab(minute=20, hour=2, day_of_month=1, month_of_year=12),
    },
}


@signals.celeryd_after_setup.connect
def _log_to_celery_file(**kwargs) -> None:
    """Workers also write logs/celery.log (JSON, like app.log) when logging to files.

    Sent after logging is configured (django-guid hands it to Django's LOGGING) and
    before the pool forks, so the children inherit the handler."""
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


@signals.beat_init.connect
def _create_beat_state_directory(sender, **kwargs) -> None:
    # Sent before the scheduler opens its file, which needs an existing directory.
    Path(sender.schedule_filename).parent.mkdir(parents=True, exist_ok=True)
    _create_local_broker_folders()


@signals.worker_init.connect
def _create_worker_folders(**kwargs) -> None:
    # A worker's embedded beat (`worker --beat`, as `make dev` runs it) opens its
    # schedule before beat_init is sent: the worker makes the directory first.
    Path(app.conf.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)
    _create_local_broker_folders()


def _create_local_broker_folders() -> None:
    """The filesystem transport reads and writes folders it expects to exist. Made when
    a worker or beat starts, not on import: a web process (eager) never needs them and
    may run where the project folder is read-only."""
    if not app.conf.broker_url.startswith("filesystem://"):
        return
    options = app.conf.broker_transport_options
    for name in ("data_folder_in", "data_folder_out", "control_folder"):
        Path(options[name]).mkdir(parents=True, exist_ok=True)


# ------------------------------------------------------------------ task life cycle

lifecycle_log = logging.getLogger("backend.celery")
_started: dict[str, float] = {}


@contextmanager
def _logged_under(request_id: str | None):
    """Log records written inside carry `request_id` as their correlation id (the
    request that queued the task), as django-guid does while the task body runs."""
    token = guid.set(request_id) if request_id else None
    try:
        yield
    finally:
        if token is not None:
            guid.reset(token)


def _request_id_header() -> str:
    # django_guid.config reads Django's settings when imported; this module is imported
    # by backend/__init__.py, before backend.settings (a submodule of backend) exists.
    from django_guid.config import settings as guid_settings

    return guid_settings.guid_header_name


@signals.task_received.connect
def _log_received(request, **kwargs) -> None:
    # Celery's own "received" line is written before the request id is known; this one
    # replaces it (LOGGING quiets celery.worker.strategy's INFO).
    with _logged_under(request.request_dict.get(_request_id_header())):
        lifecycle_log.info(
            "task received %s[%s]",
            request.name,
            request.id,
            extra={"task": request.name, "task_id": request.id, "eta": request.eta},
        )


@signals.task_prerun.connect
def _note_start(task_id, **kwargs) -> None:
    _started[task_id] = time.monotonic()


@signals.task_postrun.connect
def _log_finished(task_id, task, state=None, retval=None, **kwargs) -> None:
    # django_guid reads Django's settings when imported (see _request_id_header).
    from django_guid import get_guid

    started = _started.pop(task_id, None)
    duration_ms = round((time.monotonic() - started) * 1000, 1) if started else None
    level = {"SUCCESS": logging.INFO, "RETRY": logging.WARNING}.get(state, logging.ERROR)
    outcome = {"SUCCESS": "succeeded", "RETRY": "will retry"}.get(state, "failed")
    # A failure's retval is the exception (None when an eager task raised through).
    detail = f": {retval!r}" if level != logging.INFO and retval is not None else ""
    # Tasks from beat carry no request id: django-guid made one up for the run.
    request_id = task.request.get(_request_id_header()) or get_guid()
    with _logged_under(request_id):
        lifecycle_log.log(
            level,
            "task %s %s[%s] in %s ms%s",
            outcome,
            task.name,
            task_id,
            duration_ms,
            detail,
            extra={
                "task": task.name,
                "task_id": task_id,
                "state": state,
                "duration_ms": duration_ms,
            },
        )

"""Background work: Celery (broker fallback, reliability, limits), report jobs and
their delivery to the SMB share."""

from __future__ import annotations

from backend.settings.base import MEDIA_ROOT, TIME_ZONE, env, env_path
from backend.settings.database import CELERY_BROKER_URL, CELERY_RESULT_BACKEND

# --------------------------------------------------------------------------- Celery

# Without a broker (embedded default) tasks run in-process, synchronously.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
# The embedded default's broker is a folder (kombu's filesystem transport, no server):
# `make dev` runs a worker with embedded beat on it, so the periodic jobs run there too.
# Never Celery's own default (amqp://localhost). Results stay in the process's memory.
# Under MEDIA_ROOT (ignored by git, never served from disk), so MEDIA_ROOT moves it.
CELERY_LOCAL_BROKER_DIR = MEDIA_ROOT / "celery-broker"
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = CELERY_RESULT_BACKEND or "cache+memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# A task is acknowledged when it finishes, and a worker that dies mid-task hands its
# message back: a report is never lost with a killed worker (tasks are idempotent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Unacknowledged messages return to the queue after this long; longer than the longest
# task, or a slow report would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * CELERY_TASK_TIME_LIMIT),
}
if CELERY_BROKER_URL == "filesystem://":
    # One folder both ways: whoever sends (beat) and whoever reads (the worker) share it.
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(CELERY_LOCAL_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_LOCAL_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_LOCAL_BROKER_DIR / "control"),
    }
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Retries of a failed upload: base * 2^n seconds, with full jitter, at most this often.
REPORT_UPLOAD_RETRY_BASE_SECONDS = env.float("REPORT_UPLOAD_RETRY_BASE_SECONDS", default=30)
REPORT_UPLOAD_MAX_RETRIES = env.int("REPORT_UPLOAD_MAX_RETRIES", default=6)
# Once the share answers again, the periodic requeue retries a failed upload at most this
# many times a day (a share that answers but refuses the file is not hammered).
REPORT_REQUEUE_MAX_PER_DAY = env.int("REPORT_REQUEUE_MAX_PER_DAY", default=6)

# --------------------------------------------------------------------------- reports, SMB

REPORTS_DIR = env_path("REPORTS_DIR", MEDIA_ROOT / "reports")
EXCEL_TEMP_ONLY = env.bool("EXCEL_TEMP_ONLY", default=False)
# Local report files (kept for download and for retries) go after this many days.
REPORTS_KEEP_DAYS = env.int("REPORTS_KEEP_DAYS", default=14)
SMB_ENABLED = env.bool("SMB_ENABLED", default=False)
SMB_SERVER = env.str("SMB_SERVER", default="")
SMB_SHARE_NAME = env.str("SMB_SHARE_NAME", default="")
SMB_USERNAME = env.str("SMB_USERNAME", default="")
SMB_PASSWORD = env.str("SMB_PASSWORD", default="")
SMB_DOMAIN = env.str("SMB_DOMAIN", default="WORKGROUP")
SMB_PORT = env.int("SMB_PORT", default=445)
SMB_TIMEOUT = env.int("SMB_TIMEOUT", default=30)
SMB_POOL_MIN_SIZE = env.int("SMB_POOL_MIN_SIZE", default=2)
SMB_POOL_MAX_SIZE = env.int("SMB_POOL_MAX_SIZE", default=5)
SMB_PATH_PREFIX = env.str("SMB_PATH_PREFIX", default="")
SMB_CLIENT = env.str("SMB_CLIENT", default="pysmb")
SMB_REQUIRE_ENCRYPTION = env.bool("SMB_REQUIRE_ENCRYPTION", default=False)
# Our temporary upload files (.<name>.<time>-<random>.part) older than this are removed
# from a folder by the next upload there: longer than the longest upload.
SMB_STALE_PART_SECONDS = env.int("SMB_STALE_PART_SECONDS", default=3600)

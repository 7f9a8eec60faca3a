"""Logging (console, JSON, files) and request ids (django-guid)."""

from __future__ import annotations

from django_guid.integrations import CeleryIntegration as _CeleryGuidIntegration

from backend.settings.base import BASE_DIR, DEBUG, env, env_path

# --------------------------------------------------------------------------- logging

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO" if DEBUG else "WARNING")
LOG_DIR = env_path("LOG_DIR", BASE_DIR / "logs")
LOG_TO_FILE = env.bool("LOG_TO_FILE", default=True)
LOG_JSON_CONSOLE = env.bool("LOG_JSON_CONSOLE", default=not DEBUG)
SLOW_REQUEST_MS = env.int("SLOW_REQUEST_MS", default=1000)
# Workers' and beat's life cycle (backend/celery.py), on its own: production's WARNING
# LOG_LEVEL would hide every task a worker runs.
CELERY_LOG_LEVEL = env.str("CELERY_LOG_LEVEL", default="INFO")
if LOG_TO_FILE:
    LOG_DIR.mkdir(parents=True, exist_ok=True)

_log_filters = ["correlation_id", "request_user", "redact_secrets"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "correlation_id": {"()": "django_guid.log_filters.CorrelationId"},
        "request_user": {"()": "api.common.logging.RequestUserFilter"},
        "redact_secrets": {"()": "api.common.logging.RedactSecretsFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(correlation_id)s %(user)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "console": {
            "format": "%(asctime)s %(levelname)-7s [%(correlation_id)s] %(name)s: %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_JSON_CONSOLE else "console",
            "filters": _log_filters,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"level": LOG_LEVEL, "propagate": True},
        # Request-level errors are logged by our exception handler with context.
        "django.request": {"level": "ERROR", "propagate": True},
        "api": {"level": env.str("APP_LOG_LEVEL", default=LOG_LEVEL), "propagate": True},
        "django_guid": {"level": "WARNING", "propagate": True},
        # One INFO line per outgoing request is noise; failures are logged by our client.
        "httpx": {"level": "WARNING", "propagate": True},
        "httpcore": {"level": "WARNING", "propagate": True},
        # Ready, connected, beat sending each job; task received/finished lines come
        # from backend.celery with the request id, so Celery's own are quieted.
        "celery": {"level": CELERY_LOG_LEVEL, "propagate": True},
        "celery.worker.strategy": {"level": "WARNING", "propagate": True},
        "celery.app.trace": {"level": "WARNING", "propagate": True},
        "backend.celery": {"level": CELERY_LOG_LEVEL, "propagate": True},
    },
}
if LOG_TO_FILE:
    # WatchedFileHandler reopens the file after logrotate moves it; safe with several
    # processes appending to the same file, unlike RotatingFileHandler.
    LOGGING["handlers"]["app_file"] = {
        "class": "logging.handlers.WatchedFileHandler",
        "filename": str(LOG_DIR / "app.log"),
        "formatter": "json",
        "filters": _log_filters,
    }
    LOGGING["root"]["handlers"].append("app_file")

# A client's X-Request-ID is kept only when it matches REQUEST_ID_PATTERN (checked by
# api.common.request_id before django-guid reads it); otherwise a new id is generated.
# Either way the id used is echoed in the response's X-Request-ID.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": False,
    "RETURN_HEADER": True,
    # django-guid would replace the whole Access-Control-Expose-Headers with its own
    # header; CORS_EXPOSE_HEADERS lists X-Request-ID with the others instead.
    "EXPOSE_HEADER": False,
    # A task queued by a request logs with that request's id (and its own).
    "INTEGRATIONS": [_CeleryGuidIntegration(use_django_logging=True, log_parent=True)],
    "UUID_LENGTH": 32,
}

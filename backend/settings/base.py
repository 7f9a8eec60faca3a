"""The environment and the application itself: paths, `.env` files, DEBUG, the keys,
hosts, apps, middleware, templates, language, time zone and files."""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from backend import local_secrets

# backend/settings/base.py -> the repository (or /app in the image).
BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()


def env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


# `.env.<DJANGO_ENV>` (e.g. .env.staging) wins over a plain `.env`; variables already
# set in the process environment always win over both.
DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
for _candidate in (BASE_DIR / f".env.{DJANGO_ENV}", BASE_DIR / ".env"):
    if _candidate.is_file():
        env.read_env(str(_candidate))
        break

DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")

# Production must set SECRET_KEY. With DEBUG on and none set (the embedded default),
# SECRET_KEY and JWT_SIGNING_KEY are generated on first run into an ignored local file
# and reused (backend/local_secrets.py). A key published in the repository is refused.
SECRET_KEY = env.str("SECRET_KEY", default="")
JWT_SIGNING_KEY = env.str("JWT_SIGNING_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    _local_keys = local_secrets.embedded_keys(
        env_path("LOCAL_SECRETS_FILE", BASE_DIR / local_secrets.FILE_NAME)
    )
    SECRET_KEY = _local_keys["SECRET_KEY"]
    JWT_SIGNING_KEY = JWT_SIGNING_KEY or _local_keys["JWT_SIGNING_KEY"]
JWT_SIGNING_KEY = JWT_SIGNING_KEY or SECRET_KEY
local_secrets.refuse_published("SECRET_KEY", SECRET_KEY)
local_secrets.refuse_published("JWT_SIGNING_KEY", JWT_SIGNING_KEY)

ALLOWED_HOSTS = env.str("DJANGO_ALLOWED_HOSTS", default="localhost 127.0.0.1 [::1]").split()
APP_HOST = env.str("APP_HOST", default="0.0.0.0")  # noqa: S104 - bind address of the container
APP_PORT = env.int("APP_PORT", default=8008)
APP_VERSION = env.str("APP_VERSION", default="0.1.0")
GIT_COMMIT = env.str("GIT_COMMIT", default="")  # baked in by the image build; "" = unknown

INSTALLED_APPS = [
    "daphne",  # must precede staticfiles so `runserver` is the ASGI one
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "corsheaders",
    "drf_yasg",
    "django_guid",
    "channels",
    "api.apps.ApiConfig",
]

MIDDLEWARE = [
    # First: every answer on an API path leaves in the JSON error shape, whichever
    # layer below produced it (api/common/json_errors.py).
    "api.common.json_errors.JSONErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "api.common.request_id.RequestIdMiddleware",
    "django_guid.middleware.guid_middleware",
    "api.common.middleware.RequestContextMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Before anything reads the body; after CORS, so browsers can read a 413.
    "api.common.body_limit.RequestBodyLimitMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"
# Daphne runs full garbage collections at quiet moments instead of mid-fan-out
# (api/common/gc_policy.py). The test suite turns it off in its own process.
ASGI_GC_TUNING = env.bool("ASGI_GC_TUNING", default=True)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # templates/: overrides of third-party pages (the API docs), found first.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --------------------------------------------------------------------------- i18n, files

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-us")
# The company's time zone: it decides the local date of overtime (day categories, limits).
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Jakarta")
# Where `manage.py import_holidays` (and its yearly job) takes public holidays from:
# a country code and optional subdivision of the `holidays` package.
HOLIDAYS_COUNTRY = env.str("HOLIDAYS_COUNTRY", default="ID")
HOLIDAYS_SUBDIVISION = env.str("HOLIDAYS_SUBDIVISION", default="")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development Daphne serves static files straight from the apps (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", BASE_DIR / "media")
# The one limit on request bodies (JSON, forms, multipart; with or without a
# Content-Length): larger ones are answered 413 (api/common/body_limit.py). The shipped
# nginx template has the same value as client_max_body_size (12m = 12 MiB).
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=12 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
# Not a limit: uploads larger than this are spooled to a temporary file, not memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = min(2 * 1024 * 1024, REQUEST_BODY_MAX_BYTES)
# Largest single file accepted; below the body limit to leave room for the multipart
# envelope and the other fields.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)

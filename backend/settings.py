"""PTB Overtime settings: one file, every difference comes from the environment.

With no environment at all this runs the *embedded default*: SQLite, an in-memory
channel layer, a local-memory cache, Celery tasks executed eagerly and reports
written to a local folder. Setting ``DATABASE_URL``/``REDIS_URL`` (or the
``SQL_*``, ``CELERY_*``, ``REDIS_*`` variables) switches to PostgreSQL and Redis.
Every variable is listed, with a comment, in ``.env.example``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ

from backend import local_secrets

BASE_DIR = Path(__file__).resolve().parent.parent

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
        from django.core.exceptions import ImproperlyConfigured

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

# --------------------------------------------------------------------------- database


def _database_config() -> dict:
    if env.str("DATABASE_URL", default=""):
        config = env.db_url("DATABASE_URL")
    elif env.str("SQL_ENGINE", default="") or env.str("SQL_DATABASE", default=""):
        config = {
            "ENGINE": env.str("SQL_ENGINE", default="django.db.backends.postgresql"),
            "NAME": env.str("SQL_DATABASE", default="ptb_overtime"),
            "USER": env.str("SQL_USER", default="postgres"),
            "PASSWORD": env.str("SQL_PASSWORD", default=""),
            "HOST": env.str("SQL_HOST", default="localhost"),
            "PORT": env.str("SQL_PORT", default="5432"),
        }
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_path("SQLITE_PATH", BASE_DIR / "db.sqlite3"),
            # WAL lets Daphne, Celery (eager) and the shell read while one writes.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
        return config
    if "postgresql" in config["ENGINE"]:
        # Daphne runs sync views in per-request threads, so thread-bound persistent
        # connections (CONN_MAX_AGE) would leak; psycopg's pool is the ASGI-safe way.
        if env.bool("DB_POOL", default=True):
            config.setdefault("OPTIONS", {})["pool"] = {
                "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
                "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
                "timeout": env.int("DB_POOL_TIMEOUT", default=10),
            }
            config["CONN_MAX_AGE"] = 0
        else:
            config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
            config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", 5)
        # psycopg prepares a statement after 5 runs and PostgreSQL may then switch to a
        # generic plan that ignores the actual LIMIT (sorting 100k rows for a 50-row page
        # measured 9 ms instead of 0.5 ms). Django queries are cheap to plan: never prepare.
        config["OPTIONS"]["prepare_threshold"] = None
    return config


DATABASES = {"default": _database_config()}
USING_POSTGRES = "postgresql" in DATABASES["default"]["ENGINE"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "api.User"

# --------------------------------------------------------------------------- redis


# Shifts the database numbers (1..4) so two instances, or the test suite and
# a development server, can share one Redis without seeing each other's keys.
REDIS_DB_OFFSET = env.int("REDIS_DB_OFFSET", default=0)


def _redis_db(url: str, db: int) -> str:
    """The same Redis server as ``url``, database ``db`` (the 1..4 split above)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db + REDIS_DB_OFFSET}", parts.query, ""))


REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=_redis_db(REDIS_URL, 1) if REDIS_URL else ""
)
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=_redis_db(REDIS_URL, 2) if REDIS_URL else ""
)
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=_redis_db(REDIS_URL, 3) if REDIS_URL else "")
USE_REDIS_CHANNELS = env.bool("USE_REDIS_CHANNELS", default=bool(REDIS_URL))
REDIS_CHANNELS_URL = env.str(
    "REDIS_CHANNELS_URL",
    default=_redis_db(REDIS_URL or "redis://127.0.0.1:6379", 4),
)
# Short socket timeouts so a dead Redis makes readiness fail fast instead of hanging.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=2.0)

# Namespace of this instance's keys in a shared Redis (cache, presence, fan-out).
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="ptb")

if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "CONNECTION_POOL_KWARGS": {"max_connections": 50, "retry_on_timeout": False},
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if USE_REDIS_CHANNELS:
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "api.realtime.layers.ResilientRedisChannelLayer",
            "CONFIG": {
                # channels-redis blocks up to 5 s per read (BZPOPMIN); redis-py 8's
                # default 5 s socket timeout would cut those reads off and crash the
                # consumer. Longer timeout, keepalive and health checks instead.
                "hosts": [
                    {
                        "address": REDIS_CHANNELS_URL,
                        "socket_timeout": 15,
                        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                        "socket_keepalive": True,
                        "health_check_interval": 30,
                        # After a Redis restart the first command on each pooled
                        # connection fails; retry it on a new connection instead of
                        # failing the socket (control messages are idempotent).
                        "retry": Retry(NoBackoff(), 1),
                        "retry_on_error": [RedisConnectionError, RedisTimeoutError, OSError],
                    }
                ],
                "capacity": env.int("CHANNELS_CAPACITY", default=1000),
                "expiry": 60,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --------------------------------------------------------------------------- auth

AUTHENTICATION_BACKENDS = ["api.accounts.backends.RolePermissionBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "CHECK_USER_IS_ACTIVE": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "ISSUER": env.str("JWT_ISSUER", default="ptb-overtime"),
    "AUDIENCE": env.str("JWT_AUDIENCE", default="ptb-overtime-api"),
    "LEEWAY": 5,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "user_id",
    # Tokens carry a hash of the password: changing it ends every session.
    "CHECK_REVOKE_TOKEN": True,
}

# The company's SSO/HR service. Paths are configurable because the contract is ours
# (docs/external-api.md); the bundled reference server implements the defaults.
EXTERNAL_API_URL = env.str("EXTERNAL_API_URL", default="http://127.0.0.1:9001")
EXTERNAL_API_TIMEOUT = env.float("EXTERNAL_API_TIMEOUT", default=30.0)
# The reference server's key by default; `check --deploy` refuses it (api.E004).
EXTERNAL_API_KEY = env.str("EXTERNAL_API_KEY", default="dev-hr-api-key")
EXTERNAL_API_LOGIN_PATH = env.str("EXTERNAL_API_LOGIN_PATH", default="/auth/login")
EXTERNAL_API_VERIFY_PATH = env.str("EXTERNAL_API_VERIFY_PATH", default="/auth/verify")
EXTERNAL_API_REVOKE_PATH = env.str("EXTERNAL_API_REVOKE_PATH", default="/auth/revoke")
EXTERNAL_API_EMPLOYEES_PATH = env.str("EXTERNAL_API_EMPLOYEES_PATH", default="/hr/employees")
EXTERNAL_API_DEPARTMENTS_PATH = env.str("EXTERNAL_API_DEPARTMENTS_PATH", default="/hr/departments")
# One person, by the service's id: what a refresh of an SSO session asks about.
EXTERNAL_API_EMPLOYEE_PATH = env.str(
    "EXTERNAL_API_EMPLOYEE_PATH", default="/hr/employees/{external_id}"
)
EXTERNAL_JWT_ALGORITHM = env.str("EXTERNAL_JWT_ALGORITHM", default="HS256")
EXTERNAL_JWT_ISSUER = env.str("EXTERNAL_JWT_ISSUER", default="ptb-external-sso")
EXTERNAL_JWT_AUDIENCE = env.str("EXTERNAL_JWT_AUDIENCE", default="ptb-overtime")
# Optional: the service's signing key, to check signatures locally before asking it.
EXTERNAL_JWT_VERIFY_KEY = env.str("EXTERNAL_JWT_VERIFY_KEY", default="")
# Upper bound on how long a positive validation is trusted from cache; never longer
# than the token's own remaining lifetime.
EXTERNAL_TOKEN_CACHE_SECONDS = env.int("EXTERNAL_TOKEN_CACHE_SECONDS", default=300)
# How long an SSO user stays vouched for: a refresh asks the service again after this.
# Someone it no longer knows, or reports inactive, is refused and signed out everywhere.
EXTERNAL_REVALIDATE_SECONDS = env.int("EXTERNAL_REVALIDATE_SECONDS", default=300)

# First superadmin, created by `initialize_data` when these are set.
DJANGO_SUPERADMIN_USERNAME = env.str("DJANGO_SUPERADMIN_USERNAME", default="")
DJANGO_SUPERADMIN_EMAIL = env.str("DJANGO_SUPERADMIN_EMAIL", default="")
DJANGO_SUPERADMIN_PASSWORD = env.str("DJANGO_SUPERADMIN_PASSWORD", default="")

# --------------------------------------------------------------------------- DRF

THROTTLING_ENABLED = env.bool("THROTTLING_ENABLED", default=False)
# Password guessing is bounded whatever THROTTLING_ENABLED says
# (api/accounts/auth/login_guard.py): failed sign-ins per account and per client
# address in a window that starts at the first failure.
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=50)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=15 * 60)
EXPORT_THROTTLE_RATE = env.str("EXPORT_THROTTLE_RATE", default="10/min")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.accounts.auth.authentication.LocalJWTAuthentication",
        "api.accounts.auth.authentication.ExternalJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "api.common.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.common.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "api.common.filters.FilterBackend",
        "api.common.limits.BoundedSearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "api.common.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.common.throttling.SwitchableAnonThrottle",
        "api.common.throttling.SwitchableUserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("ANON_THROTTLE_RATE", default="60/min"),
        "user": env.str("USER_THROTTLE_RATE", default="1000/min"),
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/min"),
        "export": EXPORT_THROTTLE_RATE,
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SWAGGER_SETTINGS = {
    "SECURITY_DEFINITIONS": {
        "Bearer": {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "description": "`Bearer <access token>` from /api/auth/login/local/ or the SSO.",
        }
    },
    "USE_SESSION_AUTH": False,
    # None, not "": Swagger UI would otherwise send the schema's address to an online
    # validator on another host. The docs ask no host but this one.
    "VALIDATOR_URL": None,
    "DEFAULT_INFO": "backend.urls.api_info",
    "DEEP_LINKING": True,
    "DEFAULT_AUTO_SCHEMA_CLASS": "api.common.schema.ErrorDocumentingAutoSchema",
    "DEFAULT_FIELD_INSPECTORS": [
        "api.common.schema.ReadOnlyTextInspector",
        "drf_yasg.inspectors.CamelCaseJSONFilter",
        "drf_yasg.inspectors.ReferencingSerializerInspector",
        "drf_yasg.inspectors.RelatedFieldInspector",
        "drf_yasg.inspectors.ChoiceFieldInspector",
        "drf_yasg.inspectors.FileFieldInspector",
        "drf_yasg.inspectors.DictFieldInspector",
        "drf_yasg.inspectors.JSONFieldInspector",
        "drf_yasg.inspectors.HiddenFieldInspector",
        "drf_yasg.inspectors.RecursiveFieldInspector",
        "drf_yasg.inspectors.SerializerMethodFieldInspector",
        "drf_yasg.inspectors.SimpleFieldInspector",
        "drf_yasg.inspectors.StringDefaultFieldInspector",
    ],
}
SWAGGER_USE_COMPAT_RENDERERS = False

# --------------------------------------------------------------------------- CORS, CSP, security

# The front-end's origins, the one list for it: the API's CORS and the pages that may
# open sockets (backend/asgi.py). ALLOWED_HOSTS names only this server's own hosts.
CORS_ALLOWED_ORIGINS = [
    origin.strip()
    for origin in env.str("CORS_ALLOWED_ORIGINS", default="http://localhost:3333").split(",")
    if origin.strip()
]
CORS_ALLOW_CREDENTIALS = True
# A browser client reads these from answers (ETag/304 lists, 202 + Location jobs,
# 429's Retry-After, the request id to quote in a bug report) and sends these two.
CORS_EXPOSE_HEADERS = ["ETag", "Location", "Retry-After", "X-Request-ID"]
from corsheaders.defaults import default_headers as _cors_default_headers  # noqa: E402

CORS_ALLOW_HEADERS = [*_cors_default_headers, "if-none-match", "x-request-id"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=CORS_ALLOWED_ORIGINS)

from django.utils.csp import CSP  # noqa: E402 - needs nothing from settings

# Swagger UI and ReDoc are served from bundled files; they inject styles and ReDoc
# runs a blob: worker, hence the two relaxations.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "worker-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# nginx terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes inside the container speak plain HTTP to Daphne.
SECURE_REDIRECT_EXEMPT = [r"^api/health/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# The preload directive only matters once the domain is submitted to the browsers list.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True

# Secrets at rest (SMB passwords): Fernet keys, newest first, comma separated, so keys
# can be rotated. Without one, a key is derived from SECRET_KEY (fine for development;
# `check --deploy` fails on it, api.E003).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS:
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
    ]
    FIELD_ENCRYPTION_KEY_DERIVED = True
else:
    FIELD_ENCRYPTION_KEY_DERIVED = False

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

from django_guid.integrations import CeleryIntegration as _CeleryGuidIntegration  # noqa: E402

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

# List counts at or above this many rows are cached (see api/common/pagination.py).
COUNT_CACHE_MIN_ROWS = env.int("COUNT_CACHE_MIN_ROWS", default=1000)
COUNT_CACHE_SECONDS = env.int("COUNT_CACHE_SECONDS", default=60)
# Rendered list pages (the overtime list) are served again for the same user and
# query until a row they show changes, or this many seconds (api/common/list_cache.py).
# 0 turns it off.
LIST_CACHE_SECONDS = env.int("LIST_CACHE_SECONDS", default=60)

# --------------------------------------------------------------------------- realtime

REALTIME_EVENT_RETENTION_HOURS = env.int("REALTIME_EVENT_RETENTION_HOURS", default=24)
# How often each process compares the event log with what it delivered (seconds).
REALTIME_RECONCILE_SECONDS = env.float("REALTIME_RECONCILE_SECONDS", default=15)
# A socket must authenticate within this many seconds of connecting.
REALTIME_AUTH_TIMEOUT_SECONDS = env.float("REALTIME_AUTH_TIMEOUT_SECONDS", default=5)
# Presence: clients heartbeat every ~20 s; an entry lasts this long without one.
REALTIME_PRESENCE_TTL_SECONDS = env.int("REALTIME_PRESENCE_TTL_SECONDS", default=60)
# "Someone is typing" lasts this long unless repeated.
REALTIME_TYPING_TTL_SECONDS = env.int("REALTIME_TYPING_TTL_SECONDS", default=6)
# One-time WebSocket tickets (POST /api/v1/realtime/tickets/) expire after this.
REALTIME_TICKET_SECONDS = env.int("REALTIME_TICKET_SECONDS", default=30)
# On SIGTERM the web process (backend/serve.py) finishes requests for at most this long.
SHUTDOWN_GRACE_SECONDS = env.float("SHUTDOWN_GRACE_SECONDS", default=20)

# ISO 4217 code used when a purchase request does not name one.
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="IDR")

# How many reverse proxies (nginx) stand in front of Daphne; their X-Forwarded-For is
# trusted for client addresses in sessions and audit logs. 0 = use the peer address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Role given to people the first time they sign in through the SSO.
EXTERNAL_DEFAULT_ROLE = env.str("EXTERNAL_DEFAULT_ROLE", default="staff")

# The board's deferred unique (column, position) constraints exist on PostgreSQL only;
# on the embedded SQLite the board service's locking alone keeps positions dense.
SILENCED_SYSTEM_CHECKS = [] if USING_POSTGRES else ["models.W038"]

"""Where data lives: the database, Redis (cache, broker, channel layer), the cache."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from backend.settings.base import BASE_DIR, env, env_path

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
            # django-redis, with one client per process (why: api/common/redis_cache.py).
            "BACKEND": "api.common.redis_cache.SharedClientRedisCache",
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

# The board's deferred unique (column, position) constraints exist on PostgreSQL only;
# on the embedded SQLite the board service's locking alone keeps positions dense.
SILENCED_SYSTEM_CHECKS = [] if USING_POSTGRES else ["models.W038"]

"""Fixtures shared by every test package (api/*/tests and tests/).

The suite talks to real services: PostgreSQL and Redis (`make test` points at
127.0.0.1), the bundled reference SSO/HR server, private redis-server processes.
Under CI=true a missing service fails the run; elsewhere it skips with the reason.

TEST_EMBEDDED=1 (`make test-sqlite`) is the other mode: the embedded default (SQLite,
local-memory cache, in-memory channel layer, eager Celery) and no Redis at all. The
session then insists on that configuration instead of on the services, and tests that
need Redis or processes of their own carry the `redis` or `integration` marker so the
run leaves them out with `-m "not redis and not integration"`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
EMBEDDED = os.environ.get("TEST_EMBEDDED", "").lower() in {"1", "true", "yes"}
REPO_ROOT = Path(__file__).resolve().parent


def require_service(what: str, problem: str | None) -> None:
    """Fail under CI, skip elsewhere, when `problem` says a service is missing."""
    if problem is None:
        return
    message = f"{what} unavailable: {problem}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _redis_problem() -> str | None:
    from django.conf import settings

    if not settings.REDIS_URL:
        return "REDIS_URL is not set (run the suite with `make test`)"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:
        return f"{settings.REDIS_URL}: {exc}"
    return None


def _embedded_problems() -> list[str]:
    from django.conf import settings

    problems = []
    if "sqlite3" not in settings.DATABASES["default"]["ENGINE"]:
        problems.append("the database is not SQLite (unset DATABASE_URL and SQL_*)")
    if settings.REDIS_URL or settings.REDIS_CACHE_URL or settings.USE_REDIS_CHANNELS:
        problems.append(
            "Redis is configured (unset REDIS_URL, REDIS_CACHE_URL, USE_REDIS_CHANNELS)"
        )
    return problems


def pytest_sessionstart(session: pytest.Session) -> None:
    if EMBEDDED:
        if problems := _embedded_problems():
            pytest.exit(
                "TEST_EMBEDDED runs on the embedded default: " + "; ".join(problems),
                returncode=3,
            )
        return
    if not IN_CI:
        return
    from django.conf import settings

    problems = []
    if not settings.USING_POSTGRES:
        problems.append("DATABASE_URL does not point at PostgreSQL")
    if (redis_problem := _redis_problem()) is not None:
        problems.append(redis_problem)
    if problems:
        pytest.exit("CI needs the real services: " + "; ".join(problems), returncode=3)


# Fixtures that reach a Redis server, and fixtures that start processes of their own.
_REDIS_FIXTURES = frozenset({"redis_available", "redis_process_factory"})
_PROCESS_FIXTURES = frozenset({"daphne_factory", "celery_worker_factory"})


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & _REDIS_FIXTURES:
            item.add_marker(pytest.mark.redis)
        if fixtures & _PROCESS_FIXTURES:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session", autouse=True)
def _close_connection_pools(django_db_setup, django_db_blocker):
    """Pooled connections of worker threads (Channels' database_sync_to_async) would
    keep the test database busy and stop pytest-django from dropping it."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if getattr(connection, "pool", None) is not None:
                connection.close_pool()


@pytest.fixture(scope="session", autouse=True)
def _default_garbage_collection() -> None:
    """The suite's process hosts many short event loops: no server GC policy in it
    (api/common/gc_policy.py; Daphne processes started by tests do use it)."""
    from django.conf import settings

    settings.ASGI_GC_TUNING = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2's deliberate slowness is for attackers, not for a test suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache() -> None:
    """Every test starts with an empty cache (closed sessions, token verdicts, throttles)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def redis_available() -> None:
    require_service("Redis", _redis_problem())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


# ----------------------------------------------------------------- reference SSO/HR server


@dataclass
class ExternalAPI:
    url: str
    server: object

    def stats(self) -> dict[str, int]:
        return httpx.get(f"{self.url}/_stats", timeout=5).json()["requests"]

    def count(self, key: str) -> int:
        return self.stats().get(key, 0)

    def reset_stats(self) -> None:
        httpx.post(f"{self.url}/_stats/reset", timeout=5).raise_for_status()

    def login(self, username: str, password: str = "demo-password") -> dict:
        response = httpx.post(
            f"{self.url}/auth/login", json={"username": username, "password": password}, timeout=5
        )
        response.raise_for_status()
        return response.json()

    def replace_directory(self, directory: dict) -> None:
        httpx.put(f"{self.url}/_directory", json=directory, timeout=5).raise_for_status()


@pytest.fixture
def external_api_factory(settings):
    """Starts reference servers (scripts/external_api_server.py) on free ports."""
    from generate_data.directory import build_directory
    from scripts.external_api_server import make_server

    started = []

    def start(*, token_ttl: int = 3600, employees: int = 12, directory=None) -> ExternalAPI:
        server = make_server(
            "127.0.0.1",
            0,
            directory=directory or build_directory(seed=42, employees=employees),
            token_ttl=token_ttl,
            api_key=settings.EXTERNAL_API_KEY,
            issuer=settings.EXTERNAL_JWT_ISSUER,
            audience=settings.EXTERNAL_JWT_AUDIENCE,
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append(server)
        api = ExternalAPI(url=f"http://127.0.0.1:{server.server_address[1]}", server=server)
        settings.EXTERNAL_API_URL = api.url
        return api

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture
def external_api(external_api_factory) -> ExternalAPI:
    return external_api_factory()


# ----------------------------------------------------------------- private Redis processes


@dataclass
class RedisProcess:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_process_factory(tmp_path):
    """Throw-away redis-server processes a test may stop and start at will."""
    binary = shutil.which("redis-server")
    require_service("redis-server binary", None if binary else "not on PATH")
    processes: list[RedisProcess] = []

    def start(port: int | None = None) -> RedisProcess:
        port = port or free_port()
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(port)
        started = RedisProcess(port=port, process=process)
        processes.append(started)
        return started

    yield start
    for started in processes:
        started.stop()


# ----------------------------------------------------------------- API clients


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def client_for(db):
    """An APIClient signed in as `user` with a real local access token."""
    from rest_framework.test import APIClient

    from api.accounts.auth.tokens import issue_local_tokens
    from api.common.client import ClientInfo

    def make(user) -> APIClient:
        tokens = issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "pytest"))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        client.tokens = tokens
        return client

    return make


# ----------------------------------------------------------------- live Daphne processes


@pytest.fixture
def daphne_factory(transactional_db, tmp_path):
    """Starts Daphne processes serving this test's (committed) database."""
    from django.conf import settings

    from tests.live import start_daphne

    require_service(
        "PostgreSQL for live servers",
        None if settings.USING_POSTGRES else "DATABASE_URL is not PostgreSQL",
    )
    servers = []

    def start(*, behind_proxies: int = 0, **env_overrides: str):
        port = free_port()
        server = start_daphne(
            port, tmp_path / f"daphne-{port}.log", behind_proxies=behind_proxies, **env_overrides
        )
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def celery_worker_factory(transactional_db, tmp_path, settings):
    """Real Celery worker processes on the test database and the test Redis broker.

    While one runs, this process queues tasks to the broker instead of running them
    eagerly (the on-commit hooks of transactional tests fire for real)."""
    from backend.celery import app
    from tests.live import start_celery_worker

    require_service(
        "PostgreSQL for workers",
        None if settings.USING_POSTGRES else "DATABASE_URL is not PostgreSQL",
    )
    require_service(
        "a Redis broker",
        None if settings.CELERY_BROKER_URL.startswith("redis") else "no Redis broker configured",
    )
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Tasks left over from an earlier run must not be picked up by this test's worker.
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    workers = []

    def start(**env_overrides: str):
        worker = start_celery_worker(tmp_path / f"celery-{len(workers)}.log", **env_overrides)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    app.conf.task_always_eager = was_eager

"""Dependency checks behind the health endpoints.

Each check returns a `CheckResult`; none raises. They are small and time-boxed so a
probe never hangs on a dead dependency (Redis and database timeouts are configured
in settings).
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections

from api.integrations import smb
from api.system.smb_target import active_target


@dataclass(slots=True)
class CheckResult:
    name: str
    ok: bool
    latency_ms: float | None = None
    detail: str = ""
    info: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _timed(name: str, probe: Callable[[], dict[str, Any] | None]) -> CheckResult:
    started = time.perf_counter()
    try:
        info = probe() or {}
    except Exception as exc:
        return CheckResult(
            name=name,
            ok=False,
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
            detail=f"{type(exc).__name__}: {exc}"[:300],
        )
    return CheckResult(
        name=name,
        ok=True,
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
        info=info,
    )


def check_database() -> CheckResult:
    def probe() -> dict[str, Any]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        info: dict[str, Any] = {"vendor": connection.vendor}
        if connection.vendor == "postgresql":
            version = connection.pg_version
            info["version"] = f"{version // 10000}.{version % 10000}"
        elif connection.vendor == "sqlite":
            info["version"] = sqlite3.sqlite_version
        return info

    return _timed("database", probe)


def check_cache() -> CheckResult:
    def probe() -> dict[str, Any]:
        key = f"health:{uuid.uuid4().hex}"
        cache.set(key, "1", timeout=10)
        if cache.get(key) != "1":
            raise RuntimeError("value written to the cache could not be read back")
        cache.delete(key)
        info: dict[str, Any] = {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}
        client = getattr(cache, "client", None)
        if client is not None and hasattr(client, "get_client"):
            info["version"] = client.get_client().info("server").get("redis_version")
        return info

    return _timed("cache", probe)


def check_channel_layer() -> CheckResult:
    def probe() -> dict[str, Any]:
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            raise RuntimeError("no channel layer configured")

        async def round_trip() -> None:
            channel = await layer.new_channel()
            await layer.send(channel, {"type": "health.ping"})
            message = await layer.receive(channel)
            if message.get("type") != "health.ping":
                raise RuntimeError("channel layer returned a different message")

        async_to_sync(round_trip)()
        return {"backend": type(layer).__name__}

    return _timed("channel_layer", probe)


def check_celery() -> CheckResult:
    def probe() -> dict[str, Any]:
        from backend.celery import app

        if app.conf.task_always_eager:
            return {"mode": "eager", "workers": []}
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        replies = app.control.inspect(timeout=1.0).ping() or {}
        if not replies:
            raise RuntimeError("broker reachable but no worker answered")
        return {"mode": "broker", "workers": sorted(replies)}

    return _timed("celery", probe)


def check_smb() -> CheckResult:
    """The report share, when one is configured (an active SMB configuration or the
    SMB_* environment): reachable and listable now, on a connection of its own."""

    def probe() -> dict[str, Any]:
        target = active_target()
        if target is None:
            return {"configured": False}
        return {"configured": True, **smb.reachable(target)}

    return _timed("smb", probe)


# Once every migration is applied it stays so for this process's code: later probes
# skip the migration loader (it reads every migration module and the history table).
_schema_current = False


def unapplied_migrations() -> int:
    """How many of this code's migrations the default database has not applied."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def check_migrations() -> CheckResult:
    """The schema matches the code: a database behind it answers with errors (a login on
    an empty database is a 500), so such a server is not ready."""
    global _schema_current
    if _schema_current:
        return CheckResult(name="migrations", ok=True, latency_ms=0.0, info={"unapplied": 0})
    result = _timed("migrations", lambda: {"unapplied": unapplied_migrations()})
    unapplied = result.info.get("unapplied", 0)
    if unapplied:
        result.ok = False
        result.detail = f"unapplied migrations: {unapplied}"
    elif result.ok:
        _schema_current = True
    return result


# Checks that the detailed endpoint runs.
DETAILED_CHECKS: list[Callable[[], CheckResult]] = [
    check_database,
    check_cache,
    check_migrations,
    check_channel_layer,
    check_celery,
    check_smb,
]

READINESS_CHECKS: list[Callable[[], CheckResult]] = [check_database, check_cache, check_migrations]


def run_checks(checks: list[Callable[[], CheckResult]]) -> tuple[bool, list[CheckResult]]:
    results: list[CheckResult] = []
    for check in checks:
        if check is check_migrations and any(r.name == "database" and not r.ok for r in results):
            # An unreachable database would only make this probe wait for it once more.
            results.append(CheckResult(name="migrations", ok=False, detail="database unavailable"))
            continue
        results.append(check())
    return all(result.ok for result in results), results

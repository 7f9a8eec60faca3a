"""Health probes against real dependencies, including a Redis that dies mid-test."""

import pytest

from api.accounts.roles import Role
from conftest import free_port
from tests.factories import make_user
from tests.samba import samba_configuration, smb_configuration

pytestmark = pytest.mark.django_db


def _redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "api.common.redis_cache.SharedClientRedisCache",
            "LOCATION": f"{url}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }


def test_basic_and_live_answer_without_authentication(api_client):
    basic = api_client.get("/api/health/")
    live = api_client.get("/api/health/live/")

    assert basic.status_code == 200
    assert basic.json()["status"] == "ok"
    assert "version" in basic.json()
    assert "commit" in basic.json()
    assert live.status_code == 200
    assert live.json() == {"status": "alive"}


def test_ready_is_200_while_database_and_cache_answer(api_client):
    response = api_client.get("/api/health/ready/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ready"
    assert set(response.json()["checks"]) == {"database", "cache", "migrations"}


@pytest.fixture
def schema_not_yet_seen(monkeypatch):
    """This process has not yet seen every migration applied (as after a start)."""
    from api.system import health

    monkeypatch.setattr(health, "_schema_current", False)


def _forget_latest_api_migration() -> tuple[str, str]:
    """Removes the newest api migration from the history (the test's transaction puts
    it back) and returns (app, name)."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    latest = MigrationRecorder(connection).migration_qs.filter(app="api").order_by("-name")[0]
    latest.delete()
    return latest.app, latest.name


def test_ready_is_503_naming_how_many_migrations_are_unapplied(api_client, schema_not_yet_seen):
    _forget_latest_api_migration()

    response = api_client.get("/api/health/ready/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["detail"] == "unapplied migrations: 1"
    assert body["checks"]["migrations"] == {
        "ok": False,
        "latency_ms": body["checks"]["migrations"]["latency_ms"],
        "unapplied": 1,
    }
    assert body["checks"]["database"]["ok"] is True


def test_ready_reads_the_migration_history_only_until_it_is_current(
    api_client, schema_not_yet_seen
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert api_client.get("/api/health/ready/").status_code == 200
    with CaptureQueriesContext(connection) as later:
        assert api_client.get("/api/health/ready/").status_code == 200

    assert any("django_migrations" in q["sql"] for q in first.captured_queries)
    # Afterwards a probe costs the database one SELECT 1, whatever the history says.
    assert [q["sql"] for q in later.captured_queries] == ["SELECT 1"]


def test_ready_keeps_looking_while_migrations_are_missing(api_client, schema_not_yet_seen):
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    app, name = _forget_latest_api_migration()
    assert api_client.get("/api/health/ready/").status_code == 503

    MigrationRecorder(connection).record_applied(app, name)

    assert api_client.get("/api/health/ready/").status_code == 200


def test_ready_turns_503_when_redis_is_stopped(api_client, settings, redis_process_factory):
    redis = redis_process_factory()
    settings.CACHES = _redis_cache(redis.url)
    assert api_client.get("/api/health/ready/").status_code == 200

    redis.stop()
    response = api_client.get("/api/health/ready/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_ready_is_503_when_redis_was_never_reachable(api_client, settings):
    from conftest import free_port

    settings.CACHES = _redis_cache(f"redis://127.0.0.1:{free_port()}")

    assert api_client.get("/api/health/ready/").status_code == 503


def test_detailed_needs_authentication(api_client):
    assert api_client.get("/api/health/detailed/").status_code == 401


@pytest.mark.parametrize("role", [Role.USER, Role.STAFF, Role.PTB_ADMIN])
def test_detailed_is_refused_below_superadmin(client_for, role):
    response = client_for(make_user(role)).get("/api/health/detailed/")

    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.SUPERADMIN, Role.DEVELOPER])
def test_detailed_lists_each_dependency_with_latency_and_version(client_for, role):
    response = client_for(make_user(role)).get("/api/health/detailed/")

    body = response.json()
    assert {"database", "cache", "migrations", "channel_layer", "celery", "smb"} <= set(
        body["checks"]
    )
    # No share is configured here: nothing to reach, nothing wrong.
    assert body["checks"]["smb"]["ok"] is True
    assert body["checks"]["smb"]["info"] == {"configured": False}
    for check in body["checks"].values():
        assert check["latency_ms"] is not None
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["info"]["version"]
    assert "commit" in body
    assert "version" in body
    assert response.status_code == 200
    assert body["status"] == ("ok" if all(c["ok"] for c in body["checks"].values()) else "degraded")


def test_system_config_is_readable_by_every_role_and_hides_private_entries(client_for):
    from api.system.models import SystemConfiguration

    SystemConfiguration.objects.create(
        key="public-thing", value="42", value_type="integer", is_public=True
    )
    SystemConfiguration.objects.create(key="private-thing", value="x", is_public=False)

    as_user = client_for(make_user(Role.USER)).get("/api/v1/system/config/").json()
    as_developer = client_for(make_user(Role.DEVELOPER)).get("/api/v1/system/config/").json()

    assert as_user["settings"] == {"public-thing": 42}
    assert as_developer["settings"] == {"private-thing": "x", "public-thing": 42}
    assert as_user["app"]["version"]


def test_detailed_reports_a_dead_cache_as_degraded_with_the_reason(client_for, settings):
    from conftest import free_port

    client = client_for(make_user(Role.SUPERADMIN))
    settings.CACHES = _redis_cache(f"redis://127.0.0.1:{free_port()}")

    response = client.get("/api/health/detailed/")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False
    assert "Error" in body["checks"]["cache"]["detail"]


# --------------------------------------------------------------------------- the report share

DETAILED = "/api/health/detailed/"


@pytest.mark.django_db
def test_detailed_health_reaches_the_configured_share(samba, client_for):
    samba_configuration(samba)

    response = client_for(make_user(Role.SUPERADMIN)).get(DETAILED)

    check = response.json()["checks"]["smb"]
    assert check["ok"] is True, check
    assert check["info"]["configured"] is True
    assert check["info"]["unc"] == "\\\\127.0.0.1\\plain"
    assert "created on the first upload" in check["info"]["detail"]  # no folder yet
    assert samba.password not in response.content.decode()


@pytest.mark.django_db
def test_detailed_health_reports_an_unreachable_share_without_the_password(client_for):
    smb_configuration(
        password="never-shown-7d1f", server="127.0.0.1", port=free_port(), timeout_seconds=2
    )

    response = client_for(make_user(Role.SUPERADMIN)).get(DETAILED)

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["smb"]["ok"] is False
    assert "Reaching the share" in body["checks"]["smb"]["detail"]
    assert "never-shown-7d1f" not in response.content.decode()

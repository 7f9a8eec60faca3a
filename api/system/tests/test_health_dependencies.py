"""The detailed health check states each dependency as it is: asserted one by one, in
the suite's eager mode, in broker mode with no worker answering, and with a real
worker on the Redis broker."""

import pytest

from api.accounts.roles import Role
from tests.factories import make_user

DETAILED = "/api/health/detailed/"


def detailed(client_for) -> dict:
    response = client_for(make_user(Role.SUPERADMIN)).get(DETAILED)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
@pytest.mark.usefixtures("redis_available")
def test_every_dependency_is_up_and_says_what_it_is(client_for):
    body = detailed(client_for)
    checks = body["checks"]

    assert body["status"] == "ok"
    assert set(checks) == {"database", "cache", "migrations", "channel_layer", "celery", "smb"}
    assert checks["migrations"]["ok"] is True
    assert checks["database"]["ok"] is True
    assert checks["database"]["info"]["version"]
    assert checks["cache"]["ok"] is True
    assert checks["channel_layer"]["ok"] is True
    assert checks["channel_layer"]["info"]["backend"]
    assert (checks["celery"]["ok"], checks["celery"]["detail"]) == (True, "")
    assert checks["celery"]["info"] == {"mode": "eager", "workers": []}
    assert checks["smb"]["info"] == {"configured": False}
    assert all(check["latency_ms"] >= 0 for check in checks.values())


def test_broker_mode_with_no_worker_answering_is_degraded(client_for, celery_worker_factory):
    # The factory switches this process to broker mode; no worker is started.
    body = detailed(client_for)
    celery = body["checks"]["celery"]

    assert body["status"] == "degraded"
    assert celery["ok"] is False
    assert celery["detail"] == "RuntimeError: broker reachable but no worker answered"
    assert all(body["checks"][name]["ok"] for name in ("database", "cache", "channel_layer"))


def test_broker_mode_with_a_live_worker_names_it(client_for, celery_worker_factory):
    celery_worker_factory()

    body = detailed(client_for)
    celery = body["checks"]["celery"]

    assert celery["ok"] is True, celery
    assert celery["info"]["mode"] == "broker"
    assert len(celery["info"]["workers"]) == 1
    assert celery["info"]["workers"][0].startswith("celery@")
    assert body["status"] == "ok"

"""Readiness sees the schema: a live Daphne on an empty PostgreSQL database answers
503 with the number of unapplied migrations (so does the container health check),
and 200 once `manage.py migrate` has run on that database."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from django.conf import settings

from conftest import REPO_ROOT, free_port, require_service
from tests.db import scratch_postgres_database
from tests.live import server_environment, start_daphne

pytestmark = pytest.mark.integration


@pytest.fixture
def empty_database():
    require_service(
        "PostgreSQL", None if settings.USING_POSTGRES else "DATABASE_URL is not PostgreSQL"
    )
    with scratch_postgres_database("ptb_ready") as url:
        yield url


def migrations_in_the_code() -> int:
    from django.db.migrations.loader import MigrationLoader

    return len(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def container_health_check(port: int) -> subprocess.CompletedProcess:
    """deploy/docker/healthcheck.py, as the image's HEALTHCHECK runs it."""
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "deploy" / "docker" / "healthcheck.py")],
        env={**server_environment(), "APP_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_ready_waits_for_the_schema_of_an_empty_database(empty_database, tmp_path):
    port = free_port()
    server = start_daphne(port, tmp_path / "daphne.log", DATABASE_URL=empty_database)
    try:
        expected = migrations_in_the_code()

        before = httpx.get(f"{server.url}/api/health/ready/", timeout=30)
        still_before = httpx.get(f"{server.url}/api/health/ready/", timeout=30)
        check_before = container_health_check(port)
        live = httpx.get(f"{server.url}/api/health/live/", timeout=30)

        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=REPO_ROOT,
            env=server_environment(DATABASE_URL=empty_database),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr

        after = httpx.get(f"{server.url}/api/health/ready/", timeout=30)
        check_after = container_health_check(port)
    finally:
        server.stop()

    assert before.status_code == 503, before.text
    assert before.json()["detail"] == f"unapplied migrations: {expected}"
    assert before.json()["checks"]["migrations"]["unapplied"] == expected
    assert before.json()["checks"]["database"]["ok"] is True
    assert still_before.status_code == 503
    assert check_before.returncode == 1
    assert f"unapplied migrations: {expected}" in check_before.stderr
    # Liveness stays the cheap probe: the process answers, whatever the schema.
    assert live.status_code == 200

    assert after.status_code == 200, after.text
    assert after.json()["status"] == "ready"
    assert "detail" not in after.json()
    assert check_after.returncode == 0, check_after.stderr


def test_a_running_server_says_which_commit_it_runs(daphne_factory):
    from api.accounts.auth.tokens import issue_local_tokens
    from api.accounts.roles import Role
    from api.common.client import ClientInfo
    from tests.factories import make_user

    commit = "4f2a9c1e7b3d5a6c8e0f1a2b3c4d5e6f7a8b9c0d"
    server = daphne_factory(GIT_COMMIT=commit)
    tokens = issue_local_tokens(user=make_user(Role.USER), client=ClientInfo("127.0.0.1", "pytest"))

    health = httpx.get(f"{server.url}/api/health/", timeout=30)
    config = httpx.get(
        f"{server.url}/api/v1/system/config/",
        headers={"Authorization": f"Bearer {tokens['access']}"},
        timeout=30,
    )

    assert health.json()["commit"] == commit
    assert config.status_code == 200, config.text
    assert config.json()["app"]["commit"] == commit


def test_images_carry_their_commit_and_compose_runs_a_named_tag():
    import yaml

    # The runtime stage takes the commit; the production and staging stages (and
    # Dockerfile.staging, built on a finished image) inherit its ENV and never reset it.
    lines = (REPO_ROOT / "Dockerfile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith(" AS runtime"))
    end = next(
        (i for i, line in enumerate(lines) if i > start and line.startswith("FROM ")),
        len(lines),
    )
    runtime = lines[start:end]
    assert 'ARG GIT_COMMIT=""' in runtime
    assert "ENV GIT_COMMIT=${GIT_COMMIT}" in runtime
    later = lines[end:] + (REPO_ROOT / "Dockerfile.staging").read_text().splitlines()
    assert not [line for line in later if "GIT_COMMIT" in line and not line.startswith("#")]

    prod = yaml.safe_load((REPO_ROOT / "docker-compose.prod.yml").read_text())
    app_images = {
        name: service["image"]
        for name, service in prod["services"].items()
        if service.get("image", "").startswith("ptb-overtime")
    }
    assert app_images  # web replicas, worker, beat
    assert set(app_images.values()) == {
        "ptb-overtime:${IMAGE_TAG:?set IMAGE_TAG to the commit to run}"
    }

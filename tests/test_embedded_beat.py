"""`make dev` runs the periodic jobs on the embedded default: SQLite, no Redis.

`scripts/dev.sh jobs` starts what `make dev` starts beside Daphne, a Celery worker with
embedded beat on the local folder broker, here in a temporary folder with a reminder
already due. Beat sends the reminder job, the worker runs it and the reminder becomes a
notification; stopping the script stops the worker and beat with it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT

pytestmark = pytest.mark.integration

# Whatever points at PostgreSQL or Redis: unset, so the embedded default applies.
NOT_EMBEDDED = {
    "DATABASE_URL",
    "SQL_ENGINE",
    "SQL_DATABASE",
    "REDIS_URL",
    "REDIS_CACHE_URL",
    "USE_REDIS_CHANNELS",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
    "DEBUG",
    "DJANGO_ENV",
}
SEED = """
from datetime import timedelta
from django.utils import timezone
from api.accounts.models import User
from api.accounts.roles import Role
from api.accounts.services import user_set_role
from api.kanban.models import TaskReminder
from api.kanban.services import board_ensure_default_columns, task_create

board_ensure_default_columns()
user = User.objects.create_user("reminded", "reminded@example.com", "x")
user_set_role(user=user, role=Role.STAFF)
card = task_create(by=user, title="Call the supplier", department=None)
# Due already: the services refuse a reminder in the past, the periodic job sends it.
TaskReminder.objects.create(
    task=card, user=user, remind_at=timezone.now() - timedelta(minutes=1), message="today"
)
"""
# Beat sends the reminder job a minute after it starts; this bounds the wait only.
WAIT_SECONDS = 240


def embedded_environment(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_EMBEDDED}
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        MEDIA_ROOT=str(tmp_path / "media"),
        CELERY_BEAT_SCHEDULE_FILE=str(tmp_path / "beat" / "celerybeat-schedule"),
        LOCAL_SECRETS_FILE=str(tmp_path / "secrets.json"),
        LOG_TO_FILE="false",
        PYTHON=sys.executable,
    )
    return env


def reminders_sent(database: Path) -> int:
    with sqlite3.connect(database, timeout=5) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM api_notification WHERE kind = 'task_reminder'"
        ).fetchone()
    return count


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_embedded_worker_runs_beat_and_stops_with_its_script(tmp_path):
    env = embedded_environment(tmp_path)
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput"], ["shell", "-c", SEED]):
        subprocess.run([*manage, *command], cwd=REPO_ROOT, env=env, check=True, capture_output=True)
    log_path = tmp_path / "jobs.log"
    with log_path.open("wb") as log:
        jobs = subprocess.Popen(
            ["bash", "scripts/dev.sh", "jobs"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: what is left of it is visible
        )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while reminders_sent(tmp_path / "db.sqlite3") == 0:
            assert jobs.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(1)
        assert reminders_sent(tmp_path / "db.sqlite3") == 1
        assert (tmp_path / "media" / "celery-broker" / "queue").is_dir()

        jobs.send_signal(signal.SIGTERM)
        jobs.wait(timeout=60)
        deadline = time.monotonic() + 60
        while group_alive(jobs.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not group_alive(jobs.pid), "the worker or beat outlived the script"
    finally:
        if group_alive(jobs.pid):
            os.killpg(jobs.pid, signal.SIGKILL)

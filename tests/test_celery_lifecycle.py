"""A real worker and a real beat at production's log levels (DEBUG off, LOG_LEVEL
WARNING) still say what they do: ready, each task received and finished with its id,
duration and the id of the request that queued it, each job beat sends; and beat keeps
its schedule file where CELERY_BEAT_SCHEDULE_FILE says, not in the checkout."""

from __future__ import annotations

import re
import secrets
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from tests.live import server_environment

PRODUCTION_LOGGING = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "LOG_LEVEL": "WARNING",
}
REQUEST_ID = "0123456789abcdef0123456789abcdef"


def wait_for_line(read_log, pattern: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if match := re.search(pattern, read_log(), re.M):
            return match[0]
        time.sleep(0.2)
    raise AssertionError(f"no line matching {pattern!r} in:\n{read_log()[-4000:]}")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_available")
def test_a_worker_logs_its_life_cycle_at_production_levels(celery_worker_factory):
    from django_guid import clear_guid, set_guid

    from api.realtime.tasks import purge_realtime_events
    from backend.celery import app

    worker = celery_worker_factory(**PRODUCTION_LOGGING)  # returns once it logged "ready."
    assert re.search(r"^.*celery@\S+ ready\.$", worker.log(), re.M), worker.log()

    set_guid(REQUEST_ID)  # as the API's middleware does for a request
    try:
        done = purge_realtime_events.delay()
        broken = app.send_task("kanban.close_stale_presence", kwargs={"unexpected": 1})
    finally:
        clear_guid()
    done.get(timeout=60)
    broken.get(timeout=60, propagate=False)

    received = wait_for_line(worker.log, rf"^.*task received realtime\.purge_events\[{done.id}\]$")
    succeeded = wait_for_line(
        worker.log, rf"^.*task succeeded realtime\.purge_events\[{done.id}\] in [0-9.]+ ms$"
    )
    failed = wait_for_line(
        worker.log,
        rf"^.*task failed kanban\.close_stale_presence\[{broken.id}\] in [0-9.]+ ms: TypeError.*$",
    )
    for line in (received, succeeded, failed):
        assert f"[{REQUEST_ID}]" in line, line  # the request id, in the console format
    assert "INFO" in succeeded
    assert "ERROR" in failed


@pytest.mark.integration
@pytest.mark.usefixtures("redis_available")
def test_beat_logs_what_it_sends_and_keeps_its_state_outside_the_checkout(tmp_path, settings):
    import redis
    from celery.beat import PersistentScheduler

    from backend.celery import app

    state = tmp_path / "state" / "celerybeat-schedule"
    # A schedule file whose reminders job last ran a day ago: due at once.
    state.parent.mkdir()
    scheduler = PersistentScheduler(app=app, schedule_filename=str(state))
    scheduler.schedule["task-reminders"].last_run_at = app.now() - timedelta(days=1)
    scheduler.sync()
    scheduler.close()

    log_path = tmp_path / "beat.log"
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "backend", "beat"],
            cwd=REPO_ROOT,
            env=server_environment(
                CELERY_BEAT_SCHEDULE_FILE=str(state),
                CELERY_TASK_ALWAYS_EAGER="false",  # send to the broker, as in production
                **PRODUCTION_LOGGING,
            ),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        read_log = lambda: log_path.read_text(errors="replace")  # noqa: E731
        wait_for_line(read_log, r"^.*beat: Starting\.\.\.$")
        sent = r"Sending due task task-reminders \(kanban\.send_due_reminders\)"
        # Well within the job's 60 s interval: only the seeded file makes it due now.
        wait_for_line(read_log, rf"^.*Scheduler: {sent}$", timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        # What beat queued must not reach another test's worker.
        redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()

    assert not list(Path(REPO_ROOT).glob("celerybeat-schedule*"))


def test_without_a_setting_beat_uses_the_users_state_directory(tmp_path):
    code = "from backend.celery import app; print(app.conf.beat_schedule_filename)"
    env = server_environment(XDG_STATE_HOME=str(tmp_path))
    env.pop("CELERY_BEAT_SCHEDULE_FILE", None)

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "ptb-overtime" / "celerybeat-schedule")

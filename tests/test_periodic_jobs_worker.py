"""The periodic jobs run once through a real Celery worker on the Redis broker, as
beat would send them in production (the rest of the suite runs tasks eagerly)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from api.accounts.roles import Role
from api.kanban.models import TaskGroup, TaskReminder
from api.kanban.services import task_create
from api.notifications.models import Notification
from api.org.models import Department, Employee
from tests.factories import make_user

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_available"),
]


def wait_until(condition, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_due_reminders_become_notifications_through_a_worker(celery_worker_factory):
    from api.kanban.tasks import send_due_reminders

    TaskGroup.objects.create(name="To do", position=0)
    user = make_user(Role.STAFF)
    card = task_create(by=user, title="Call the supplier")
    TaskReminder.objects.create(
        task=card, user=user, remind_at=timezone.now() - timedelta(minutes=1), message="today"
    )
    worker = celery_worker_factory()

    result = send_due_reminders.delay()

    assert result.get(timeout=60) == 1, worker.log()[-3000:]
    notification = Notification.objects.get(recipient=user)
    assert notification.title == "Reminder: Call the supplier"
    assert TaskReminder.objects.get().sent_at is not None
    assert "kanban.send_due_reminders" in worker.log()


def test_the_hr_directory_sync_runs_through_a_worker(external_api, celery_worker_factory):
    from api.org.tasks import sync_directory

    worker = celery_worker_factory()  # started after the reference server: it knows its URL

    summary = sync_directory.delay().get(timeout=90)

    assert summary, worker.log()[-3000:]
    wait_until(lambda: Employee.objects.exists(), what="employees")
    assert Department.objects.filter(code="ENG").exists()
    assert Employee.objects.count() == 12  # the reference server's directory
    assert "org.sync_directory" in worker.log()

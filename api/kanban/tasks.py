"""Periodic Kanban upkeep (scheduled in backend/celery.py)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from api.kanban.services import board_presence_close_stale, task_reminders_send_due


@shared_task(name="kanban.send_due_reminders")
def send_due_reminders() -> int:
    return task_reminders_send_due()


@shared_task(name="kanban.close_stale_presence")
def close_stale_presence() -> int:
    """Presence rows of sockets that vanished without a goodbye (a process died)."""
    horizon = timezone.now() - timedelta(seconds=3 * settings.REALTIME_PRESENCE_TTL_SECONDS)
    return board_presence_close_stale(older_than=horizon)

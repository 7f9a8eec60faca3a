"""Periodic HR directory sync (scheduled in backend/celery.py)."""

from dataclasses import asdict

from celery import shared_task

from api.common.exceptions import ServiceUnavailable
from api.org.hr_sync import hr_directory_sync


@shared_task(
    name="org.sync_directory",
    autoretry_for=(ServiceUnavailable,),
    retry_backoff=60,
    retry_jitter=True,
    max_retries=3,
)
def sync_directory() -> dict:
    return asdict(hr_directory_sync())

"""Report tasks. Each is safe to run twice (see api/reports/services.py)."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from api.reports import services

logger = logging.getLogger("api.reports")


def upload_backoff(retries: int) -> float:
    """Exponential with full jitter: many failed jobs do not all come back at once."""
    # Not a secret: jitter only.
    return random.uniform(0, settings.REPORT_UPLOAD_RETRY_BASE_SECONDS * 2**retries)  # noqa: S311


@shared_task(bind=True, name="reports.run_job")
def run_report_job(self, job_id: int) -> str | None:
    try:
        job = services.report_job_run(job_id=job_id)
    except services.UploadFailed as exc:
        # Eager (the embedded default, inside a web request): no waiting retries there;
        # the job shows upload_failed and the API's retry action tries again.
        if self.request.is_eager or self.request.retries >= settings.REPORT_UPLOAD_MAX_RETRIES:
            services.report_job_give_up(job_id=job_id, reason=str(exc))
            return "upload_failed"
        raise self.retry(exc=exc, countdown=upload_backoff(self.request.retries)) from exc
    return None if job is None else job.status


@shared_task(name="reports.schedule")
def schedule_report(kind: str) -> int:
    """Beat: yesterday's daily report, or last month's monthly one, created once."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return services.report_job_schedule(kind=kind, day=yesterday).pk


@shared_task(name="reports.purge_local_files")
def purge_local_reports() -> int:
    return services.reports_purge_local()


@shared_task(name="reports.requeue_stale")
def requeue_stale_reports() -> int:
    return services.report_jobs_requeue_stale()

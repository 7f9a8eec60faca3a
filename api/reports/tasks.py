"""Report tasks. Each is safe to run twice (see api/reports/runner.py)."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from api.reports import runner, services

logger = logging.getLogger("api.reports")


def upload_backoff(retries: int) -> float:
    """Exponential with full jitter: many failed jobs do not all come back at once."""
    # Not a secret: jitter only.
    return random.uniform(0, settings.REPORT_UPLOAD_RETRY_BASE_SECONDS * 2**retries)  # noqa: S311


# max_retries=None: REPORT_UPLOAD_MAX_RETRIES (read when the task runs) is the only
# limit. With Celery's default of 3, retry() would raise MaxRetriesExceededError
# before the setting was reached and the job would never be given up properly.
@shared_task(bind=True, name=services.RUN_JOB_TASK, max_retries=None)
def run_report_job(self, job_id: int) -> str | None:
    try:
        job = runner.report_job_run(job_id=job_id)
    except runner.UploadFailed as exc:
        if self.request.is_eager:
            # Inside a web request (the embedded default): no waiting retries there;
            # the job shows upload_failed, and the periodic requeue or the API's retry
            # action tries again.
            runner.report_job_upload_deferred(job_id=job_id)
            return "upload_failed"
        if self.request.retries >= settings.REPORT_UPLOAD_MAX_RETRIES:
            runner.report_job_give_up(job_id=job_id, reason=str(exc))
            return "failed"
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
    """Beat: jobs whose message was lost, and jobs whose upload failed once the share
    answers again."""
    return services.report_jobs_requeue_stale() + services.report_jobs_requeue_failed_uploads()

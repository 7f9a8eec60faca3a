"""The task that builds and delivers one report job: safe to run twice (see
api/reports/runner.py). Queued by api/reports/services.py after its transaction
commits; nothing here imports the services, so they can import it."""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings

from api.reports import runner


def upload_backoff(retries: int) -> float:
    """Exponential with full jitter: many failed jobs do not all come back at once."""
    # Not a secret: jitter only.
    return random.uniform(0, settings.REPORT_UPLOAD_RETRY_BASE_SECONDS * 2**retries)  # noqa: S311


# max_retries=None: REPORT_UPLOAD_MAX_RETRIES (read when the task runs) is the only
# limit. With Celery's default of 3, retry() would raise MaxRetriesExceededError
# before the setting was reached and the job would never be given up properly.
@shared_task(bind=True, name="reports.run_job", max_retries=None)
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

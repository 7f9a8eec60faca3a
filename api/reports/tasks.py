"""The reports' periodic tasks (beat). The task that builds and delivers one job is in
api/reports/jobs.py, where the services that queue it can import it."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from api.reports import services


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

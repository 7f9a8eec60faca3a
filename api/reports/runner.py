"""Running a report job: build the workbook (unless built), deliver it, tell the requester.

A job is safe to run twice (Celery acknowledges late and redelivers the message of a
worker that died): the build writes a new local file under a temporary name, the
upload replaces the file of the same name on the share, and on PostgreSQL a session
advisory lock keeps two live workers off the same job (the lock goes away with the
connection of a worker that was killed).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from api.accounts.roles import Resource
from api.integrations import smb
from api.notifications.models import NotificationKind
from api.notifications.services import notification_data, notifications_create
from api.reports.builders import ReportSpec, build_report
from api.reports.models import ReportJob, ReportKind, ReportStatus
from api.reports.rules import FINISHED, RUNNABLE
from api.reports.selectors import regulation_limits, report_rows
from api.reports.status import report_job_move
from api.system.smb_target import active_target

logger = logging.getLogger("api.reports")


class UploadFailed(Exception):
    """The share refused or was unreachable; the job keeps its local file."""


def reports_dir() -> Path:
    path = Path(settings.REPORTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def report_file_name(job: ReportJob) -> str:
    """Readable and unique: overtime_monthly_2026-10_job42.xlsx."""
    if job.kind == ReportKind.MONTHLY:
        period = job.period_start.strftime("%Y-%m")
    elif job.period_start == job.period_end:
        period = job.period_start.isoformat()
    else:
        period = f"{job.period_start.isoformat()}_{job.period_end.isoformat()}"
    return f"overtime_{job.kind}_{period}_job{job.pk}.xlsx"


@contextlib.contextmanager
def _job_lock(job_id: int):
    """True if this worker may run the job now (no other live worker holds it)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [7301, job_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [7301, job_id])


def report_job_run(*, job_id: int) -> ReportJob | None:
    """Builds (unless already built) and delivers one job. Raises UploadFailed for the
    task to retry; returns None when another worker holds the job."""
    with _job_lock(job_id) as acquired:
        if not acquired:
            logger.info("report job %s is being run by another worker", job_id)
            return None
        job = ReportJob.objects.get(pk=job_id)
        if job.status in FINISHED:
            return job  # a redelivered message of a job that completed
        if job.status not in RUNNABLE:
            logger.info("report job %s is %s; it runs again once retried", job_id, job.status)
            return job
        if not (job.file and (Path(settings.REPORTS_DIR) / job.file).exists()):
            job = _build(job)
        return _deliver(job)


def _build(job: ReportJob) -> ReportJob:
    job = report_job_move(job, ReportStatus.RUNNING, attempts=F("attempts") + 1, error="")
    name = report_file_name(job)
    final = reports_dir() / name
    partial = final.with_name(f".{name}.{uuid.uuid4().hex}.part")
    spec = ReportSpec(
        title=f"Overtime {job.get_kind_display().lower()} report",
        kind=job.kind,
        period_start=job.period_start,
        period_end=job.period_end,
        filters=job.filters,
        generated_at=timezone.now(),
        timezone=settings.TIME_ZONE,
        limits=regulation_limits(on=job.period_start),
    )
    started = time.perf_counter()
    try:
        result = build_report(
            spec,
            report_rows(
                period_start=job.period_start, period_end=job.period_end, filters=job.filters
            ),
            partial,
        )
        os.replace(partial, final)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        job = report_job_move(
            job,
            ReportStatus.FAILED,
            error=f"Building the report failed: {type(exc).__name__}: {exc}"[:2000],
        )
        _notify(job, ok=False)
        raise
    logger.info(
        "report job %s built: %d rows in %.1fs",
        job.pk,
        result.row_count,
        time.perf_counter() - started,
    )
    job.file = job.file_name = name
    job.file_size = final.stat().st_size
    job.row_count = result.row_count
    job.built_at = timezone.now()
    job.save(
        update_fields=["file", "file_name", "file_size", "row_count", "built_at", "updated_at"]
    )
    return job


def _deliver(job: ReportJob) -> ReportJob:
    local = Path(settings.REPORTS_DIR) / job.file
    try:
        # Raises too: an active configuration whose password cannot be decrypted is a
        # delivery failure to show, not a reason to fall back to another share.
        target = active_target()
        if target is None:
            return _finish(job, ReportStatus.DONE)
        job = report_job_move(job, ReportStatus.UPLOADING, upload_attempts=F("upload_attempts") + 1)
        remote = smb.upload(target, local, job.file_name)
    except smb.SMBDeliveryError as exc:
        report_job_move(
            job,
            ReportStatus.UPLOAD_FAILED,
            error=f"Upload to the share failed: {exc}"[:2000],
        )
        raise UploadFailed(str(exc)) from exc
    if settings.EXCEL_TEMP_ONLY:
        local.unlink(missing_ok=True)
    return _finish(job, ReportStatus.DELIVERED, smb_path=remote)


def _finish(job: ReportJob, status: str, **changes) -> ReportJob:
    job = report_job_move(job, status, error="", **changes)
    _notify(job, ok=True)
    return job


def report_job_give_up(*, job_id: int, reason: str) -> None:
    """The last upload retry failed: the job is failed (the local file is kept for the
    API's download and retry, and for the periodic requeue once the share answers)."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    job = report_job_move(
        job, ReportStatus.FAILED, error=f"upload retries exhausted: {reason}"[:2000]
    )
    logger.warning("report job %s: upload retries exhausted: %s", job_id, reason)
    _notify(job, ok=False)


def report_job_upload_deferred(*, job_id: int) -> None:
    """An upload failed where no retry can wait (a task run eagerly, inside a request):
    the job stays upload_failed for the periodic requeue and the API's retry; the
    requester hears of the failure now rather than never."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is not None:
        _notify(job, ok=False)


def _notify(job: ReportJob, *, ok: bool) -> None:
    if job.requested_by_id is None:
        return
    notifications_create(
        recipients=[job.requested_by],
        kind=NotificationKind.REPORT_READY if ok else NotificationKind.REPORT_FAILED,
        title=f"Report {report_file_name(job)} {'is ready' if ok else 'failed'}",
        data=notification_data(Resource.REPORTS, job.pk, status=job.status),
    )

"""Report jobs: request, build, deliver, retry, clean up.

A job is safe to run twice (Celery acknowledges late and redelivers the message of a
worker that died): the build writes a new local file under a temporary name, the
upload replaces the file of the same name on the share, and on PostgreSQL a
session advisory lock keeps two live workers off the same job (the lock goes away
with the connection of a worker that was killed).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from api.common.exceptions import Conflict
from api.reports import smb
from api.reports.builders import ReportSpec, build_report
from api.reports.models import ReportJob, ReportKind, ReportStatus
from api.reports.selectors import regulation_limits, report_rows
from api.system.audit import audit_record

logger = logging.getLogger("api.reports")

MAX_PERIOD_DAYS = 366
FINISHED = (ReportStatus.DONE, ReportStatus.DELIVERED)
RETRYABLE = (ReportStatus.UPLOAD_FAILED, ReportStatus.FAILED)


# ----------------------------------------------------------------------- requesting


def report_period(kind: str, day: date) -> tuple[date, date]:
    """The day itself, or the calendar month that contains it."""
    if kind == ReportKind.DAILY:
        return day, day
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def report_job_request(
    *,
    kind: str,
    period_start: date,
    period_end: date | None = None,
    filters: dict | None = None,
    by=None,
    schedule_key: str = "",
) -> ReportJob:
    """Creates a job and queues it once the transaction commits."""
    if period_end is None:
        period_start, period_end = report_period(kind, period_start)
    if period_end < period_start:
        raise ValidationError({"period_end": ["Must not be before period_start."]})
    if (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise ValidationError({"period_end": [f"A report covers at most {MAX_PERIOD_DAYS} days."]})
    with transaction.atomic():
        job = ReportJob.objects.create(
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            filters=filters or {},
            requested_by=by,
            schedule_key=schedule_key,
        )
        if by is not None:
            audit_record(user=by, action="create", instance=job, changes={"kind": kind})
        _queue_after_commit(job.pk)
    return job


def report_job_schedule(*, kind: str, day: date) -> ReportJob:
    """The scheduled report of a period: created once, however often beat fires."""
    period_start, period_end = report_period(kind, day)
    key = f"{kind}:{period_start.isoformat()}"
    existing = ReportJob.objects.filter(schedule_key=key).first()
    if existing is not None:
        return existing
    return report_job_request(
        kind=kind, period_start=period_start, period_end=period_end, schedule_key=key
    )


def report_job_retry(*, job: ReportJob, by) -> ReportJob:
    """Queues a failed job again (API action); the local file is reused if it exists."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in RETRYABLE:
            raise Conflict(f"Only failed jobs can be retried; this one is '{job.status}'.")
        job.status = ReportStatus.QUEUED
        job.error = ""
        job.save(update_fields=["status", "error", "updated_at"])
        audit_record(user=by, action="retry", instance=job, changes={"status": job.status})
        _queue_after_commit(job.pk)
    return job


def _queue_after_commit(job_id: int) -> None:
    from api.reports.tasks import run_report_job

    # robust: the request that asked has committed; a broker hiccup (or, eagerly, a
    # failed build) is logged and shows on the job, never as a 500 for the request.
    transaction.on_commit(lambda: run_report_job.delay(job_id), robust=True)


# ----------------------------------------------------------------------- running


class UploadFailed(Exception):
    """The share refused or was unreachable; the job keeps its local file."""


def _reports_dir() -> Path:
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
        if not (job.file and (Path(settings.REPORTS_DIR) / job.file).exists()):
            job = _build(job)
        return _deliver(job)


def _build(job: ReportJob) -> ReportJob:
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportStatus.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        error="",
        updated_at=timezone.now(),
    )
    name = report_file_name(job)
    final = _reports_dir() / name
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
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportStatus.FAILED,
            error=f"Building the report failed: {type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        _notify(job, ok=False)
        raise
    logger.info(
        "report job %s built: %d rows in %.1fs",
        job.pk,
        result.row_count,
        time.perf_counter() - started,
    )
    ReportJob.objects.filter(pk=job.pk).update(
        file=name,
        file_name=name,
        file_size=final.stat().st_size,
        row_count=result.row_count,
        built_at=timezone.now(),
    )
    return ReportJob.objects.get(pk=job.pk)


def _deliver(job: ReportJob) -> ReportJob:
    local = Path(settings.REPORTS_DIR) / job.file
    try:
        # Raises too: an active configuration whose password cannot be decrypted is a
        # delivery failure to show, not a reason to fall back to another share.
        target = smb.active_target()
        if target is None:
            _finish(job, ReportStatus.DONE)
            return ReportJob.objects.get(pk=job.pk)
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportStatus.UPLOADING, upload_attempts=F("upload_attempts") + 1
        )
        remote = smb.upload(target, local, job.file_name)
    except smb.SMBDeliveryError as exc:
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportStatus.UPLOAD_FAILED,
            error=f"Upload to the share failed: {exc}"[:2000],
            updated_at=timezone.now(),
        )
        raise UploadFailed(str(exc)) from exc
    ReportJob.objects.filter(pk=job.pk).update(smb_path=remote)
    if settings.EXCEL_TEMP_ONLY:
        local.unlink(missing_ok=True)
    _finish(job, ReportStatus.DELIVERED)
    return ReportJob.objects.get(pk=job.pk)


def _finish(job: ReportJob, status: str) -> None:
    ReportJob.objects.filter(pk=job.pk).update(
        status=status, error="", finished_at=timezone.now(), updated_at=timezone.now()
    )
    _notify(job, ok=True)


def report_job_give_up(*, job_id: int, reason: str) -> None:
    """Retries exhausted: the job stays upload_failed (the file is kept for the API)."""
    ReportJob.objects.filter(pk=job_id).update(
        error=f"Upload to the share failed, retries exhausted: {reason}"[:2000],
        finished_at=timezone.now(),
    )
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is not None:
        _notify(job, ok=False)


def _notify(job: ReportJob, *, ok: bool) -> None:
    if job.requested_by_id is None:
        return
    from api.notifications.models import NotificationKind
    from api.notifications.services import notifications_create

    notifications_create(
        recipients=[job.requested_by],
        kind=NotificationKind.REPORT_READY if ok else NotificationKind.REPORT_FAILED,
        title=f"Report {report_file_name(job)} {'is ready' if ok else 'failed'}",
        data={"report_job": job.pk},
    )


# ----------------------------------------------------------------------- cleanup


def reports_purge_local(*, older_than: datetime | None = None) -> int:
    """Removes local report files past REPORTS_KEEP_DAYS (jobs stay, without a file)."""
    cutoff = older_than or timezone.now() - timedelta(days=settings.REPORTS_KEEP_DAYS)
    removed = 0
    for job in ReportJob.objects.filter(built_at__lt=cutoff).exclude(file="").only("pk", "file"):
        (Path(settings.REPORTS_DIR) / job.file).unlink(missing_ok=True)
        ReportJob.objects.filter(pk=job.pk).update(file="")
        removed += 1
    # Leftovers of builds killed mid-write.
    stale = time.time() - 3600
    for partial in _reports_dir().glob(".*.part"):
        if partial.stat().st_mtime < stale:
            partial.unlink(missing_ok=True)
    return removed


def report_local_path(job: ReportJob) -> Path | None:
    if not job.file:
        return None
    path = Path(settings.REPORTS_DIR) / job.file
    return path if path.exists() else None


def report_export_request(*, kind: str, day: date, filters: dict, by) -> ReportJob:
    """An export from the API: a department admin's is held to their department."""
    from rest_framework.exceptions import PermissionDenied

    from api.accounts.selectors import user_department_id

    if not by.is_global_admin:
        own = user_department_id(by)
        if own is None:
            raise PermissionDenied("Exports need a department, and you have none.")
        if filters.get("department") not in (None, own):
            raise PermissionDenied("You may export your own department only.")
        filters = {**filters, "department": own}
    period_start, period_end = report_period(kind, day)
    return report_job_request(
        kind=kind, period_start=period_start, period_end=period_end, filters=filters, by=by
    )


def report_jobs_requeue_stale(*, older_than: datetime | None = None) -> int:
    """Jobs still `queued` long after they were asked for: their message never reached
    the broker (it was down at commit) or was lost with it. Queuing one twice is
    harmless: a finished job is not redone and the advisory lock admits one worker."""
    cutoff = older_than or timezone.now() - timedelta(minutes=15)
    stale = list(
        ReportJob.objects.filter(status=ReportStatus.QUEUED, queued_at__lt=cutoff)
        .order_by("queued_at")
        .values_list("pk", flat=True)[:100]
    )
    for job_id in stale:
        _queue_after_commit(job_id)
    return len(stale)

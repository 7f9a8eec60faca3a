"""Report jobs: request, retry, requeue, clean up. Running one (build and delivery)
is in runner.py; every status change goes through status.report_job_move."""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.accounts.models import User
from api.accounts.selectors import user_department_id
from api.audit.trail import audit_record
from api.common.exceptions import Conflict, InvalidInput, NotAllowed
from api.integrations import smb
from api.reports.jobs import run_report_job
from api.reports.models import ReportJob, ReportKind, ReportStatus
from api.reports.rules import RETRYABLE
from api.reports.runner import reports_dir
from api.reports.status import report_job_move
from api.system.smb_target import active_target

logger = logging.getLogger("api.reports")

MAX_PERIOD_DAYS = 366

# How often a day the periodic requeue tries one job whose upload failed again.


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
    by: User | None = None,
    schedule_key: str = "",
) -> ReportJob:
    """Creates a job and queues it once the transaction commits."""
    if period_end is None:
        period_start, period_end = report_period(kind, period_start)
    if period_end < period_start:
        raise InvalidInput({"period_end": ["Must not be before period_start."]})
    if (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput({"period_end": [f"A report covers at most {MAX_PERIOD_DAYS} days."]})
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


def report_job_retry(*, job: ReportJob, by: User) -> ReportJob:
    """Queues a failed job again (API action); the local file is reused if it exists."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in RETRYABLE:
            raise Conflict(f"Only failed jobs can be retried; this one is '{job.status}'.")
        job = report_job_move(job, ReportStatus.QUEUED, error="")
        audit_record(user=by, action="retry", instance=job, changes={"status": job.status})
        _queue_after_commit(job.pk)
    return job


def _queue_after_commit(job_id: int) -> None:
    # robust: the request that asked has committed; a broker hiccup (or, eagerly, a
    # failed build) is logged and shows on the job, never as a 500 for the request.
    transaction.on_commit(lambda: run_report_job.delay(job_id), robust=True)


# ----------------------------------------------------------------------- running


# ----------------------------------------------------------------------- cleanup


def reports_purge_local(*, older_than: datetime | None = None) -> int:
    """Removes local report files past REPORTS_KEEP_DAYS (jobs stay, without a file)."""
    cutoff = older_than or timezone.now() - timedelta(days=settings.REPORTS_KEEP_DAYS)
    removed = 0
    for job in ReportJob.objects.filter(built_at__lt=cutoff).exclude(file="").only("pk", "file"):
        (Path(settings.REPORTS_DIR) / job.file).unlink(missing_ok=True)
        job.file = ""
        job.save(update_fields=["file", "updated_at"])
        removed += 1
    # Leftovers of builds killed mid-write.
    stale = time.time() - 3600
    for partial in reports_dir().glob(".*.part"):
        if partial.stat().st_mtime < stale:
            partial.unlink(missing_ok=True)
    return removed


def report_local_path(job: ReportJob) -> Path | None:
    if not job.file:
        return None
    path = Path(settings.REPORTS_DIR) / job.file
    return path if path.exists() else None


def report_export_request(*, kind: str, day: date, filters: dict, by: User) -> ReportJob:
    """An export from the API: a department admin's is held to their department."""
    if not by.is_global_admin:
        own = user_department_id(by)
        if own is None:
            raise NotAllowed("Exports need a department, and you have none.")
        if filters.get("department") not in (None, own):
            raise NotAllowed("You may export your own department only.")
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


def report_jobs_requeue_failed_uploads(*, older_than: datetime | None = None) -> int:
    """Jobs whose upload failed (upload_failed, or failed with the built file kept
    after the retries ran out), queued again once the share answers. Each is tried
    at most REPORT_REQUEUE_MAX_PER_DAY times a day, so a share that answers but
    refuses the file is not hammered. While the share does not answer nothing is
    queued and no attempt is counted. Jobs that changed within the last 15 minutes
    are left to the Celery retries that may still be waiting for them."""
    cutoff = older_than or timezone.now() - timedelta(minutes=15)
    candidates = list(
        ReportJob.objects.filter(
            Q(status=ReportStatus.UPLOAD_FAILED) | (Q(status=ReportStatus.FAILED) & ~Q(file="")),
            updated_at__lt=cutoff,
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[:100]
    )
    if not candidates:
        return 0
    try:
        target = active_target()
        if target is None:
            return 0
        smb.reachable(target)
    except smb.SMBDeliveryError as exc:
        logger.info("failed report uploads wait; the share does not answer: %s", exc)
        return 0
    limit = settings.REPORT_REQUEUE_MAX_PER_DAY
    queued = 0
    for job_id in candidates:
        if not _count_requeue(job_id, limit):
            continue
        with transaction.atomic():
            job = ReportJob.objects.select_for_update().get(pk=job_id)
            if job.status not in RETRYABLE:
                continue  # retried or delivered since it was listed
            report_job_move(job, ReportStatus.QUEUED, error="")
            _queue_after_commit(job_id)
        queued += 1
    return queued


def _count_requeue(job_id: int, limit: int) -> bool:
    """Counts one requeue of the job today; False once today's `limit` is reached."""
    key = f"reports:requeue:{timezone.localdate().isoformat()}:{job_id}"
    cache.add(key, 0, timeout=2 * 24 * 3600)
    return cache.incr(key) <= limit

"""The one place a report job's status changes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from api.common.exceptions import InvalidTransition
from api.reports.models import ReportJob, ReportStatus
from api.reports.rules import ENDS_A_RUN, may_move


def report_job_move(job: ReportJob, to: str, **changes: Any) -> ReportJob:
    """Moves `job` to status `to`, with `changes` to other fields (F() expressions
    allowed), if the transition table allows it from the status the row has now.
    Raises InvalidTransition otherwise. Sets started_at (running), finished_at (when a
    run ends; cleared when queued again) and updated_at. Returns `job`, re-read.

    The row is locked while checked and written, so two writers (a worker and the
    API's retry) cannot both move it from the same status.
    """
    now = timezone.now()
    stamps: dict[str, Any] = {"updated_at": now}
    if to == ReportStatus.RUNNING:
        stamps["started_at"] = now
    elif to in ENDS_A_RUN:
        stamps["finished_at"] = now
    elif to == ReportStatus.QUEUED:
        stamps["finished_at"] = None
    with transaction.atomic():
        current = ReportJob.objects.select_for_update().values_list("status", flat=True)
        status = current.get(pk=job.pk)
        if not may_move(status, to):
            raise InvalidTransition(
                f"A report job that is {status} cannot become {to}.", current_status=status
            )
        # The row is locked and checked: this update is the guarded write.
        ReportJob.objects.filter(pk=job.pk).update(status=to, **stamps, **changes)
    job.refresh_from_db()
    return job

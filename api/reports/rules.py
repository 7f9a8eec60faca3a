"""Which status a report job may move to from which: the one table every status change
is checked against (`api.reports.status.report_job_move`)."""

from __future__ import annotations

from api.reports.models import ReportStatus as S

# A worker may find a job in any unfinished state: a message is redelivered when the
# worker running it died (running, uploading), a Celery retry comes back to an
# upload_failed job, and a job whose local file is gone is built again. Self-moves are
# those redeliveries and retries. Only a person (the API) or the periodic requeue moves
# a failed job back to queued.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.QUEUED: frozenset({S.RUNNING, S.UPLOADING, S.UPLOAD_FAILED, S.DONE}),
    S.RUNNING: frozenset({S.RUNNING, S.UPLOADING, S.UPLOAD_FAILED, S.DONE, S.FAILED}),
    S.UPLOADING: frozenset({S.RUNNING, S.UPLOADING, S.UPLOAD_FAILED, S.DELIVERED}),
    S.UPLOAD_FAILED: frozenset(
        {S.RUNNING, S.UPLOADING, S.UPLOAD_FAILED, S.DONE, S.QUEUED, S.FAILED}
    ),
    S.FAILED: frozenset({S.QUEUED}),
    S.DONE: frozenset(),
    S.DELIVERED: frozenset(),
}

# Nothing more to do: a redelivered message of such a job is dropped.
FINISHED = frozenset({S.DONE, S.DELIVERED})
# What the API's retry action (and the periodic requeue) may queue again.
RETRYABLE = frozenset({S.UPLOAD_FAILED, S.FAILED})
# A worker runs a job in these; a failed one waits for a retry first.
RUNNABLE = frozenset({S.QUEUED, S.RUNNING, S.UPLOADING, S.UPLOAD_FAILED})
# Moving here ends the job's current run (finished_at is set).
ENDS_A_RUN = frozenset({S.DONE, S.DELIVERED, S.FAILED})


def may_move(current: str, to: str) -> bool:
    return to in TRANSITIONS.get(current, frozenset())

"""The report jobs' transition table, and the one function that applies it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import F

from api.common.exceptions import InvalidTransition
from api.reports.models import ReportJob, ReportStatus
from api.reports.rules import ENDS_A_RUN, FINISHED, RETRYABLE, RUNNABLE, TRANSITIONS, may_move
from api.reports.status import report_job_move

S = ReportStatus
ALL = [status.value for status in S]

# Every allowed move, written out once more: a change to the table shows up here.
ALLOWED = {
    (S.QUEUED, S.RUNNING),
    (S.QUEUED, S.UPLOADING),
    (S.QUEUED, S.UPLOAD_FAILED),
    (S.QUEUED, S.DONE),
    (S.RUNNING, S.RUNNING),
    (S.RUNNING, S.UPLOADING),
    (S.RUNNING, S.UPLOAD_FAILED),
    (S.RUNNING, S.DONE),
    (S.RUNNING, S.FAILED),
    (S.UPLOADING, S.RUNNING),
    (S.UPLOADING, S.UPLOADING),
    (S.UPLOADING, S.UPLOAD_FAILED),
    (S.UPLOADING, S.DELIVERED),
    (S.UPLOAD_FAILED, S.RUNNING),
    (S.UPLOAD_FAILED, S.UPLOADING),
    (S.UPLOAD_FAILED, S.UPLOAD_FAILED),
    (S.UPLOAD_FAILED, S.DONE),
    (S.UPLOAD_FAILED, S.QUEUED),
    (S.UPLOAD_FAILED, S.FAILED),
    (S.FAILED, S.QUEUED),
}
PAIRS = [(current, to) for current in ALL for to in ALL]


def test_the_table_names_every_status():
    assert set(TRANSITIONS) == set(ALL)
    assert all(targets <= set(ALL) for targets in TRANSITIONS.values())


@pytest.mark.parametrize(("current", "to"), PAIRS)
def test_may_move(current, to):
    assert may_move(current, to) is ((current, to) in ALLOWED)


def test_the_status_groups_agree_with_the_table():
    assert all(not TRANSITIONS[status] for status in FINISHED)
    assert all(may_move(status, S.QUEUED) for status in RETRYABLE)
    assert not any(may_move(status, S.QUEUED) for status in set(ALL) - RETRYABLE)
    # A worker can take a runnable job somewhere; a failed one only goes back to queued.
    assert all(TRANSITIONS[status] - {S.QUEUED} for status in RUNNABLE)
    assert TRANSITIONS[S.FAILED] == {S.QUEUED}
    assert set(ENDS_A_RUN) == {S.DONE, S.DELIVERED, S.FAILED}


def _job(status: str) -> ReportJob:
    job = ReportJob.objects.create(
        kind="daily", period_start=date(2026, 10, 5), period_end=date(2026, 10, 5)
    )
    ReportJob.objects.filter(pk=job.pk).update(status=status)  # the state under test
    job.refresh_from_db()
    return job


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "to"), PAIRS)
def test_report_job_move(current, to):
    job = _job(current)
    before = job.updated_at

    if (current, to) not in ALLOWED:
        with pytest.raises(InvalidTransition) as refused:
            report_job_move(job, to)
        assert refused.value.extra == {"current_status": current}
        assert ReportJob.objects.get(pk=job.pk).status == current
        return

    moved = report_job_move(job, to, error="why", attempts=F("attempts") + 1)

    assert moved is job
    assert (job.status, job.error, job.attempts) == (to, "why", 1)
    assert job.updated_at > before
    assert (job.started_at is not None) is (to == S.RUNNING)
    assert (job.finished_at is not None) is (to in ENDS_A_RUN)


@pytest.mark.django_db
def test_the_move_checks_the_stored_status_not_the_callers_copy():
    """A worker holding an old copy (upload_failed) cannot deliver a job that the API
    has queued again meanwhile... but may take it from queued to uploading."""
    job = _job(S.FAILED)
    stale = ReportJob.objects.get(pk=job.pk)
    report_job_move(job, S.QUEUED)

    with pytest.raises(InvalidTransition):
        report_job_move(stale, S.DELIVERED)
    assert report_job_move(stale, S.UPLOADING).status == S.UPLOADING


@pytest.mark.django_db
def test_queuing_again_clears_the_end_of_the_previous_run():
    job = report_job_move(_job(S.RUNNING), S.FAILED)
    assert job.finished_at is not None

    assert report_job_move(job, S.QUEUED).finished_at is None

"""Failed uploads come back: the periodic requeue, with Celery eager and the private
Samba server (tests/samba.py) as the share."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from django.utils import timezone

from api.accounts.roles import Role
from api.notifications.models import Notification
from api.reports.models import ReportJob, ReportStatus
from api.reports.runner import report_job_give_up
from api.reports.services import report_job_request, report_jobs_requeue_failed_uploads
from tests.factories import make_user
from tests.samba import samba_configuration

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    return settings.REPORTS_DIR


def _request(capture, by) -> ReportJob:
    with capture(execute=True):
        job = report_job_request(kind="daily", period_start=date(2026, 10, 5), by=by)
    job.refresh_from_db()
    return job


def _requeue(capture) -> int:
    # Everything that failed up to now counts (the requeue normally waits 15 minutes).
    with capture(execute=True):
        return report_jobs_requeue_failed_uploads(older_than=timezone.now() + timedelta(seconds=1))


def test_a_failed_upload_is_delivered_by_the_requeue_once_the_share_answers(
    samba_outage, django_capture_on_commit_callbacks
):
    samba = samba_outage
    config = samba_configuration(samba)
    asker = make_user(Role.SUPERADMIN)
    samba.stop()

    job = _request(django_capture_on_commit_callbacks, asker)
    # Eagerly (inside the request) there is no waiting retry: upload_failed, and told so.
    assert job.status == ReportStatus.UPLOAD_FAILED
    assert Notification.objects.filter(recipient=asker, kind="report_failed").count() == 1
    report_job_give_up(job_id=job.pk, reason="share down")  # as a worker's last retry does
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED

    assert _requeue(django_capture_on_commit_callbacks) == 0  # the share still does not answer
    job.refresh_from_db()
    assert (job.status, job.upload_attempts) == (ReportStatus.FAILED, 1)

    samba.start()
    assert _requeue(django_capture_on_commit_callbacks) == 1

    job.refresh_from_db()
    assert job.status == ReportStatus.DELIVERED, job.error
    assert job.upload_attempts == 2
    assert (samba.plain_dir / config.path_prefix / job.file_name).exists()
    assert Notification.objects.filter(recipient=asker, kind="report_ready").count() == 1
    assert _requeue(django_capture_on_commit_callbacks) == 0  # nothing left to do


def test_the_requeue_tries_a_job_a_bounded_number_of_times_a_day(
    samba, settings, django_capture_on_commit_callbacks
):
    """A share that answers but refuses the file (here: a file where the report folder
    should be) is not hammered every ten minutes."""
    settings.REPORT_REQUEUE_MAX_PER_DAY = 2
    prefix = f"blocked-{secrets.token_hex(4)}"
    (samba.plain_dir / prefix).write_text("in the way")
    samba_configuration(samba, path_prefix=prefix)
    job = _request(django_capture_on_commit_callbacks, make_user(Role.SUPERADMIN))
    assert job.status == ReportStatus.UPLOAD_FAILED
    assert "not a folder" in job.error

    counts = [_requeue(django_capture_on_commit_callbacks) for _ in range(3)]

    job.refresh_from_db()
    assert counts == [1, 1, 0]
    assert (job.status, job.upload_attempts) == (ReportStatus.UPLOAD_FAILED, 3)


def test_the_requeue_leaves_build_failures_and_recent_failures_alone(
    samba, django_capture_on_commit_callbacks
):
    samba_configuration(samba)
    broken = ReportJob.objects.create(
        kind="daily", period_start=date(2026, 10, 5), period_end=date(2026, 10, 5)
    )
    # A failed build has no file; a fresh upload failure is the Celery retries' to take.
    ReportJob.objects.filter(pk=broken.pk).update(status=ReportStatus.FAILED)
    recent = ReportJob.objects.create(
        kind="daily", period_start=date(2026, 10, 6), period_end=date(2026, 10, 6)
    )
    ReportJob.objects.filter(pk=recent.pk).update(status=ReportStatus.UPLOAD_FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        assert report_jobs_requeue_failed_uploads() == 0  # the default waits 15 minutes
    assert _requeue(django_capture_on_commit_callbacks) == 1  # then the upload failure only

    assert ReportJob.objects.get(pk=broken.pk).status == ReportStatus.FAILED
    assert ReportJob.objects.get(pk=recent.pk).status == ReportStatus.DELIVERED

"""Report jobs through the API and the services, with Celery eager (the worker
process is exercised in test_worker.py) and no share configured."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from django.utils import timezone
from openpyxl import load_workbook

from api.accounts.roles import Role
from api.common.exceptions import InvalidInput
from api.notifications.models import Notification
from api.reports.models import ReportJob, ReportStatus
from api.reports.services import (
    report_job_request,
    report_job_schedule,
    reports_purge_local,
)
from tests.factories import make_department, make_employee, make_overtime, make_user

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/overtime-requests/export/"


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    settings.SMB_ENABLED = False
    return settings.REPORTS_DIR


@pytest.fixture
def october():
    """Two departments' requests in October 2026, one in November (outside)."""
    ops, eng = make_department(name="Ops"), make_department(name="Eng")
    ann, bo = make_employee(department=ops), make_employee(department=eng)

    def at(day, hour=18):
        return datetime(2026, 10, day, hour, tzinfo=UTC)

    for employee, day, hours, reason in (
        (ann, 5, 2, "Deploy"),
        (ann, 6, 3, "=cmd|' /C calc'!A0"),
        (bo, 7, 4, "Migration"),
    ):
        make_overtime(
            employee=employee,
            start_at=at(day),
            end_at=at(day, 18 + hours),
            status="approved",
            total_hours=Decimal(hours),
            net_hours=Decimal(hours),
            reason=reason,
        )
    make_overtime(
        employee=ann,
        start_at=datetime(2026, 11, 2, 18, tzinfo=UTC),
        status="approved",
        total_hours=Decimal(2),
        net_hours=Decimal(2),
    )
    return ops, eng


def export(client, django_capture_on_commit_callbacks, **body):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(EXPORT, {"kind": "monthly", "date": "2026-10-15", **body}, format="json")


def test_export_is_accepted_built_and_downloadable(
    client_for, october, django_capture_on_commit_callbacks
):
    admin = client_for(make_user(Role.SUPERADMIN))

    response = export(admin, django_capture_on_commit_callbacks)

    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == f"/api/v1/report-jobs/{job['id']}/"
    status = admin.get(response["Location"]).json()
    assert status["status"] == ReportStatus.DONE  # no share configured: kept locally
    assert (status["period_start"], status["period_end"]) == ("2026-10-01", "2026-10-31")
    assert status["row_count"] == 3
    assert status["file_name"] == f"overtime_monthly_2026-10_job{job['id']}.xlsx"

    download = admin.get(status["download_url"])
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    summary = pd.read_excel(io.BytesIO(content), sheet_name="Summary", header=2)
    total = summary[summary["Department"] == "All departments"].iloc[0]
    assert (total["Requests"], total["Net hours"]) == (3, 9)
    details = load_workbook(io.BytesIO(content))["Details"]
    reason = [cell.value for cell in details[3]].index("Reason")
    reasons = [cells[reason].value for cells in details.iter_rows(min_row=2)]
    assert "=cmd|' /C calc'!A0" in reasons  # stored as text, never as a formula


def test_department_admin_exports_only_their_department(
    client_for, october, django_capture_on_commit_callbacks
):
    ops, eng = october
    admin = make_user(Role.PTB_ADMIN, department=ops)
    client = client_for(admin)

    own = export(client, django_capture_on_commit_callbacks)
    other = export(client, django_capture_on_commit_callbacks, department=eng.pk)

    assert own.status_code == 202
    assert own.json()["filters"] == {"department": ops.pk}
    assert ReportJob.objects.get(pk=own.json()["id"]).row_count == 2
    assert other.status_code == 403


@pytest.mark.parametrize("role", [Role.USER, Role.STAFF])
def test_roles_without_export_are_refused(client_for, role, django_capture_on_commit_callbacks):
    response = export(client_for(make_user(role)), django_capture_on_commit_callbacks)

    assert response.status_code == 403
    assert not ReportJob.objects.exists()


def test_export_needs_authentication(api_client):
    assert api_client.post(EXPORT, {}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "weekly", "date": "2026-10-01"}, "kind"),
        ({"kind": "daily"}, "date"),
        ({"kind": "daily", "date": "2026-13-01"}, "date"),
        ({"kind": "daily", "date": "2026-10-01", "department": 999999}, "department"),
        ({"kind": "daily", "date": "2026-10-01", "status": ["nope"]}, "status.0"),
    ],
)
def test_bad_export_input_names_the_field(client_for, body, field):
    response = client_for(make_user(Role.SUPERADMIN)).post(EXPORT, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not ReportJob.objects.exists()


def test_exports_are_throttled_when_throttling_is_on(client_for, settings, october):
    # The settings fixture restores both after the test; the throttles read the rates
    # when they are used, so nothing of this test's rate stays behind.
    settings.THROTTLING_ENABLED = True
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "export": "2/min",
        },
    }
    client = client_for(make_user(Role.SUPERADMIN))

    codes = [
        client.post(EXPORT, {"kind": "daily", "date": "2026-10-05"}, format="json").status_code
        for _ in range(3)
    ]

    assert codes == [202, 202, 429]


def test_the_export_rate_of_a_test_does_not_outlive_it(settings):
    from rest_framework.settings import api_settings

    from api.common.throttling import ExportThrottle

    assert ExportThrottle().THROTTLE_RATES["export"] == settings.EXPORT_THROTTLE_RATE
    assert api_settings.DEFAULT_THROTTLE_RATES["export"] == settings.EXPORT_THROTTLE_RATE


def test_jobs_are_private_to_who_asked_except_for_global_admins(client_for, october):
    ops, _ = october
    asker = make_user(Role.PTB_ADMIN, department=ops)
    someone_else = make_user(Role.PTB_ADMIN, department=ops)
    job = report_job_request(kind="daily", period_start=date(2026, 10, 5), by=asker)

    assert client_for(asker).get(f"/api/v1/report-jobs/{job.pk}/").status_code == 200
    assert client_for(someone_else).get(f"/api/v1/report-jobs/{job.pk}/").status_code == 404
    listed = client_for(make_user(Role.SUPERADMIN)).get("/api/v1/report-jobs/").json()
    assert [j["id"] for j in listed["results"]] == [job.pk]


def test_only_failed_jobs_can_be_retried(client_for, django_capture_on_commit_callbacks):
    admin = make_user(Role.SUPERADMIN)
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_request(kind="daily", period_start=date(2026, 10, 5), by=admin)

    done = client.post(f"/api/v1/report-jobs/{job.pk}/retry/")
    ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.UPLOAD_FAILED, error="down")
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/api/v1/report-jobs/{job.pk}/retry/")

    assert done.status_code == 409
    assert "done" in done.json()["error"]["message"]
    assert retried.status_code == 202
    assert ReportJob.objects.get(pk=job.pk).status == ReportStatus.DONE  # ran again


def test_a_scheduled_report_is_created_once_per_period():
    first = report_job_schedule(kind="monthly", day=date(2026, 10, 31))
    again = report_job_schedule(kind="monthly", day=date(2026, 10, 1))

    assert first.pk == again.pk
    assert (first.period_start, first.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert first.requested_by is None


def test_an_inverted_period_is_refused():
    with pytest.raises(InvalidInput) as refused:
        report_job_request(
            kind="daily", period_start=date(2026, 10, 5), period_end=date(2026, 10, 4)
        )
    assert "period_end" in refused.value.errors


def test_old_local_files_are_purged(reports_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_request(kind="daily", period_start=date(2026, 10, 5))
    job.refresh_from_db()
    path = Path(reports_dir) / job.file
    assert path.exists()

    assert reports_purge_local(older_than=timezone.now() - timedelta(days=1)) == 0
    assert reports_purge_local(older_than=timezone.now() + timedelta(seconds=1)) == 1

    assert not path.exists()
    job.refresh_from_db()
    assert job.file == ""


def test_beat_schedules_every_periodic_job():
    from backend.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled == {
        "org.sync_directory",
        "kanban.send_due_reminders",
        "kanban.close_stale_presence",
        "realtime.purge_events",
        "reports.purge_local_files",
        "reports.requeue_stale",
        "reports.schedule",
        "calendar.import_holidays",
    }
    assert scheduled <= set(app.tasks)


def test_due_task_reminders_become_notifications_once():
    from api.kanban.models import TaskGroup, TaskReminder
    from api.kanban.services import task_create, task_reminders_send_due

    TaskGroup.objects.create(name="To do", position=0)
    owner = make_user()
    task = task_create(by=owner, title="Renew certificate")
    now = timezone.now()
    TaskReminder.objects.create(task=task, user=owner, remind_at=now - timedelta(minutes=1))
    TaskReminder.objects.create(task=task, user=owner, remind_at=now + timedelta(hours=1))

    assert task_reminders_send_due(now=now) == 1
    assert task_reminders_send_due(now=now) == 0
    notification = Notification.objects.get(recipient=owner, kind="task_reminder")
    assert notification.title == "Reminder: Renew certificate"
    reminder = TaskReminder.objects.get(sent_at__isnull=False)
    assert notification.data == {"resource": "tasks", "id": task.pk, "reminder": reminder.pk}


def test_jobs_whose_message_never_reached_a_worker_are_queued_again(
    django_capture_on_commit_callbacks,
):
    from api.reports.services import report_jobs_requeue_stale

    stuck = ReportJob.objects.create(
        kind="daily", period_start=date(2026, 10, 5), period_end=date(2026, 10, 5)
    )
    ReportJob.objects.filter(pk=stuck.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    fresh = ReportJob.objects.create(
        kind="daily", period_start=date(2026, 10, 6), period_end=date(2026, 10, 6)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert report_jobs_requeue_stale() == 1

    assert ReportJob.objects.get(pk=stuck.pk).status == ReportStatus.DONE
    assert ReportJob.objects.get(pk=fresh.pk).status == ReportStatus.QUEUED


def test_an_eager_upload_failure_shows_on_the_job_not_as_a_500(
    client_for, settings, django_capture_on_commit_callbacks
):
    """The embedded default runs tasks in the request: a dead share must not break it."""
    settings.SMB_ENABLED = True
    settings.SMB_SERVER, settings.SMB_SHARE_NAME, settings.SMB_PORT = "127.0.0.1", "x", 9
    settings.SMB_TIMEOUT = 2
    client = client_for(make_user(Role.SUPERADMIN))

    response = export(client, django_capture_on_commit_callbacks)

    assert response.status_code == 202
    job = ReportJob.objects.get(pk=response.json()["id"])
    assert job.status == ReportStatus.UPLOAD_FAILED
    assert job.error
    told = Notification.objects.get(kind="report_failed")
    assert told.data == {"resource": "reports", "id": job.pk, "status": "upload_failed"}

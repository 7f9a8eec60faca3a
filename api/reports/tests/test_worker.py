"""Real Celery worker processes, the real Redis broker, PostgreSQL and smbd: a report
queued through the API is built by a worker and lands on the share, survives a
worker killed mid-job, and waits out a share that is down; when it cannot, the
requester hears of it live on the notifications socket of a Daphne server."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest
import redis
from django.db import connection
from websockets.asyncio.client import connect

from api.accounts.roles import Role
from api.notifications.models import Notification
from api.overtime.models import OvertimeRequest
from api.realtime.tests.conftest import token_for
from api.reports.models import ReportJob, ReportStatus
from api.system.services import smb_config_create
from tests.factories import make_department, make_employee, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]

EXPORT = "/api/v1/overtime-requests/export/"


@pytest.fixture
def share(samba, settings, tmp_path):
    """The active SMB configuration points at the private smbd's plain share."""
    settings.REPORTS_DIR = tmp_path / "reports"
    # The smbd outlives a test; what an earlier test delivered must not count here.
    shutil.rmtree(samba.plain_dir / "reports", ignore_errors=True)
    admin = make_user(Role.SUPERADMIN)
    smb_config_create(
        data={
            "name": "test share",
            "server": "127.0.0.1",
            "port": samba.port,
            "share_name": "plain",
            "username": samba.username,
            "domain": "WORKGROUP",
            "path_prefix": "reports/overtime",
            "client": "pysmb",
            "timeout_seconds": 5,
            "is_active": True,
        },
        password=samba.password,
        by=admin,
    )
    return admin


def seed_october(count: int) -> None:
    department = make_department(name="Ops")
    employees = [make_employee(department=department) for _ in range(5)]
    author = make_user(with_employee=False)
    start = datetime(2026, 10, 1, 17, tzinfo=UTC)
    OvertimeRequest.objects.bulk_create(
        OvertimeRequest(
            employee=employees[n % 5],
            created_by=author,
            start_at=start + timedelta(minutes=7 * n),
            end_at=start + timedelta(minutes=7 * n + 60),
            reason=f"Batch {n}",
            status="approved",
            total_hours=Decimal(1),
            net_hours=Decimal(1),
        )
        for n in range(count)
    )


def wait_for(job_id: int, statuses: set[str], timeout: float = 90) -> ReportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ReportJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} stayed '{job.status}' ({job.error})")


def _broker():
    from django.conf import settings

    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def broker_contents() -> dict[str, int]:
    broker = _broker()
    return {"queued": broker.llen("celery"), "unacked": broker.hlen("unacked")}


def broker_holds_no_message(timeout: float) -> bool:
    """Polls the Redis transport's queue and its unacknowledged-message hash."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if broker_contents() == {"queued": 0, "unacked": 0}:
            return True
        time.sleep(0.2)
    return False


def worker_env(**extra: str) -> dict[str, str]:
    from django.conf import settings

    return {"REPORTS_DIR": str(settings.REPORTS_DIR), **extra}


def test_an_export_is_built_by_a_worker_and_delivered_to_the_share(
    share, samba, client_for, celery_worker_factory, settings
):
    seed_october(50)
    logs = settings.REPORTS_DIR.parent / "logs"
    worker = celery_worker_factory(**worker_env(LOG_TO_FILE="true", LOG_DIR=str(logs)))

    response = client_for(share).post(
        EXPORT, {"kind": "monthly", "date": "2026-10-01"}, format="json"
    )
    assert response.status_code == 202, response.content
    job = wait_for(response.json()["id"], {ReportStatus.DELIVERED, ReportStatus.FAILED})

    assert job.status == ReportStatus.DELIVERED, (job.error, worker.log()[-3000:])
    assert job.smb_path.endswith(job.file_name)
    delivered = samba.plain_dir / "reports" / "overtime" / job.file_name
    summary = pd.read_excel(io.BytesIO(delivered.read_bytes()), sheet_name="Summary", header=2)
    total = summary[summary["Department"] == "All departments"].iloc[0]
    assert (total["Requests"], total["Net hours"]) == (50, 50)
    # The worker's JSON log names the task and carries the API request's id.
    request_id = response["X-Request-ID"]
    celery_log = (logs / "celery.log").read_text()
    assert "reports.run_job" in celery_log
    assert request_id in celery_log


def test_a_worker_killed_mid_job_leaves_it_to_the_next_one_exactly_once(
    share, samba, client_for, celery_worker_factory
):
    seed_october(6000)
    # A short visibility timeout, so the killed worker's message comes back within the
    # test (production keeps it longer than the longest task).
    first = celery_worker_factory(**worker_env(CELERY_VISIBILITY_TIMEOUT="5"))
    response = client_for(share).post(
        EXPORT, {"kind": "monthly", "date": "2026-10-01"}, format="json"
    )
    job_id = response.json()["id"]
    wait_for(job_id, {ReportStatus.RUNNING}, timeout=60)

    first.kill()
    assert ReportJob.objects.get(pk=job_id).status == ReportStatus.RUNNING
    second = celery_worker_factory(**worker_env(CELERY_VISIBILITY_TIMEOUT="5"))
    job = wait_for(job_id, {ReportStatus.DELIVERED, ReportStatus.FAILED}, timeout=120)

    assert job.status == ReportStatus.DELIVERED, (job.error, second.log()[-3000:])
    assert job.attempts == 2  # built by the first (killed) and the second worker
    folder = samba.plain_dir / "reports" / "overtime"
    assert sorted(p.name for p in folder.iterdir()) == [job.file_name]  # once, no leftovers
    # Nothing can run it a third time: the broker holds no copy of the message, neither
    # queued nor unacknowledged (what the visibility timeout would bring back).
    assert broker_holds_no_message(timeout=30), broker_contents()
    assert ReportJob.objects.get(pk=job_id).attempts == 2
    assert "reports.run_job" in second.log()


def test_a_share_that_is_down_gets_the_report_once_it_is_back(
    share, samba_outage, client_for, celery_worker_factory
):
    samba = samba_outage  # started again after the test whatever happens
    seed_october(20)
    worker = celery_worker_factory(**worker_env(REPORT_UPLOAD_RETRY_BASE_SECONDS="1"))
    samba.stop()
    client = client_for(share)

    response = client.post(EXPORT, {"kind": "monthly", "date": "2026-10-01"}, format="json")
    job = wait_for(response.json()["id"], {ReportStatus.UPLOAD_FAILED}, timeout=60)

    status = client.get(f"/api/v1/report-jobs/{job.pk}/").json()
    assert status["status"] == "upload_failed"
    assert "share" in status["error"].lower()
    assert samba.password not in status["error"]
    folder = samba.plain_dir / "reports" / "overtime"
    assert not (folder / job.file_name).exists()
    # The file is kept locally and can be downloaded meanwhile.
    assert client.get(status["download_url"]).status_code == 200

    samba.start()
    job = wait_for(job.pk, {ReportStatus.DELIVERED}, timeout=90)
    assert (folder / job.file_name).exists(), worker.log()[-3000:]
    assert [p.name for p in folder.iterdir()] == [job.file_name]
    assert job.upload_attempts >= 2


def test_temp_only_keeps_no_local_copy_once_delivered(share, samba, client_for, settings):
    """In-process (Celery eager, as in the embedded default), EXCEL_TEMP_ONLY on."""
    settings.EXCEL_TEMP_ONLY = True
    seed_october(5)
    client = client_for(share)

    response = client.post(EXPORT, {"kind": "daily", "date": "2026-10-01"}, format="json")

    job = ReportJob.objects.get(pk=response.json()["id"])
    assert job.status == ReportStatus.DELIVERED
    assert (samba.plain_dir / "reports" / "overtime" / job.file_name).exists()
    assert not list(settings.REPORTS_DIR.iterdir())
    download = client.get(f"/api/v1/report-jobs/{job.pk}/download/")
    assert download.status_code == 404
    assert job.smb_path in download.json()["error"]["message"]


def test_a_delivered_report_reads_back_through_smbclient(share, samba, client_for, tmp_path):
    """What HR does: fetch the workbook from the share with Samba's own client (another
    SMB implementation than ours), then open it: every request of the month is listed."""
    seed_october(5)
    response = client_for(share).post(
        EXPORT, {"kind": "monthly", "date": "2026-10-01"}, format="json"
    )
    job = ReportJob.objects.get(pk=response.json()["id"])
    assert job.status == ReportStatus.DELIVERED

    fetched = tmp_path / "fetched.xlsx"
    command = f'cd reports/overtime; get "{job.file_name}" "{fetched}"'
    result = subprocess.run(
        ["smbclient", "//127.0.0.1/plain", "-p", str(samba.port), "-m", "SMB3",
         "-U", f"{samba.username}%{samba.password}", "-c", command],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    details = pd.read_excel(fetched, sheet_name="Details", header=2)
    assert len(details) == job.row_count == OvertimeRequest.objects.count()


def test_two_live_workers_never_run_one_job_at_the_same_time(
    share, samba, client_for, celery_worker_factory
):
    """A second message for a job that a live worker is running (a redelivery, a retry
    clicked twice) reaches the other worker, which finds the job's advisory lock held
    and leaves it alone."""
    from api.reports.jobs import run_report_job

    seed_october(15000)  # long enough to build that the second message arrives meanwhile
    workers = [celery_worker_factory(**worker_env()) for _ in range(2)]
    response = client_for(share).post(
        EXPORT, {"kind": "monthly", "date": "2026-10-01"}, format="json"
    )
    job_id = response.json()["id"]
    wait_for(job_id, {ReportStatus.RUNNING}, timeout=60)
    # The busy worker runs one task at a time and prefetches none beyond it: this copy
    # goes to the idle one.
    run_report_job.apply_async(args=[job_id])

    job = wait_for(job_id, {ReportStatus.DELIVERED, ReportStatus.FAILED}, timeout=120)

    logs = [worker.log() for worker in workers]
    assert job.status == ReportStatus.DELIVERED, (job.error, logs)
    assert job.attempts == 1
    refused = f"report job {job_id} is being run by another worker"
    assert sum(refused in log for log in logs) == 1, logs
    assert sum("reports.run_job" in log and "received" in log for log in logs) == 2
    folder = samba.plain_dir / "reports" / "overtime"
    assert sorted(p.name for p in folder.iterdir()) == [job.file_name]


def test_a_share_down_for_every_retry_fails_the_job_and_tells_the_requester(
    share, samba_outage, client_for, celery_worker_factory
):
    """REPORT_UPLOAD_MAX_RETRIES retries, not Celery's default three; after the last the
    job is failed, says why, and the requester is notified."""
    samba = samba_outage
    seed_october(5)
    worker = celery_worker_factory(
        **worker_env(REPORT_UPLOAD_RETRY_BASE_SECONDS="0.05", REPORT_UPLOAD_MAX_RETRIES="4")
    )
    samba.stop()

    response = client_for(share).post(
        EXPORT, {"kind": "monthly", "date": "2026-10-01"}, format="json"
    )
    job = wait_for(response.json()["id"], {ReportStatus.FAILED}, timeout=90)

    assert job.upload_attempts == 5, worker.log()[-3000:]  # the first try and 4 retries
    assert job.error.startswith("upload retries exhausted: "), job.error
    assert "nothing accepts SMB connections" in job.error
    assert samba.password not in job.error
    assert job.finished_at is not None
    failed = Notification.objects.get(recipient=share, kind="report_failed")
    assert failed.data == {"resource": "reports", "id": job.pk, "status": "failed"}
    assert not Notification.objects.filter(recipient=share, kind="report_ready").exists()


async def _until(ws, wanted, timeout: float) -> dict:
    """The first message `wanted(message)` accepts, reading past the others."""
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if wanted(message):
                return message


def test_the_requester_sees_report_failed_live_when_the_retries_are_exhausted(
    share, samba_outage, client_for, celery_worker_factory, daphne_factory
):
    """A worker gives the job up with the share down; the requester's notifications
    socket, open on a Daphne server (another process), receives the report_failed
    notification as it is created, without asking."""
    samba = samba_outage
    seed_october(5)
    server = daphne_factory()
    worker = celery_worker_factory(
        **worker_env(REPORT_UPLOAD_RETRY_BASE_SECONDS="0.05", REPORT_UPLOAD_MAX_RETRIES="2")
    )
    samba.stop()
    client, token = client_for(share), token_for(share)

    def export():
        # In a thread of its own (the socket's loop runs here): its connection is
        # closed after, so that none is left open on the test database.
        try:
            return client.post(EXPORT, {"kind": "monthly", "date": "2026-10-01"}, format="json")
        finally:
            connection.close()

    async def scenario() -> tuple[int, dict]:
        async with connect(f"{server.ws_url}/ws/notifications/", origin=server.url) as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            await _until(ws, lambda m: m["type"] == "subscribed", timeout=15)
            response = await asyncio.to_thread(export)
            assert response.status_code == 202, response.content
            job_id = response.json()["id"]
            created = await _until(
                ws,
                lambda m: (
                    m["type"] == "notification.created"
                    and m["payload"]["notification"]["kind"] in ("report_failed", "report_ready")
                ),
                timeout=90,
            )
            return job_id, created

    job_id, created = asyncio.run(scenario())

    job = ReportJob.objects.get(pk=job_id)
    assert job.status == ReportStatus.FAILED, (job.status, worker.log()[-3000:])
    assert job.upload_attempts == 3  # the first try and 2 retries, then given up
    notification = created["payload"]["notification"]
    assert notification["kind"] == "report_failed"
    assert notification["data"] == {"resource": "reports", "id": job_id, "status": "failed"}
    assert job.file_name in notification["title"]
    assert created["stream"] == f"user.{share.pk}"
    assert created["payload"]["unread_count"] == 1
    # The one the socket showed is the one stored for the REST list.
    stored = Notification.objects.get(recipient=share, kind="report_failed")
    assert notification["id"] == stored.pk

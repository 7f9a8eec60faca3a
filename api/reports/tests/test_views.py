"""202 answers describe the job as it is when the answer is sent.

These tests commit for real (transaction=True): the job is queued at commit and, with
eager Celery, runs before the view answers, as it does in the embedded deployment.
The share is a closed port, so the upload fails at once.
"""

import pytest

from api.accounts.roles import Role
from api.reports.models import ReportJob, ReportStatus
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

EXPORT = "/api/v1/overtime-requests/export/"


@pytest.fixture(autouse=True)
def dead_share(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SMB_ENABLED = True
    settings.SMB_SERVER, settings.SMB_SHARE_NAME, settings.SMB_PORT = "127.0.0.1", "x", 9
    settings.SMB_TIMEOUT = 2


def test_the_export_answer_shows_the_job_after_its_eager_run(client_for):
    client = client_for(make_user(Role.SUPERADMIN))

    response = client.post(EXPORT, {"kind": "monthly", "date": "2026-10-15"}, format="json")

    assert response.status_code == 202, response.content
    stored = ReportJob.objects.get(pk=response.json()["id"])
    assert stored.status == ReportStatus.UPLOAD_FAILED
    assert response.json()["status"] == stored.status
    assert response.json()["error"] == stored.error


def test_the_retry_answer_shows_the_job_failed_again_not_queued(client_for):
    client = client_for(make_user(Role.SUPERADMIN))
    job_id = client.post(EXPORT, {"kind": "daily", "date": "2026-10-05"}, format="json").json()[
        "id"
    ]

    retried = client.post(f"/api/v1/report-jobs/{job_id}/retry/")

    assert retried.status_code == 202, retried.content
    stored = ReportJob.objects.get(pk=job_id)
    assert stored.status == ReportStatus.UPLOAD_FAILED
    assert stored.upload_attempts == 2  # it did run again
    assert retried.json()["status"] == ReportStatus.UPLOAD_FAILED

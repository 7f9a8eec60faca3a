"""The base viewsets: what every resource's actions share."""

from __future__ import annotations

import pytest

from api.accounts.roles import Role
from api.reports.models import ReportJob, ReportKind, ReportStatus
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/api/v1/notifications/mark-all-read/", Role.STAFF),
        ("/api/v1/report-jobs/{job}/retry/", Role.SUPERADMIN),
    ],
)
def test_an_action_that_reads_no_body_refuses_one(client_for, path, role):
    """A mark-read or a retry reads nothing: a key sent is named, not dropped."""
    user = make_user(role)
    job = ReportJob.objects.create(
        kind=ReportKind.DAILY,
        period_start="2026-10-01",
        period_end="2026-10-01",
        requested_by=user,
        status=ReportStatus.UPLOAD_FAILED,
    )
    response = client_for(user).post(path.format(job=job.pk), {"note": "x"}, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"note": ["Unknown field."]}
    job.refresh_from_db()
    assert job.status == ReportStatus.UPLOAD_FAILED

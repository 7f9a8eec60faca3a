"""POST /overtime-requests/bulk-decide/: each request decided on its own by the
single-call service, audited and notified; refusals come back per id."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.notifications.models import Notification, NotificationKind
from api.overtime import services
from api.overtime.models import OvertimeRequest, OvertimeStatus
from tests.factories import make_department, make_regulation, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/overtime-requests/bulk-decide/"
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def office():
    make_regulation(second_approval_threshold_hours=Decimal("3"))
    ops, sales = make_department(code="OPS"), make_department(code="SAL")
    return {
        "staff": make_user(Role.STAFF, department=ops),
        "admin": make_user(Role.PTB_ADMIN, department=ops),
        "outsider": make_user(Role.STAFF, department=sales),
    }


def submitted(user, day: int) -> OvertimeRequest:
    start = datetime(2026, 11, day, 18, tzinfo=JAKARTA)
    draft = services.overtime_request_create(
        by=user, start_at=start, end_at=start + timedelta(hours=1), reason="Stock count"
    )
    return services.overtime_request_submit(overtime_request=draft, by=user)


def test_mixed_outcomes_each_as_a_single_call_would_get(office, client_for):
    fine = submitted(office["staff"], 16)
    decided = submitted(office["staff"], 17)
    services.overtime_request_approve(overtime_request=decided, by=office["admin"])
    elsewhere = submitted(office["outsider"], 18)  # another department: not visible
    own = submitted(office["admin"], 19)  # nobody decides on their own overtime
    admin = client_for(office["admin"])

    ids = [fine.pk, decided.pk, elsewhere.pk, own.pk, 999999]
    response = admin.post(URL, {"ids": ids, "action": "approve", "note": "OK"}, format="json")

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0] == {"id": fine.pk, "status": "approved"}
    assert results[1]["error"]["status"] == 409
    assert results[1]["error"]["code"] == "invalid_transition"
    assert results[2]["error"]["status"] == 404
    assert results[3]["error"]["status"] == 403
    assert results[4] == {"id": 999999, "error": results[2]["error"]}  # no such request
    # What the single calls answer for the same requests.
    assert admin.post(f"/api/v1/overtime-requests/{elsewhere.pk}/approve/").status_code == 404
    assert admin.post(f"/api/v1/overtime-requests/{own.pk}/approve/").status_code == 403
    assert admin.post(f"/api/v1/overtime-requests/{decided.pk}/approve/").status_code == 409

    assert OvertimeRequest.objects.get(pk=fine.pk).first_approval_note == "OK"
    assert OvertimeRequest.objects.get(pk=elsewhere.pk).status == OvertimeStatus.SUBMITTED
    assert OvertimeRequest.objects.get(pk=own.pk).status == OvertimeStatus.SUBMITTED
    log = UserActivityLog.objects.get(object_id=str(fine.pk), action="approve")
    assert log.user == office["admin"]
    told = Notification.objects.filter(kind=NotificationKind.OVERTIME_APPROVED)
    assert [(note.recipient, note.data["id"]) for note in told.order_by("id")] == [
        (office["staff"], decided.pk),
        (office["staff"], fine.pk),
    ]


def test_a_bulk_reject_gives_the_note_as_reason(office, client_for):
    first, second = submitted(office["staff"], 16), submitted(office["staff"], 17)
    admin = client_for(office["admin"])

    body = {"ids": [first.pk, second.pk, first.pk], "action": "reject", "note": "Budget"}
    results = admin.post(URL, body, format="json").json()["results"]

    assert results == [
        {"id": first.pk, "status": "rejected"},
        {"id": second.pk, "status": "rejected"},
    ]
    assert OvertimeRequest.objects.get(pk=second.pk).rejection_reason == "Budget"
    assert UserActivityLog.objects.filter(action="reject").count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": [1], "action": "reject", "note": "  "}, "note"),
        ({"ids": [1], "action": "reject"}, "note"),
        ({"ids": [], "action": "approve"}, "ids"),
        ({"ids": list(range(1, 202)), "action": "approve"}, "ids"),
        ({"ids": ["x"], "action": "approve"}, "ids.0"),
        ({"ids": [1], "action": "cancel"}, "action"),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(office, client_for, body, field):
    response = client_for(office["admin"]).post(URL, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_people_who_may_not_decide_are_refused_outright(office, client_for):
    request = submitted(office["staff"], 16)

    response = client_for(office["staff"]).post(
        URL, {"ids": [request.pk], "action": "approve"}, format="json"
    )

    assert response.status_code == 403
    assert OvertimeRequest.objects.get(pk=request.pk).status == OvertimeStatus.SUBMITTED

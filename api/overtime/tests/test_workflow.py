"""The overtime request life cycle through the API: who may do what, in which state,
what is recorded, who is told."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.notifications.models import Notification, NotificationKind
from api.overtime.models import OvertimeStatus
from tests.factories import make_department, make_overtime, make_regulation, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/overtime-requests/"
DAY = date(2026, 11, 17)


def at(hour: int, minute: int = 0) -> str:
    tz = timezone.get_current_timezone()
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=tz).isoformat()


@pytest.fixture
def team(client_for):
    """An employee, their department admin, a superadmin and an outsider admin."""
    department = make_department(code="OPS")
    make_regulation(second_approval_threshold_hours=Decimal("2"))  # global
    people = {
        "employee": make_user(Role.STAFF, department=department),
        "admin": make_user(Role.PTB_ADMIN, department=department),
        "other_admin": make_user(Role.PTB_ADMIN),
        "superadmin": make_user(Role.SUPERADMIN),
        "superadmin2": make_user(Role.SUPERADMIN),
        "reader": make_user(Role.USER, department=department),
    }
    return {name: client_for(user) for name, user in people.items()} | {"users": people}


def create(client, hours=(18, 20), submit=False, **extra):
    payload = {
        "start_at": at(hours[0]),
        "end_at": at(hours[1]),
        "reason": "Month-end closing",
        "submit": submit,
        **extra,
    }
    response = client.post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def act(client, request_id, action, **body):
    return client.post(f"{URL}{request_id}/{action}/", body, format="json")


def test_draft_submit_approve_records_who_when_and_why(team):
    draft = create(team["employee"])
    assert draft["status"] == OvertimeStatus.DRAFT

    submitted = act(team["employee"], draft["id"], "submit").json()
    approved = act(team["admin"], draft["id"], "approve", note="Thanks").json()

    assert submitted["status"] == OvertimeStatus.SUBMITTED
    assert submitted["submitted_at"]
    assert approved["status"] == OvertimeStatus.APPROVED
    assert approved["first_approved_by"]["id"] == team["users"]["admin"].pk
    assert approved["first_approved_at"]
    assert approved["first_approval_note"] == "Thanks"


def test_above_threshold_goes_to_second_approval_and_needs_a_superadmin(team):
    request = create(team["employee"], hours=(18, 21), submit=True)  # 3 h > 2 h threshold
    assert request["requires_second_approval"] is True

    first = act(team["admin"], request["id"], "approve").json()
    assert first["status"] == OvertimeStatus.PENDING_SECOND_APPROVAL
    by_admin_again = act(team["admin"], request["id"], "approve")
    second = act(team["superadmin"], request["id"], "approve", note="OK for audit").json()

    assert by_admin_again.status_code == 403
    assert second["status"] == OvertimeStatus.APPROVED
    assert second["second_approved_by"]["id"] == team["users"]["superadmin"].pk
    assert second["second_approval_note"] == "OK for audit"
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert NotificationKind.OVERTIME_SECOND_APPROVAL in kinds
    assert Notification.objects.filter(
        recipient=team["users"]["superadmin2"], kind=NotificationKind.OVERTIME_SECOND_APPROVAL
    ).exists()


def test_superadmin_approving_first_covers_both_levels(team):
    request = create(team["employee"], hours=(18, 21), submit=True)

    approved = act(team["superadmin"], request["id"], "approve").json()

    assert approved["status"] == OvertimeStatus.APPROVED
    assert approved["first_approved_by"]["id"] == approved["second_approved_by"]["id"]


def test_second_approval_by_the_first_approver_is_refused(team):
    request = create(team["employee"], hours=(18, 21), submit=True)
    superadmin = team["users"]["superadmin"]
    # Make the superadmin also the department's first approver.
    from api.overtime.models import OvertimeRequest

    OvertimeRequest.objects.filter(pk=request["id"]).update(
        status=OvertimeStatus.PENDING_SECOND_APPROVAL, first_approved_by=superadmin
    )

    assert act(team["superadmin"], request["id"], "approve").status_code == 403
    assert act(team["superadmin2"], request["id"], "approve").status_code == 200


def test_reject_needs_a_reason_and_tells_the_owner(team):
    request = create(team["employee"], submit=True)

    no_reason = act(team["admin"], request["id"], "reject")
    rejected = act(team["admin"], request["id"], "reject", reason="Not budgeted").json()

    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["error"]["fields"]
    assert rejected["status"] == OvertimeStatus.REJECTED
    assert rejected["rejection_reason"] == "Not budgeted"
    assert rejected["rejected_by"]["id"] == team["users"]["admin"].pk
    note = Notification.objects.get(recipient=team["users"]["employee"])
    assert note.kind == NotificationKind.OVERTIME_REJECTED
    assert note.message == "Not budgeted"


def test_submit_notifies_the_department_admins_only(team):
    create(team["employee"], submit=True)

    recipients = set(
        Notification.objects.filter(kind=NotificationKind.OVERTIME_SUBMITTED).values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {team["users"]["admin"].pk}


@pytest.mark.parametrize(
    ("setup", "action", "by"),
    [
        ("approved", "approve", "admin"),
        ("approved", "reject", "admin"),
        ("approved", "cancel", "employee"),
        ("rejected", "submit", "employee"),
        ("cancelled", "approve", "admin"),
        ("draft", "approve", "admin"),
        ("submitted", "submit", "employee"),
    ],
)
def test_illegal_transitions_are_409_saying_the_current_state(team, setup, action, by):
    request = create(team["employee"])
    if setup != "draft":
        act(team["employee"], request["id"], "submit")
    if setup == "approved":
        act(team["admin"], request["id"], "approve")
    elif setup == "rejected":
        act(team["admin"], request["id"], "reject", reason="No")
    elif setup == "cancelled":
        act(team["employee"], request["id"], "cancel")

    response = act(
        team[by], request["id"], action, **({"reason": "x"} if action == "reject" else {})
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["current_status"] == setup
    assert setup in error["message"]


def test_owner_cancels_before_a_decision(team):
    request = create(team["employee"], submit=True)

    cancelled = act(team["employee"], request["id"], "cancel").json()

    assert cancelled["status"] == OvertimeStatus.CANCELLED
    assert cancelled["cancelled_at"]


def test_only_the_owner_submits_or_cancels(team):
    request = create(team["employee"])

    assert act(team["admin"], request["id"], "submit").status_code == 403
    assert act(team["admin"], request["id"], "cancel").status_code == 403


def test_nobody_approves_their_own_overtime(team):
    request = create(team["admin"], submit=True)

    assert act(team["admin"], request["id"], "approve").status_code == 403


def test_admin_of_another_department_neither_sees_nor_decides(team):
    request = create(team["employee"], submit=True)

    assert team["other_admin"].get(f"{URL}{request['id']}/").status_code == 404
    assert act(team["other_admin"], request["id"], "approve").status_code == 404


def test_user_role_reads_only(team):
    own = team["reader"].post(
        URL, {"start_at": at(18), "end_at": at(19), "reason": "x"}, format="json"
    )

    assert own.status_code == 403
    assert team["reader"].get(URL).status_code == 200


def test_visibility_own_department_everything(team):
    mine = create(team["employee"], submit=True)
    other = create(team["other_admin"], hours=(10, 11), submit=True)

    def ids(client):
        return {row["id"] for row in client.get(URL).json()["results"]}

    assert ids(team["employee"]) == {mine["id"]}
    assert ids(team["admin"]) == {mine["id"]}
    assert ids(team["other_admin"]) == {other["id"]}
    assert ids(team["superadmin"]) == {mine["id"], other["id"]}
    assert ids(team["reader"]) == set()


def test_drafts_are_editable_and_deletable_then_frozen(team):
    request = create(team["employee"])
    url = f"{URL}{request['id']}/"

    edited = team["employee"].patch(
        url, {"reason": "Inventory count", "end_at": at(21)}, format="json"
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["net_hours"] == "3.00"
    act(team["employee"], request["id"], "submit")

    frozen = team["employee"].patch(url, {"reason": "changed"}, format="json")
    undeletable = team["employee"].delete(url)

    assert frozen.status_code == 409
    assert undeletable.status_code == 409
    draft = create(team["employee"], hours=(10, 11))
    assert team["employee"].delete(f"{URL}{draft['id']}/").status_code == 204


def test_every_step_is_audited_with_field_changes(team):
    request = create(team["employee"])
    team["employee"].patch(f"{URL}{request['id']}/", {"reason": "Audit prep"}, format="json")
    act(team["employee"], request["id"], "submit")
    act(team["admin"], request["id"], "approve", note="fine")

    logs = list(UserActivityLog.objects.filter(object_id=str(request["id"])).order_by("id"))
    assert [log.action for log in logs] == ["create", "update", "submit", "approve"]
    assert logs[1].changes["reason"] == {"old": "Month-end closing", "new": "Audit prep"}
    assert logs[2].changes["status"] == {"old": "draft", "new": "submitted"}
    assert logs[3].changes["status"] == {"old": "submitted", "new": "approved"}
    assert logs[3].user == team["users"]["admin"]
    assert logs[3].resource == "overtime_requests"
    assert logs[3].department_id == team["users"]["employee"].employee.department_id
    assert logs[3].ip_address == "127.0.0.1"


def test_admin_files_overtime_for_an_employee_of_their_department(team):
    employee = team["users"]["employee"].employee

    filed = create(team["admin"], employee=employee.pk)
    foreign = team["other_admin"].post(
        URL,
        {"start_at": at(9), "end_at": at(10), "reason": "x", "employee": employee.pk},
        format="json",
    )

    assert filed["employee"]["id"] == employee.pk
    assert foreign.status_code == 403


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    team, page_size, django_assert_max_num_queries
):
    for hour in range(60):
        day = date(2026, 1, 1).toordinal() + hour
        start = datetime.fromordinal(day).replace(hour=18, tzinfo=timezone.get_current_timezone())
        team["employee"].post(
            URL,
            {
                "start_at": start.isoformat(),
                "end_at": start.replace(hour=19).isoformat(),
                "reason": "x",
                "breaks": [],
                "submit": False,
            },
            format="json",
        )
    client = team["superadmin"]
    client.get(URL)  # the session's first request records its activity (one UPDATE)

    # count + page (its breaks and decision makers in the same statement on
    # PostgreSQL, a query of its own on SQLite), whatever the size (overrides are
    # cached by now).
    expected = 2 if connection.vendor == "postgresql" else 3
    with django_assert_max_num_queries(expected) as captured:
        response = client.get(f"{URL}?page_size={page_size}")

    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == expected


def test_an_approval_costs_the_same_queries_whatever_the_owners_history(team):
    def approval_queries(hours) -> int:
        draft = create(team["employee"], hours=hours, submit=True)
        with CaptureQueriesContext(connection) as queries:
            response = act(team["admin"], draft["id"], "approve")
        assert response.status_code == 200, response.content
        assert response.json()["first_approved_by"]["id"] == team["users"]["admin"].pk
        return len(queries)

    approval_queries((6, 7))  # the admin's session records its first activity
    short = approval_queries((7, 8))
    employee = team["users"]["employee"].employee
    first = timezone.now().replace(microsecond=0) - timedelta(days=400)
    for day in range(40):
        make_overtime(
            employee=employee,
            start_at=first + timedelta(days=day),
            end_at=first + timedelta(days=day, hours=1),
            status=OvertimeStatus.APPROVED,
        )
    long = approval_queries((8, 9))

    assert long == short
    if connection.vendor == "postgresql":
        # Found, locked with its owner, saved, audited, the owner notified (row,
        # unread count, event), answered: no user read back for the notification.
        assert short == 13
    notification = Notification.objects.filter(kind=NotificationKind.OVERTIME_APPROVED).latest("id")
    assert notification.actor_id == team["users"]["admin"].pk

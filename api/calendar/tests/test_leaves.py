"""Employee leave through the API: filing, the approval workflow, scope and side effects."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.calendar.models import EmployeeLeave, LeaveStatus
from api.calendar.tests.factories import make_leave
from api.notifications.models import Notification, NotificationKind
from tests.factories import make_department, make_employee, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/employee-leaves/"


@pytest.fixture
def team(client_for):
    """An employee, their department admin, an admin elsewhere and a superadmin."""
    department = make_department(code="OPS")
    people = {
        "employee": make_user(Role.STAFF, department=department),
        "admin": make_user(Role.PTB_ADMIN, department=department),
        "other_admin": make_user(Role.PTB_ADMIN),
        "superadmin": make_user(Role.SUPERADMIN),
    }
    clients = {name: client_for(user) for name, user in people.items()}
    return clients | {"users": people, "department": department}


def file(client, start="2026-07-06", end="2026-07-08", **extra):
    payload = {"leave_type": "annual", "start_date": start, "end_date": end, **extra}
    response = client.post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def act(client, leave_id, action, **body):
    return client.post(f"{URL}{leave_id}/{action}/", body, format="json")


def ids(client, query="") -> list[int]:
    response = client.get(f"{URL}{query}")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_staff_file_their_own_leave_and_their_admins_hear_of_it(team):
    leave = file(team["employee"], reason="Family visit")

    assert leave["status"] == LeaveStatus.PENDING
    assert leave["employee"]["id"] == team["users"]["employee"].employee.pk
    assert leave["days"] == 3
    note = Notification.objects.get()
    assert note.recipient == team["users"]["admin"]
    assert note.data["resource"] == "employee_leaves"
    assert note.message == "Family visit"


def test_admins_file_for_their_department_only(team):
    employee = team["users"]["employee"].employee

    filed = file(team["admin"], employee=employee.pk)
    foreign = team["other_admin"].post(
        URL,
        {"leave_type": "sick", "start_date": "2026-08-03", "end_date": "2026-08-03"}
        | {"employee": employee.pk},
        format="json",
    )
    anywhere = file(team["superadmin"], start="2026-09-01", end="2026-09-01", employee=employee.pk)

    assert filed["employee"]["id"] == employee.pk
    assert foreign.status_code == 403
    assert anywhere["employee"]["id"] == employee.pk


def test_staff_cannot_file_for_someone_else(team):
    colleague = make_employee(department=team["department"])

    response = team["employee"].post(
        URL,
        {"leave_type": "annual", "start_date": "2026-07-06", "end_date": "2026-07-06"}
        | {"employee": colleague.pk},
        format="json",
    )

    assert response.status_code == 403


def test_an_account_without_employee_record_must_name_the_employee(client_for):
    response = client_for(make_user(Role.SUPERADMIN, with_employee=False)).post(
        URL, {"leave_type": "annual", "start_date": "2026-07-06", "end_date": "2026-07-06"}
    )

    assert response.status_code == 400
    assert "employee" in response.json()["error"]["fields"]


def test_leave_ending_before_it_starts_is_400_naming_end_date(team):
    response = team["employee"].post(
        URL, {"leave_type": "annual", "start_date": "2026-07-06", "end_date": "2026-07-05"}
    )
    leave = file(team["employee"])
    edit = team["employee"].patch(f"{URL}{leave['id']}/", {"start_date": "2026-07-10"})

    assert response.status_code == 400
    assert "end_date" in response.json()["error"]["fields"]
    assert edit.status_code == 400
    assert "end_date" in edit.json()["error"]["fields"]


@pytest.mark.parametrize("status", [LeaveStatus.PENDING, LeaveStatus.APPROVED])
def test_overlapping_active_leave_is_400_naming_start_date(team, status):
    make_leave(
        employee=team["users"]["employee"].employee,
        start_date=date(2026, 7, 8),
        end_date=date(2026, 7, 10),
        status=status,
    )

    response = team["employee"].post(
        URL, {"leave_type": "sick", "start_date": "2026-07-06", "end_date": "2026-07-08"}
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert "start_date" in error["fields"]
    assert error["code"] == "overlapping_leave"


@pytest.mark.parametrize("status", [LeaveStatus.REJECTED, LeaveStatus.CANCELLED])
def test_rejected_or_cancelled_leave_does_not_block_the_days(team, status):
    make_leave(employee=team["users"]["employee"].employee, status=status)

    file(team["employee"])


def test_editing_pending_leave_does_not_clash_with_itself(team):
    leave = file(team["employee"])

    response = team["employee"].patch(f"{URL}{leave['id']}/", {"end_date": "2026-07-09"})

    assert response.status_code == 200, response.content
    assert response.json()["days"] == 4
    log = UserActivityLog.objects.get(resource="employee_leaves", action="update")
    assert log.changes == {"end_date": {"old": "2026-07-08", "new": "2026-07-09"}}


def test_approval_records_who_when_why_and_tells_the_employee(team):
    leave = file(team["employee"])

    approved = act(team["admin"], leave["id"], "approve", note="Enjoy").json()

    assert approved["status"] == LeaveStatus.APPROVED
    assert approved["decided_by"]["id"] == team["users"]["admin"].pk
    assert approved["decided_at"]
    assert approved["decision_note"] == "Enjoy"
    note = Notification.objects.get(kind=NotificationKind.LEAVE_DECIDED)
    assert note.recipient == team["users"]["employee"]
    assert note.data["status"] == "approved"
    log = UserActivityLog.objects.get(resource="employee_leaves", action="approve")
    assert log.changes["status"] == {"old": "pending", "new": "approved"}
    assert log.department_id == team["department"].pk


def test_rejection_needs_a_reason_which_is_kept_and_told(team):
    leave = file(team["employee"])

    no_reason = act(team["admin"], leave["id"], "reject")
    rejected = act(team["admin"], leave["id"], "reject", reason="Stocktaking week").json()

    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["error"]["fields"]
    assert rejected["status"] == LeaveStatus.REJECTED
    assert rejected["decision_note"] == "Stocktaking week"
    note = Notification.objects.get(kind=NotificationKind.LEAVE_DECIDED)
    assert note.message == "Stocktaking week"


def test_nobody_decides_their_own_leave(team):
    leave = file(team["admin"])

    assert act(team["admin"], leave["id"], "approve").status_code == 403
    assert act(team["superadmin"], leave["id"], "approve").status_code == 200


def test_staff_cannot_decide_and_outsiders_do_not_see(team):
    leave = file(team["employee"])

    assert act(team["employee"], leave["id"], "approve").status_code == 403
    assert act(team["other_admin"], leave["id"], "approve").status_code == 404


@pytest.mark.parametrize(
    ("status", "action", "method"),
    [
        (LeaveStatus.APPROVED, "approve", "post"),
        (LeaveStatus.REJECTED, "approve", "post"),
        (LeaveStatus.APPROVED, "reject", "post"),
        (LeaveStatus.CANCELLED, "reject", "post"),
        (LeaveStatus.REJECTED, "cancel", "post"),
        (LeaveStatus.CANCELLED, "cancel", "post"),
        (LeaveStatus.APPROVED, "edit", "patch"),
        (LeaveStatus.REJECTED, "delete", "delete"),
    ],
)
def test_illegal_transitions_are_409_saying_the_current_state(team, status, action, method):
    leave = make_leave(
        employee=team["users"]["employee"].employee,
        status=status,
        start_date=timezone.localdate() + timedelta(days=30),
    )
    client = team["admin"]
    if method == "post":
        response = act(client, leave.pk, action, **({"reason": "x"} if action == "reject" else {}))
    elif method == "patch":
        response = client.patch(f"{URL}{leave.pk}/", {"reason": "x"}, format="json")
    else:
        response = client.delete(f"{URL}{leave.pk}/")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["current_status"] == status


def test_the_employee_cancels_pending_leave(team):
    leave = file(team["employee"])

    cancelled = act(team["employee"], leave["id"], "cancel")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == LeaveStatus.CANCELLED
    assert UserActivityLog.objects.filter(action="cancel", object_id=str(leave["id"])).exists()


def test_approved_leave_is_cancelled_before_it_starts_and_the_approver_is_told(team):
    leave = make_leave(
        employee=team["users"]["employee"].employee,
        status=LeaveStatus.APPROVED,
        decided_by=team["users"]["admin"],
        start_date=timezone.localdate() + timedelta(days=1),
    )

    response = act(team["employee"], leave.pk, "cancel")

    assert response.status_code == 200, response.content
    assert Notification.objects.get().recipient == team["users"]["admin"]


def test_approved_leave_that_has_started_cannot_be_cancelled(team):
    leave = make_leave(
        employee=team["users"]["employee"].employee,
        status=LeaveStatus.APPROVED,
        start_date=timezone.localdate(),
    )

    response = act(team["employee"], leave.pk, "cancel")

    assert response.status_code == 409
    assert response.json()["error"]["current_status"] == LeaveStatus.APPROVED


def test_pending_leave_is_deleted_by_its_employee(team):
    leave = file(team["employee"])

    assert team["employee"].delete(f"{URL}{leave['id']}/").status_code == 204
    assert not EmployeeLeave.objects.exists()
    assert UserActivityLog.objects.filter(resource="employee_leaves", action="delete").exists()


def test_visibility_own_department_everything(team, client_for):
    mine = file(team["employee"])
    elsewhere = make_leave(employee=team["users"]["other_admin"].employee)
    reader = client_for(make_user(Role.USER, department=team["department"]))

    assert ids(team["employee"]) == [mine["id"]]
    assert ids(team["admin"]) == [mine["id"]]
    assert ids(team["other_admin"]) == [elsewhere.pk]
    assert set(ids(team["superadmin"])) == {mine["id"], elsewhere.pk}
    assert ids(reader) == []


def test_filters_by_status_type_employee_department_and_overlap(team):
    employee = team["users"]["employee"].employee
    july = make_leave(employee=employee, start_date=date(2026, 7, 6), end_date=date(2026, 7, 8))
    august = make_leave(
        employee=employee,
        leave_type="sick",
        status=LeaveStatus.APPROVED,
        start_date=date(2026, 8, 3),
        end_date=date(2026, 8, 3),
    )
    other = make_leave(
        employee=make_employee(),
        start_date=date(2026, 7, 1),
        end_date=date(2026, 7, 31),
    )
    admin = team["superadmin"]

    assert ids(admin, "?status=approved") == [august.pk]
    assert ids(admin, "?leave_type=sick") == [august.pk]
    assert ids(admin, f"?employee={employee.pk}") == [august.pk, july.pk]
    assert ids(admin, f"?department={team['department'].pk}") == [august.pk, july.pk]
    assert ids(admin, "?end_date_from=2026-07-08&start_date_to=2026-07-09&ordering=start_date") == [
        other.pk,
        july.pk,
    ]


def test_approved_leave_blocks_overtime_on_those_days(team):
    leave = file(team["employee"], start="2026-07-06", end="2026-07-06")
    act(team["admin"], leave["id"], "approve")

    overtime = team["employee"].post(
        "/api/v1/overtime-requests/",
        {
            "start_at": "2026-07-06T18:00:00+07:00",
            "end_at": "2026-07-06T19:00:00+07:00",
            "reason": "Deploy",
            "submit": True,
        },
        format="json",
    )

    assert overtime.status_code == 400
    assert overtime.json()["error"]["code"] == "on_leave"


def test_list_query_count_does_not_depend_on_page_size(team, django_assert_max_num_queries):
    employee = team["users"]["employee"].employee
    for week in range(60):
        start = date(2026, 1, 5) + timedelta(weeks=week)
        make_leave(
            employee=employee,
            start_date=start,
            end_date=start,
            status=LeaveStatus.APPROVED,
            decided_by=team["users"]["admin"],
        )
    client = team["admin"]
    client.get(URL)  # the session's first request records its activity (one UPDATE)

    counts = {}
    for size in (1, 50):
        # user + own department + count + page
        with django_assert_max_num_queries(5) as captured:
            response = client.get(f"{URL}?page_size={size}")
        assert len(response.json()["results"]) == size
        counts[size] = len(captured.captured_queries)

    assert counts[1] == counts[50]

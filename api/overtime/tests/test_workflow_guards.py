"""The request workflow at the service layer (api/overtime/services/): who may take
each step, from which state, and what every step records (the row, the audit log)
and tells (the notifications). Calls the services directly, against the real database,
so refusals that the API would already turn into a 404 are checked too."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.common.exceptions import InvalidInput, InvalidTransition, NotAllowed
from api.notifications.models import Notification, NotificationKind
from api.overtime import services
from api.overtime.models import OvertimeRequest, OvertimeStatus
from tests.factories import make_department, make_regulation, make_user

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 17)  # never today: titles name the request's own day
S = OvertimeStatus


def at(hour: int, minute: int = 0) -> datetime:
    tz = timezone.get_current_timezone()
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=tz)


@pytest.fixture
def people():
    """A department with an employee, two admins and a read-only user; an admin of
    another department; two superadmins of a third one."""
    department = make_department(code="OPS")
    make_regulation(second_approval_threshold_hours=Decimal("2"))  # global
    boardroom = make_department(code="HQ")
    return {
        "employee": make_user(Role.STAFF, department=department),
        "colleague": make_user(Role.STAFF, department=department),
        "admin": make_user(Role.PTB_ADMIN, department=department),
        "admin2": make_user(Role.PTB_ADMIN, department=department),
        "reader": make_user(Role.USER, department=department),
        "other_admin": make_user(Role.PTB_ADMIN),
        "superadmin": make_user(Role.SUPERADMIN, department=boardroom),
        "superadmin2": make_user(Role.SUPERADMIN, department=boardroom),
    }


def draft(people, *, by="employee", hours=2, for_employee=None) -> OvertimeRequest:
    employee = people[for_employee].employee if for_employee else None
    return services.overtime_request_create(
        by=people[by],
        employee=employee,
        start_at=at(18),
        end_at=at(18 + hours),
        reason="Month-end closing",
    )


def submitted(people, hours=2, **kwargs) -> OvertimeRequest:
    request = draft(people, hours=hours, **kwargs)
    return services.overtime_request_submit(overtime_request=request, by=request.employee.user)


def refusal(exc_info) -> str:
    return str(exc_info.value.detail)


def notes(kind=None, **filters):
    rows = Notification.objects.filter(**filters).order_by("recipient_id")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows)


def audit(request: OvertimeRequest, action: str) -> UserActivityLog:
    return UserActivityLog.objects.get(object_id=str(request.pk), action=action)


# ----------------------------------------------------------------------- ownership


def test_an_admin_files_for_an_employee_who_then_submits_and_cancels(people):
    request = draft(people, by="admin", for_employee="employee")
    assert request.created_by == people["admin"]
    assert request.employee == people["employee"].employee

    request = services.overtime_request_submit(overtime_request=request, by=people["employee"])
    assert request.status == S.SUBMITTED

    request = services.overtime_request_cancel(overtime_request=request, by=people["employee"])
    assert request.status == S.CANCELLED


def test_the_admin_who_filed_may_submit_and_cancel_it_as_well(people):
    request = draft(people, by="admin", for_employee="employee")

    request = services.overtime_request_submit(overtime_request=request, by=people["admin"])
    assert request.status == S.SUBMITTED
    assert audit(request, "submit").user == people["admin"]

    request = services.overtime_request_cancel(overtime_request=request, by=people["admin"])
    assert request.status == S.CANCELLED


def test_the_admin_who_filed_may_not_decide_it_but_another_admin_may(people):
    request = draft(people, by="admin", for_employee="employee")
    request = services.overtime_request_submit(overtime_request=request, by=people["employee"])

    with pytest.raises(NotAllowed) as approving:
        services.overtime_request_approve(overtime_request=request, by=people["admin"])
    with pytest.raises(NotAllowed) as rejecting:
        services.overtime_request_reject(overtime_request=request, by=people["admin"], reason="No")

    assert refusal(approving) == refusal(rejecting) == "Nobody decides on their own overtime."
    approved = services.overtime_request_approve(overtime_request=request, by=people["admin2"])
    assert approved.status == S.APPROVED


def test_nobody_decides_on_their_own_overtime_even_a_superadmin(people):
    request = draft(people, by="superadmin")
    request = services.overtime_request_submit(overtime_request=request, by=people["superadmin"])

    with pytest.raises(NotAllowed) as own:
        services.overtime_request_approve(overtime_request=request, by=people["superadmin"])

    assert refusal(own) == "Nobody decides on their own overtime."
    assert services.overtime_request_approve(
        overtime_request=request, by=people["superadmin2"]
    ).status == (S.APPROVED)


@pytest.mark.parametrize("outsider", ["colleague", "admin", "superadmin"])
def test_only_the_owner_submits_or_cancels(people, outsider):
    request = draft(people)

    with pytest.raises(NotAllowed) as submitting:
        services.overtime_request_submit(overtime_request=request, by=people[outsider])
    with pytest.raises(NotAllowed) as cancelling:
        services.overtime_request_cancel(overtime_request=request, by=people[outsider])

    assert refusal(submitting) == "Only the owner of this request may submit it."
    assert refusal(cancelling) == "Only the owner of this request may cancel it."
    assert OvertimeRequest.objects.get(pk=request.pk).status == S.DRAFT


@pytest.mark.parametrize("outsider", ["colleague", "admin"])
def test_only_the_owner_or_a_global_admin_edits_or_deletes_a_draft(people, outsider):
    request = draft(people)

    with pytest.raises(NotAllowed) as editing:
        services.overtime_request_update(overtime_request=request, by=people[outsider], reason="x")
    with pytest.raises(NotAllowed) as deleting:
        services.overtime_request_delete(overtime_request=request, by=people[outsider])

    assert refusal(editing) == "Only the owner of this request may edit it."
    assert refusal(deleting) == "Only the owner of this request may delete it."
    edited = services.overtime_request_update(
        overtime_request=request, by=people["superadmin"], reason="Inventory"
    )
    assert edited.reason == "Inventory"
    services.overtime_request_delete(overtime_request=request, by=people["superadmin"])
    assert not OvertimeRequest.objects.filter(pk=request.pk).exists()


# ----------------------------------------------------------------------- states

ACTIONS = ("edit", "delete", "submit", "approve", "reject", "cancel")
ALLOWED = {
    S.DRAFT: {"edit", "delete", "submit", "cancel"},
    S.SUBMITTED: {"approve", "reject", "cancel"},
    S.PENDING_SECOND_APPROVAL: {"approve", "reject"},
    S.APPROVED: set(),
    S.REJECTED: set(),
    S.CANCELLED: set(),
}


def take(action: str, request: OvertimeRequest, people):
    match action:
        case "edit":
            return services.overtime_request_update(
                overtime_request=request, by=people["employee"], reason="Edited"
            )
        case "delete":
            return services.overtime_request_delete(overtime_request=request, by=people["employee"])
        case "submit":
            return services.overtime_request_submit(overtime_request=request, by=people["employee"])
        case "approve":
            return services.overtime_request_approve(
                overtime_request=request, by=people["superadmin"]
            )
        case "reject":
            return services.overtime_request_reject(
                overtime_request=request, by=people["superadmin"], reason="Not budgeted"
            )
        case "cancel":
            return services.overtime_request_cancel(overtime_request=request, by=people["employee"])
    raise AssertionError(action)


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_starts_only_from_its_states(people, status, action):
    request = draft(people)
    OvertimeRequest.objects.filter(pk=request.pk).update(status=status)
    request.refresh_from_db()

    if action in ALLOWED[status]:
        take(action, request, people)
        return
    with pytest.raises(InvalidTransition) as refused:
        take(action, request, people)

    assert refusal(refused) == f"Cannot {action} an overtime request that is {status}."
    assert refused.value.extra == {"current_status": status}
    assert OvertimeRequest.objects.get(pk=request.pk).status == status


# ----------------------------------------------------------------------- deciders


@pytest.mark.parametrize("who", ["colleague", "reader"])
def test_deciding_needs_the_approve_permission(people, who):
    request = submitted(people)

    with pytest.raises(NotAllowed) as approving:
        services.overtime_request_approve(overtime_request=request, by=people[who])
    with pytest.raises(NotAllowed) as rejecting:
        services.overtime_request_reject(overtime_request=request, by=people[who], reason="No")

    message = "Your permissions do not allow deciding overtime."
    assert refusal(approving) == refusal(rejecting) == message


def test_a_department_admin_decides_only_in_their_department(people):
    request = submitted(people)

    with pytest.raises(NotAllowed) as approving:
        services.overtime_request_approve(overtime_request=request, by=people["other_admin"])
    with pytest.raises(NotAllowed) as rejecting:
        services.overtime_request_reject(
            overtime_request=request, by=people["other_admin"], reason="No"
        )

    message = "You decide only on overtime of your own department."
    assert refusal(approving) == refusal(rejecting) == message
    assert OvertimeRequest.objects.get(pk=request.pk).status == S.SUBMITTED


def test_a_superadmin_of_another_department_decides(people):
    assert services.overtime_request_approve(
        overtime_request=submitted(people), by=people["superadmin"]
    ).status == (S.APPROVED)
    other = services.overtime_request_create(
        by=people["employee"], start_at=at(10), end_at=at(11), reason="Audit"
    )
    other = services.overtime_request_submit(overtime_request=other, by=people["employee"])
    assert services.overtime_request_reject(
        overtime_request=other, by=people["superadmin"], reason="No"
    ).status == (S.REJECTED)


# ----------------------------------------------------------------------- submit


def test_submit_records_checks_audits_and_tells_the_department_admins(people):
    request = draft(people, hours=3)
    # The draft already shows what the submit decides.
    assert request.requires_second_approval is True
    before = timezone.now()

    request = services.overtime_request_submit(overtime_request=request, by=people["employee"])

    stored = OvertimeRequest.objects.get(pk=request.pk)
    assert stored.status == S.SUBMITTED
    assert before <= stored.submitted_at <= timezone.now()
    assert stored.requires_second_approval is True  # 3 h above the 2 h threshold
    assert stored.regulation_check["regulation_id"] == stored.regulation_id is not None
    assert stored.regulation_check["requested"] == "3.00"

    log = audit(stored, "submit")
    assert log.user == people["employee"]
    assert log.resource == "overtime_requests"
    assert log.changes["status"] == {"old": "draft", "new": "submitted"}
    assert "requires_second_approval" not in log.changes  # set on the draft already
    assert audit(stored, "create").changes["requires_second_approval"] is True

    told = notes(NotificationKind.OVERTIME_SUBMITTED)
    assert [note.recipient for note in told] == [people["admin"], people["admin2"]]
    employee = people["employee"].employee
    for note in told:
        assert note.title == f"Overtime to approve: {employee.full_name}, 3.00 h"
        assert note.message == ""
        assert note.actor == people["employee"]
        assert note.data == {
            "resource": "overtime_requests",
            "id": stored.pk,
            "status": "submitted",
        }
    assert len(notes()) == 2


def test_the_admin_submitting_for_an_employee_is_not_told_of_it(people):
    request = draft(people, by="admin", for_employee="employee")

    services.overtime_request_submit(overtime_request=request, by=people["admin"])

    told = notes(NotificationKind.OVERTIME_SUBMITTED)
    assert [note.recipient for note in told] == [people["admin2"]]
    assert told[0].actor == people["admin"]


# ----------------------------------------------------------------------- approve


def test_approval_below_the_threshold_is_final_and_tells_the_owner(people):
    request = submitted(people, hours=2)  # at the 2 h threshold, not above it
    assert request.requires_second_approval is False
    before = timezone.now()

    approved = services.overtime_request_approve(
        overtime_request=request, by=people["admin"], note="Thanks"
    )

    stored = OvertimeRequest.objects.get(pk=approved.pk)
    assert stored.status == S.APPROVED
    assert stored.first_approved_by == people["admin"]
    assert before <= stored.first_approved_at <= timezone.now()
    assert stored.first_approval_note == "Thanks"
    assert (stored.second_approved_by, stored.second_approved_at) == (None, None)
    assert stored.second_approval_note == ""

    log = audit(stored, "approve")
    assert log.user == people["admin"]
    assert log.changes["status"] == {"old": "submitted", "new": "approved"}
    assert log.changes["first_approval_note"] == {"old": "", "new": "Thanks"}

    (note,) = notes(
        kind__in=[NotificationKind.OVERTIME_APPROVED, NotificationKind.OVERTIME_SECOND_APPROVAL]
    )
    assert note.kind == NotificationKind.OVERTIME_APPROVED
    assert note.recipient == people["employee"]
    assert note.actor == people["admin"]
    assert note.title == "Overtime approved: 2026-11-17"
    assert note.message == "Thanks"
    assert note.data == {"resource": "overtime_requests", "id": stored.pk, "status": "approved"}


def test_approval_without_a_note_leaves_the_note_empty(people):
    approved = services.overtime_request_approve(
        overtime_request=submitted(people), by=people["admin"]
    )

    assert OvertimeRequest.objects.get(pk=approved.pk).first_approval_note == ""
    (note,) = notes(NotificationKind.OVERTIME_APPROVED)
    assert note.message == ""


def test_first_approval_above_the_threshold_asks_the_superadmins_then_the_final_one_tells_the_owner(
    people,
):
    request = submitted(people, hours=3)
    employee = people["employee"].employee

    first = services.overtime_request_approve(
        overtime_request=request, by=people["admin"], note="Busy"
    )

    assert first.status == S.PENDING_SECOND_APPROVAL
    assert OvertimeRequest.objects.get(pk=first.pk).status == S.PENDING_SECOND_APPROVAL
    asked = notes(NotificationKind.OVERTIME_SECOND_APPROVAL)
    assert [note.recipient for note in asked] == [people["superadmin"], people["superadmin2"]]
    for note in asked:
        assert note.title == f"Second approval needed: {employee.full_name}, 3.00 h"
        assert note.message == ""
        assert note.actor == people["admin"]
        assert note.data == {
            "resource": "overtime_requests",
            "id": first.pk,
            "status": "pending_second_approval",
        }
    assert notes(NotificationKind.OVERTIME_APPROVED) == []
    assert audit(first, "approve").changes["status"] == {
        "old": "submitted",
        "new": "pending_second_approval",
    }

    before = timezone.now()
    final = services.overtime_request_approve(
        overtime_request=first, by=people["superadmin"], note="OK for audit"
    )

    stored = OvertimeRequest.objects.get(pk=final.pk)
    assert stored.status == S.APPROVED
    assert (stored.first_approved_by, stored.first_approval_note) == (people["admin"], "Busy")
    assert stored.second_approved_by == people["superadmin"]
    assert before <= stored.second_approved_at <= timezone.now()
    assert stored.second_approval_note == "OK for audit"
    assert len(notes(NotificationKind.OVERTIME_SECOND_APPROVAL)) == 2  # nobody asked again
    (told,) = notes(NotificationKind.OVERTIME_APPROVED)
    assert (told.recipient, told.actor) == (people["employee"], people["superadmin"])
    assert told.title == "Overtime approved: 2026-11-17"
    assert told.message == "OK for audit"
    assert told.data["status"] == "approved"
    logs = UserActivityLog.objects.filter(object_id=str(stored.pk), action="approve")
    assert [log.user for log in logs.order_by("id")] == [people["admin"], people["superadmin"]]


def test_the_second_approval_needs_a_superadmin_other_than_the_first_approver(people):
    request = submitted(people, hours=3)
    request = services.overtime_request_approve(overtime_request=request, by=people["admin"])

    with pytest.raises(NotAllowed) as by_admin:
        services.overtime_request_approve(overtime_request=request, by=people["admin2"])
    assert refusal(by_admin) == "The second approval needs a superadmin."

    OvertimeRequest.objects.filter(pk=request.pk).update(first_approved_by=people["superadmin"])
    with pytest.raises(NotAllowed) as by_first:
        services.overtime_request_approve(overtime_request=request, by=people["superadmin"])
    assert refusal(by_first) == "The second approval needs a different person."

    final = services.overtime_request_approve(overtime_request=request, by=people["superadmin2"])
    assert final.status == S.APPROVED


def test_a_superadmin_approving_first_gives_both_approvals_at_once(people):
    request = submitted(people, hours=3)

    approved = services.overtime_request_approve(
        overtime_request=request, by=people["superadmin"], note="Both"
    )

    stored = OvertimeRequest.objects.get(pk=approved.pk)
    assert stored.status == S.APPROVED
    assert stored.first_approved_by == stored.second_approved_by == people["superadmin"]
    assert stored.first_approved_at == stored.second_approved_at is not None
    assert stored.first_approval_note == stored.second_approval_note == "Both"
    assert notes(NotificationKind.OVERTIME_SECOND_APPROVAL) == []
    (told,) = notes(NotificationKind.OVERTIME_APPROVED)
    assert told.recipient == people["employee"]


def test_a_superadmin_approving_below_the_threshold_gives_the_first_approval_only(people):
    approved = services.overtime_request_approve(
        overtime_request=submitted(people, hours=2), by=people["superadmin"], note="Fine"
    )

    stored = OvertimeRequest.objects.get(pk=approved.pk)
    assert stored.status == S.APPROVED
    assert stored.first_approved_by == people["superadmin"]
    assert (stored.second_approved_by, stored.second_approved_at) == (None, None)
    assert stored.second_approval_note == ""


# ----------------------------------------------------------------------- reject


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_rejection_needs_a_reason(people, reason):
    request = submitted(people)

    with pytest.raises(InvalidInput) as refused:
        services.overtime_request_reject(
            overtime_request=request, by=people["admin"], reason=reason
        )

    assert refused.value.errors == {"reason": ["Say why the request is rejected."]}
    assert OvertimeRequest.objects.get(pk=request.pk).status == S.SUBMITTED


def test_reject_records_audits_and_tells_the_owner(people):
    request = submitted(people)
    before = timezone.now()

    rejected = services.overtime_request_reject(
        overtime_request=request, by=people["admin"], reason="  Not budgeted \n"
    )

    stored = OvertimeRequest.objects.get(pk=rejected.pk)
    assert stored.status == S.REJECTED
    assert stored.rejected_by == people["admin"]
    assert before <= stored.rejected_at <= timezone.now()
    assert stored.rejection_reason == "Not budgeted"

    log = audit(stored, "reject")
    assert log.user == people["admin"]
    assert log.changes["status"] == {"old": "submitted", "new": "rejected"}
    assert log.changes["rejection_reason"] == {"old": "", "new": "Not budgeted"}

    (note,) = notes(NotificationKind.OVERTIME_REJECTED)
    assert (note.recipient, note.actor) == (people["employee"], people["admin"])
    assert note.title == "Overtime rejected: 2026-11-17"
    assert note.message == "Not budgeted"
    assert note.data == {"resource": "overtime_requests", "id": stored.pk, "status": "rejected"}


def test_pending_second_approval_is_rejected_by_a_superadmin_only(people):
    request = submitted(people, hours=3)
    request = services.overtime_request_approve(overtime_request=request, by=people["admin"])

    with pytest.raises(NotAllowed) as by_admin:
        services.overtime_request_reject(overtime_request=request, by=people["admin2"], reason="No")

    assert refusal(by_admin) == "At this stage only a superadmin decides."
    assert OvertimeRequest.objects.get(pk=request.pk).status == S.PENDING_SECOND_APPROVAL
    rejected = services.overtime_request_reject(
        overtime_request=request, by=people["superadmin"], reason="Over budget"
    )
    assert rejected.status == S.REJECTED
    assert rejected.rejected_by == people["superadmin"]


# ----------------------------------------------------------------------- cancel


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED])
def test_cancel_records_and_audits_and_tells_nobody(people, status):
    request = draft(people)
    if status == S.SUBMITTED:
        request = services.overtime_request_submit(overtime_request=request, by=people["employee"])
    told_before = len(notes())
    before = timezone.now()

    cancelled = services.overtime_request_cancel(overtime_request=request, by=people["employee"])

    stored = OvertimeRequest.objects.get(pk=cancelled.pk)
    assert stored.status == S.CANCELLED
    assert before <= stored.cancelled_at <= timezone.now()
    log = audit(stored, "cancel")
    assert log.user == people["employee"]
    assert log.resource == "overtime_requests"
    assert log.object_id == str(stored.pk)
    assert log.changes["status"] == {"old": status, "new": "cancelled"}
    assert len(notes()) == told_before

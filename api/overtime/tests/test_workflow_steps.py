"""The request workflow's steps at the service layer (api/overtime/services/workflow.py):
what submit, approve, reject and cancel record (the row, the audit log) and tell (the
notifications). Who may take them: test_workflow_guards.py."""

import pytest
from django.utils import timezone

from api.audit.models import UserActivityLog
from api.common.exceptions import InvalidInput, NotAllowed
from api.notifications.models import NotificationKind
from api.overtime import services
from api.overtime.models import OvertimeRequest
from api.overtime.tests.workflow_support import (
    S,
    audit,
    draft,
    notes,
    refusal,
    submitted,
)

pytestmark = pytest.mark.django_db


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

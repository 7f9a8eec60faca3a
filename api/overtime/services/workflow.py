"""The decisions on a submitted overtime request.

    draft ──submit──▶ submitted ──approve──▶ approved
      │                  │  │                    ▲
      │                  │  └─approve (above threshold, by a department admin)
      │                  │          ▼            │
      │                  │   pending_second_approval ──approve (superadmin)──┘
      │                  └──reject──▶ rejected ◀──reject──┘
      └─cancel (owner, before any decision)──▶ cancelled ◀── submitted

Every transition locks the row, records who/when/why, writes the audit log and
notifies the people concerned once the transaction commits.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.audit.trail import snapshot
from api.common.exceptions import InvalidInput, NotAllowed
from api.notifications.models import NotificationKind
from api.org.models import Employee
from api.overtime.models import OvertimeRequest, OvertimeStatus
from api.overtime.services.guards import (
    audited_save,
    locked,
    notify,
    notify_department_admins,
    notify_superadmins,
    require_decider,
    require_owner,
    require_status,
)
from api.overtime.services.regulations import regulation_check
from api.overtime.services.terms import apply_day_terms
from api.overtime.services.times import check_no_leave, check_no_overlap


@transaction.atomic
def overtime_request_submit(*, overtime_request: OvertimeRequest, by: User) -> OvertimeRequest:
    overtime_request = locked(overtime_request)
    require_owner(by, overtime_request, "submit")
    require_status(overtime_request, "submit")
    # One submit at a time per employee, so two requests cannot both fit the last
    # free hours of a limit.
    Employee.objects.select_for_update().filter(pk=overtime_request.employee_id).first()
    before = snapshot(overtime_request)
    check_no_overlap(overtime_request)
    check_no_leave(overtime_request)
    # Holidays or the regulation may have changed since the draft was written.
    apply_day_terms(overtime_request)
    overtime_request.regulation_check = regulation_check(overtime_request)
    overtime_request.status = OvertimeStatus.SUBMITTED
    overtime_request.submitted_at = timezone.now()
    audited_save(overtime_request, before, "submit", by)
    employee = overtime_request.employee
    notify_department_admins(
        NotificationKind.OVERTIME_SUBMITTED,
        overtime_request,
        f"Overtime to approve: {employee.full_name}, {overtime_request.net_hours} h",
        by,
    )
    return overtime_request


def _approve_second(overtime_request: OvertimeRequest, by: User, note: str, now) -> None:
    if not by.is_global_admin:
        raise NotAllowed("The second approval needs a superadmin.")
    if overtime_request.first_approved_by_id == by.pk:
        raise NotAllowed("The second approval needs a different person.")
    overtime_request.second_approved_by, overtime_request.second_approved_at = by, now
    overtime_request.second_approval_note = note
    overtime_request.status = OvertimeStatus.APPROVED


def _approve_first(overtime_request: OvertimeRequest, by: User, note: str, now) -> None:
    overtime_request.first_approved_by, overtime_request.first_approved_at = by, now
    overtime_request.first_approval_note = note
    if overtime_request.requires_second_approval and not by.is_global_admin:
        overtime_request.status = OvertimeStatus.PENDING_SECOND_APPROVAL
        return
    if overtime_request.requires_second_approval:
        # A superadmin approving first is the superadmin the rule asks for.
        overtime_request.second_approved_by, overtime_request.second_approved_at = by, now
        overtime_request.second_approval_note = note
    overtime_request.status = OvertimeStatus.APPROVED


@transaction.atomic
def overtime_request_approve(
    *, overtime_request: OvertimeRequest, by: User, note: str = ""
) -> OvertimeRequest:
    overtime_request = locked(overtime_request)
    require_status(overtime_request, "approve")
    require_decider(by, overtime_request)
    before = snapshot(overtime_request)
    now = timezone.now()
    owner = overtime_request.employee.user

    if overtime_request.status == OvertimeStatus.PENDING_SECOND_APPROVAL:
        _approve_second(overtime_request, by, note, now)
    else:
        _approve_first(overtime_request, by, note, now)
    audited_save(overtime_request, before, "approve", by)

    if overtime_request.status == OvertimeStatus.PENDING_SECOND_APPROVAL:
        notify_superadmins(
            NotificationKind.OVERTIME_SECOND_APPROVAL,
            overtime_request,
            f"Second approval needed: {overtime_request.employee.full_name}, "
            f"{overtime_request.net_hours} h",
            by,
        )
    else:
        notify(
            [owner],
            NotificationKind.OVERTIME_APPROVED,
            overtime_request,
            f"Overtime approved: {timezone.localtime(overtime_request.start_at):%Y-%m-%d}",
            by,
            message=note,
        )
    return overtime_request


@transaction.atomic
def overtime_request_reject(
    *, overtime_request: OvertimeRequest, by: User, reason: str
) -> OvertimeRequest:
    if not reason.strip():
        raise InvalidInput({"reason": ["Say why the request is rejected."]})
    overtime_request = locked(overtime_request)
    require_status(overtime_request, "reject")
    require_decider(by, overtime_request)
    if overtime_request.status == OvertimeStatus.PENDING_SECOND_APPROVAL and not by.is_global_admin:
        raise NotAllowed("At this stage only a superadmin decides.")
    before = snapshot(overtime_request)
    overtime_request.status = OvertimeStatus.REJECTED
    overtime_request.rejected_by, overtime_request.rejected_at = by, timezone.now()
    overtime_request.rejection_reason = reason.strip()
    audited_save(overtime_request, before, "reject", by)
    notify(
        [overtime_request.employee.user],
        NotificationKind.OVERTIME_REJECTED,
        overtime_request,
        f"Overtime rejected: {timezone.localtime(overtime_request.start_at):%Y-%m-%d}",
        by,
        message=overtime_request.rejection_reason,
    )
    return overtime_request


@transaction.atomic
def overtime_request_cancel(*, overtime_request: OvertimeRequest, by: User) -> OvertimeRequest:
    overtime_request = locked(overtime_request)
    require_owner(by, overtime_request, "cancel")
    require_status(overtime_request, "cancel")
    before = snapshot(overtime_request)
    overtime_request.status = OvertimeStatus.CANCELLED
    overtime_request.cancelled_at = timezone.now()
    audited_save(overtime_request, before, "cancel", by)
    return overtime_request

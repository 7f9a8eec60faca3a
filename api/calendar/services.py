"""Writes of the calendar domain: events with their audience, and the leave workflow.

Leave:

    pending ──approve──▶ approved ──cancel (before its first day)──▶ cancelled
       │  └──reject──▶ rejected                                       ▲
       └──────────────────────cancel──────────────────────────────────┘

Holidays carry no rule beyond their unique date and use the generic audited services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.accounts.permissions import user_can
from api.accounts.roles import Action, Resource
from api.accounts.selectors import department_admins, user_department_id
from api.audit.trail import audit_record, diff, snapshot
from api.calendar import selectors
from api.calendar.models import CalendarEvent, CalendarVisibility, EmployeeLeave, LeaveStatus
from api.calendar.rules import refuse_overlap
from api.common.exceptions import InvalidInput, InvalidTransition, NotAllowed
from api.common.services import instance_create, instance_delete, instance_update
from api.notifications.models import NotificationKind
from api.notifications.services import notification_data, notifications_create
from api.org.models import Department, Employee

# Which statuses each leave action may start from; cancelling approved leave is further
# limited to leave that has not started (see `employee_leave_cancel`).
LEAVE_ALLOWED_FROM = {
    "edit": (LeaveStatus.PENDING,),
    "delete": (LeaveStatus.PENDING,),
    "approve": (LeaveStatus.PENDING,),
    "reject": (LeaveStatus.PENDING,),
    "cancel": (LeaveStatus.PENDING, LeaveStatus.APPROVED),
}


# ----------------------------------------------------------------------- events


def _require_event_owner(by: User, event: CalendarEvent, action: str) -> None:
    if event.created_by_id != by.pk and not by.is_global_admin:
        raise NotAllowed(f"Only the creator of this event may {action} it.")


def _event_department(
    *, by: User, creator: User, visibility: str, department: Department | None
) -> Department | None:
    """A department event needs its department: the creator's unless one is named.

    Only global admins publish to a department other than their own.
    """
    if visibility != CalendarVisibility.DEPARTMENT:
        return department
    if department is None:
        department_id = user_department_id(creator)
        if department_id is None:
            raise InvalidInput({"department": ["A department event needs a department; name one."]})
        return Department.objects.get(pk=department_id)
    if not by.is_global_admin and department.pk != user_department_id(by):
        raise InvalidInput(
            {"department": ["You may publish department events only to your own department."]}
        )
    return department


def _validate_event_times(start, end) -> None:
    if end < start:
        raise InvalidInput({"end_at": ["The end must not be before the start."]})


def _notify_invited(event: CalendarEvent, employee_ids: set[int], by: User) -> None:
    """Newly invited people hear of it, unless the event is the creator's private note."""
    if not employee_ids or event.visibility == CalendarVisibility.PRIVATE:
        return
    notifications_create(
        recipients=User.objects.filter(is_active=True, employee__pk__in=employee_ids),
        kind=NotificationKind.EVENT_INVITED,
        title=f"Invitation: {event.title} ({timezone.localtime(event.start_at):%Y-%m-%d %H:%M})",
        data=notification_data(Resource.CALENDAR_EVENTS, event.pk),
        actor=by,
    )


def _attendee_ids(employees) -> set[int]:
    return {employee.pk for employee in employees}


@transaction.atomic
def calendar_event_create(*, by: User, data: dict[str, Any]) -> CalendarEvent:
    """`data` holds validated model fields (attendees as Employee objects)."""
    fields = dict(data)
    visibility = fields.get("visibility", CalendarVisibility.PUBLIC)
    _validate_event_times(fields["start_at"], fields["end_at"])
    fields["department"] = _event_department(
        by=by, creator=by, visibility=visibility, department=fields.get("department")
    )
    event = instance_create(model=CalendarEvent, data=fields | {"created_by": by}, by=by)
    _notify_invited(event, _attendee_ids(fields.get("attendees", ())), by)
    return event


@transaction.atomic
def calendar_event_update(*, event: CalendarEvent, by: User, data: dict[str, Any]) -> CalendarEvent:
    """Partial update: omitted fields keep their value; `attendees` replaces the list."""
    event = CalendarEvent.objects.select_for_update(of=("self",)).get(pk=event.pk)
    _require_event_owner(by, event, "change")
    fields = dict(data)
    _validate_event_times(
        fields.get("start_at", event.start_at), fields.get("end_at", event.end_at)
    )
    fields["department"] = _event_department(
        by=by,
        creator=event.created_by,
        visibility=fields.get("visibility", event.visibility),
        department=fields.get("department", event.department),
    )
    before = set(event.attendees.values_list("pk", flat=True))
    event = instance_update(instance=event, data=fields, by=by)
    if "attendees" in fields:
        _notify_invited(event, _attendee_ids(fields["attendees"]) - before, by)
    return event


@transaction.atomic
def calendar_event_delete(*, event: CalendarEvent, by: User) -> None:
    _require_event_owner(by, event, "delete")
    instance_delete(instance=event, by=by)


# ----------------------------------------------------------------------- leave


def _require_leave(leave: EmployeeLeave, action: str) -> None:
    if leave.status not in LEAVE_ALLOWED_FROM[action]:
        raise InvalidTransition(
            f"Cannot {action} leave that is {leave.status}.", current_status=leave.status
        )


def _is_leave_owner(user: User, leave: EmployeeLeave) -> bool:
    return leave.employee.user_id == user.pk


def _approves_for(user: User, employee: Employee) -> bool:
    """Department admins approve their department's leave, global admins everyone's."""
    return user_can(user, Resource.EMPLOYEE_LEAVES, Action.APPROVE) and (
        user.is_global_admin or user_department_id(user) == employee.department_id
    )


def _require_leave_manager(by: User, leave: EmployeeLeave, action: str) -> None:
    """The employee or those who approve for them may edit, delete or cancel."""
    if not (_is_leave_owner(by, leave) or _approves_for(by, leave.employee)):
        raise NotAllowed(f"Only the employee or their approvers may {action} this leave.")


def _leave_employee(*, by: User, employee: Employee | None) -> Employee:
    own = Employee.objects.filter(user_id=by.pk).first()
    if employee is None or (own is not None and employee.pk == own.pk):
        if own is None:
            raise InvalidInput(
                {"employee": ["Your account has no employee record; name the employee."]}
            )
        return own
    if not employee.is_active:
        raise InvalidInput({"employee": ["This employee is no longer active."]})
    if not _approves_for(by, employee):
        raise NotAllowed("You may only file leave for yourself.")
    return employee


def _describe_leave(clash: EmployeeLeave) -> str:
    return (
        f"{clash.status} {clash.leave_type} leave #{clash.pk} "
        f"({clash.start_date} to {clash.end_date})"
    )


def _check_leave_dates(leave: EmployeeLeave) -> None:
    if leave.end_date < leave.start_date:
        raise InvalidInput({"end_date": ["The last day must not be before the first day."]})
    # One writer per employee at a time, so two overlapping requests cannot both pass.
    Employee.objects.select_for_update().filter(pk=leave.employee_id).first()
    clash = selectors.leave_overlapping(
        employee_id=leave.employee_id,
        first=leave.start_date,
        last=leave.end_date,
        exclude_id=leave.pk,
    )
    refuse_overlap(
        clash,
        describe=_describe_leave,
        code="overlapping_leave",
        field="start_date",
        conflicting_key="conflicting_leave_id",
    )


def _locked_leave(leave: EmployeeLeave) -> EmployeeLeave:
    return (
        EmployeeLeave.objects.select_for_update(of=("self",))
        .select_related("employee")
        .get(pk=leave.pk)
    )


def _notify_leave(
    recipients, leave: EmployeeLeave, title: str, by: User, *, kind, message=""
) -> None:
    notifications_create(
        recipients=recipients,
        kind=kind,
        title=f"{title}: {leave.start_date} to {leave.end_date}",
        message=message,
        data=notification_data(Resource.EMPLOYEE_LEAVES, leave.pk, status=leave.status),
        actor=by,
    )


def _audited_leave_save(leave: EmployeeLeave, before: dict, action: str, by: User) -> None:
    leave.save()
    audit_record(user=by, action=action, instance=leave, changes=diff(before, snapshot(leave)))


@transaction.atomic
def employee_leave_create(
    *,
    by: User,
    leave_type: str,
    start_date: date,
    end_date: date,
    reason: str = "",
    employee: Employee | None = None,
) -> EmployeeLeave:
    leave = EmployeeLeave(
        employee=_leave_employee(by=by, employee=employee),
        leave_type=leave_type,
        start_date=start_date,
        end_date=end_date,
        reason=reason,
        status=LeaveStatus.PENDING,
    )
    _check_leave_dates(leave)
    leave.full_clean()
    leave.save()
    audit_record(user=by, action="create", instance=leave, changes=snapshot(leave))
    _notify_leave(
        department_admins(department_id=leave.employee.department_id),
        leave,
        f"Leave to approve: {leave.employee.full_name}",
        by,
        kind=NotificationKind.LEAVE_SUBMITTED,
        message=leave.reason,
    )
    return leave


@transaction.atomic
def employee_leave_update(*, leave: EmployeeLeave, by: User, **changes: Any) -> EmployeeLeave:
    """Edits pending leave; `changes` holds any of leave_type, start_date, end_date, reason."""
    leave = _locked_leave(leave)
    _require_leave_manager(by, leave, "edit")
    _require_leave(leave, "edit")
    before = snapshot(leave)
    for name, value in changes.items():
        setattr(leave, name, value)
    _check_leave_dates(leave)
    leave.full_clean()
    leave.save()
    if changed := diff(before, snapshot(leave)):
        audit_record(user=by, action="update", instance=leave, changes=changed)
    return leave


@transaction.atomic
def employee_leave_delete(*, leave: EmployeeLeave, by: User) -> None:
    leave = _locked_leave(leave)
    _require_leave_manager(by, leave, "delete")
    _require_leave(leave, "delete")
    audit_record(user=by, action="delete", instance=leave, changes=snapshot(leave))
    leave.delete()


def _require_leave_decider(by: User, leave: EmployeeLeave) -> None:
    if _is_leave_owner(by, leave):
        raise NotAllowed("Nobody decides on their own leave.")
    if not _approves_for(by, leave.employee):
        raise NotAllowed("You decide only on leave of your own department.")


def _decide(leave: EmployeeLeave, *, by: User, approved: bool, note: str) -> EmployeeLeave:
    before = snapshot(leave)
    leave.status = LeaveStatus.APPROVED if approved else LeaveStatus.REJECTED
    leave.decided_by, leave.decided_at, leave.decision_note = by, timezone.now(), note
    _audited_leave_save(leave, before, "approve" if approved else "reject", by)
    _notify_leave(
        [leave.employee.user],
        leave,
        f"Leave {leave.status}",
        by,
        kind=NotificationKind.LEAVE_DECIDED,
        message=note,
    )
    return leave


@transaction.atomic
def employee_leave_approve(*, leave: EmployeeLeave, by: User, note: str = "") -> EmployeeLeave:
    leave = _locked_leave(leave)
    _require_leave(leave, "approve")
    _require_leave_decider(by, leave)
    return _decide(leave, by=by, approved=True, note=note.strip())


@transaction.atomic
def employee_leave_reject(*, leave: EmployeeLeave, by: User, reason: str) -> EmployeeLeave:
    if not reason.strip():
        raise InvalidInput({"reason": ["Say why the leave is rejected."]})
    leave = _locked_leave(leave)
    _require_leave(leave, "reject")
    _require_leave_decider(by, leave)
    return _decide(leave, by=by, approved=False, note=reason.strip())


@transaction.atomic
def employee_leave_cancel(*, leave: EmployeeLeave, by: User) -> EmployeeLeave:
    """Withdraws pending leave, or approved leave whose first day is still ahead.

    Leave that has started is history (payroll and overtime checks rely on it), so it
    stays approved; ending it early is an edit for HR, not a cancellation.
    """
    leave = _locked_leave(leave)
    _require_leave_manager(by, leave, "cancel")
    _require_leave(leave, "cancel")
    if leave.status == LeaveStatus.APPROVED and leave.start_date <= timezone.localdate():
        raise InvalidTransition(
            "Cannot cancel approved leave that has already started.",
            current_status=leave.status,
        )
    before = snapshot(leave)
    leave.status = LeaveStatus.CANCELLED
    _audited_leave_save(leave, before, "cancel", by)
    if before["status"] == LeaveStatus.APPROVED:
        _notify_leave(
            [leave.employee.user, leave.decided_by],
            leave,
            "Approved leave cancelled",
            by,
            kind=NotificationKind.LEAVE_DECIDED,
        )
    return leave

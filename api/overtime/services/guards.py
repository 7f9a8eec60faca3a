"""Who may take a step of the overtime workflow, from which state, and what every
step shares: the row lock, the audited save and the notification."""

from __future__ import annotations

from api.accounts.models import User
from api.accounts.permissions import user_can
from api.accounts.roles import Action, Resource
from api.accounts.selectors import user_department_id
from api.audit.trail import audit_record, diff, snapshot
from api.common.exceptions import InvalidInput, InvalidTransition, NotAllowed
from api.notifications.services import (
    notification_data,
    notifications_create,
    notifications_create_for_department_admins,
    notifications_create_for_superadmins,
)
from api.org.models import Employee
from api.overtime.models import OvertimeRequest, OvertimeStatus

# Which statuses each action may start from.
ALLOWED_FROM = {
    "edit": (OvertimeStatus.DRAFT,),
    "delete": (OvertimeStatus.DRAFT,),
    "submit": (OvertimeStatus.DRAFT,),
    "approve": (OvertimeStatus.SUBMITTED, OvertimeStatus.PENDING_SECOND_APPROVAL),
    "reject": (OvertimeStatus.SUBMITTED, OvertimeStatus.PENDING_SECOND_APPROVAL),
    "cancel": (OvertimeStatus.DRAFT, OvertimeStatus.SUBMITTED),
}


def require_status(overtime_request: OvertimeRequest, action: str) -> None:
    if overtime_request.status not in ALLOWED_FROM[action]:
        raise InvalidTransition(
            f"Cannot {action} an overtime request that is {overtime_request.status}.",
            current_status=overtime_request.status,
        )


def is_owner(user: User, overtime_request: OvertimeRequest) -> bool:
    return overtime_request.created_by_id == user.pk or overtime_request.employee.user_id == user.pk


def require_owner(user: User, overtime_request: OvertimeRequest, action: str) -> None:
    if not is_owner(user, overtime_request):
        raise NotAllowed(f"Only the owner of this request may {action} it.")


def require_owner_or_global_admin(
    user: User, overtime_request: OvertimeRequest, action: str
) -> None:
    if not (is_owner(user, overtime_request) or user.is_global_admin):
        raise NotAllowed(f"Only the owner of this request may {action} it.")


def require_decider(by: User, overtime_request: OvertimeRequest) -> None:
    if not user_can(by, Resource.OVERTIME_REQUESTS, Action.APPROVE):
        raise NotAllowed("Your permissions do not allow deciding overtime.")
    if is_owner(by, overtime_request):
        raise NotAllowed("Nobody decides on their own overtime.")
    if not by.is_global_admin and user_department_id(by) != overtime_request.employee.department_id:
        raise NotAllowed("You decide only on overtime of your own department.")


def employee_for(*, user: User, employee: Employee | None) -> Employee:
    """Whose overtime this is: one's own, or (for admins) someone they approve for."""
    own = Employee.objects.filter(user_id=user.pk).first()
    if employee is None or (own is not None and employee.pk == own.pk):
        if own is None:
            raise InvalidInput(
                {"employee": ["Your account has no employee record; name the employee."]}
            )
        return own
    if not employee.is_active:
        raise InvalidInput({"employee": ["This employee is no longer active."]})
    may_file_for_others = user_can(user, Resource.OVERTIME_REQUESTS, Action.APPROVE) and (
        user.is_global_admin or user_department_id(user) == employee.department_id
    )
    if not may_file_for_others:
        raise NotAllowed("You may only file overtime for yourself.")
    return employee


def locked(overtime_request: OvertimeRequest) -> OvertimeRequest:
    return (
        OvertimeRequest.objects.select_for_update(of=("self",))
        # The owner is who most steps notify: read with the row, locked alone.
        .select_related("employee__user")
        .get(pk=overtime_request.pk)
    )


def _notice(kind: str, overtime_request: OvertimeRequest, title: str, by: User, message: str):
    return {
        "kind": kind,
        "title": title,
        "message": message,
        "data": notification_data(
            Resource.OVERTIME_REQUESTS, overtime_request.pk, status=overtime_request.status
        ),
        "actor": by,
    }


def notify(
    recipients, kind: str, overtime_request: OvertimeRequest, title: str, by: User, message=""
) -> None:
    notifications_create(
        recipients=recipients, **_notice(kind, overtime_request, title, by, message)
    )


def notify_department_admins(
    kind: str, overtime_request: OvertimeRequest, title: str, by: User
) -> None:
    """The first-level approvers: the admins of the employee's department."""
    notifications_create_for_department_admins(
        department_id=overtime_request.employee.department_id,
        **_notice(kind, overtime_request, title, by, ""),
    )


def notify_superadmins(kind: str, overtime_request: OvertimeRequest, title: str, by: User) -> None:
    """The second-level approvers."""
    notifications_create_for_superadmins(**_notice(kind, overtime_request, title, by, ""))


def audited_save(
    overtime_request: OvertimeRequest, before: dict, action: str, by: User, **extra
) -> None:
    overtime_request.save()
    changes = diff(before, snapshot(overtime_request)) | extra
    audit_record(user=by, action=action, instance=overtime_request, changes=changes)

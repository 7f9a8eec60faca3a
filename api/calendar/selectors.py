"""Reads of the calendar domain, each scoped to what the asking user may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from api.accounts.roles import Role
from api.accounts.selectors import user_department_id
from api.calendar.models import (
    CalendarEvent,
    CalendarVisibility,
    EmployeeLeave,
    Holiday,
    LeaveStatus,
)
from api.org.models import Employee

# Leave that holds its days: a second request for the same days is refused.
ACTIVE_LEAVE_STATUSES = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


def holidays_visible_to(*, user) -> QuerySet[Holiday]:
    """Holidays are company facts: every signed-in user reads them all."""
    return Holiday.objects.all()


def calendar_events_visible_to(*, user) -> QuerySet[CalendarEvent]:
    """Public events for all; department events for that department, its invitees and
    global admins; private events for their creator only (global admins included).

    Invitees from other departments see a department event they were invited to,
    since they are told about the invitation.
    """
    queryset = CalendarEvent.objects.select_related("department", "created_by").prefetch_related(
        Prefetch("attendees", queryset=Employee.objects.select_related("department"))
    )
    mine = Q(created_by_id=user.pk)
    if user.is_global_admin:
        return queryset.filter(mine | ~Q(visibility=CalendarVisibility.PRIVATE))
    invited = Exists(
        CalendarEvent.attendees.through.objects.filter(
            calendarevent_id=OuterRef("pk"), employee__user_id=user.pk
        )
    )
    audience = Q(invited)
    if department_id := user_department_id(user):
        audience |= Q(department_id=department_id)
    department_events = Q(visibility=CalendarVisibility.DEPARTMENT) & audience
    return queryset.filter(mine | Q(visibility=CalendarVisibility.PUBLIC) | department_events)


def employee_leaves_visible_to(*, user) -> QuerySet[EmployeeLeave]:
    """Own leave for everyone; the department's for its admins; all for global admins."""
    queryset = EmployeeLeave.objects.select_related("employee__department", "decided_by")
    if user.is_global_admin:
        return queryset
    own = Q(employee__user_id=user.pk)
    if user.role == Role.PTB_ADMIN and (department_id := user_department_id(user)):
        return queryset.filter(own | Q(employee__department_id=department_id))
    return queryset.filter(own)


def leave_overlapping(
    *, employee_id: int, first: date, last: date, exclude_id: int | None = None
) -> EmployeeLeave | None:
    """The employee's pending or approved leave sharing a day with [first, last]."""
    rows = EmployeeLeave.objects.filter(
        employee_id=employee_id,
        status__in=ACTIVE_LEAVE_STATUSES,
        start_date__lte=last,
        end_date__gte=first,
    )
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return rows.order_by("start_date", "id").first()

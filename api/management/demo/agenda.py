"""Calendar events and leave, made through the calendar's services by people who may.

Per department: a meeting last week and one next week (invitations notify the invited
who have an account), leave that was taken, leave that is coming, leave that was
refused, and the admin's own leave decided by the superadmin. The SSO demo employee's
leave waits for demo.admin's decision. Company events are the superadmin's. Leave
never falls on a day its employee worked overtime: approved leave and overtime on the
same day cannot both be true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.calendar.models import (
    CalendarEvent,
    CalendarEventType,
    CalendarVisibility,
    EmployeeLeave,
    LeaveType,
)
from api.calendar.services import (
    calendar_event_create,
    employee_leave_approve,
    employee_leave_create,
    employee_leave_reject,
)
from api.management.demo.actors import (
    DepartmentCrew,
    colleagues,
    department_crews,
    monday,
    superadmin,
)
from api.management.demo.people import DemoPeople
from api.org.models import Employee
from api.overtime.models import OvertimeRequest

ATTENDEES = 4


@dataclass(frozen=True)
class LeavePlan:
    leave_type: str
    first: date
    days: int
    reason: str
    decision: str  # "approve", "reject" or "" (left waiting)


def _at(day: date, hour: int, minutes: int = 60) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(hour), timezone.get_current_timezone())
    return start, start + timedelta(minutes=minutes)


def _event(by: User, title: str, kind: str, day: date, hour: int, **fields) -> CalendarEvent:
    start, end = _at(day, hour, fields.pop("minutes", 60))
    return calendar_event_create(
        by=by,
        data={"title": title, "event_type": kind, "start_at": start, "end_at": end, **fields},
    )


def _department_events(crew: DepartmentCrew) -> int:
    invited = colleagues(crew.department)[:ATTENDEES]
    name = crew.department.name
    common = {
        "visibility": CalendarVisibility.DEPARTMENT,
        "attendees": invited,
        "location": f"{crew.department.code} meeting room",
    }
    _event(crew.admin, f"{name} weekly sync", CalendarEventType.MEETING, monday(-1), 10, **common)
    _event(
        crew.admin,
        f"{name} planning",
        CalendarEventType.MEETING,
        monday(1) + timedelta(days=2),
        14,
        minutes=90,
        **common,
    )
    return 2


def _company_events(by: User, crews: list[DepartmentCrew]) -> int:
    admins = Employee.objects.filter(user__in=[crew.admin for crew in crews])
    public = {"visibility": CalendarVisibility.PUBLIC}
    _event(by, "Town hall", CalendarEventType.COMPANY, monday(-2) + timedelta(days=4), 15, **public)
    _event(
        by,
        "Fire safety training",
        CalendarEventType.TRAINING,
        monday(1) + timedelta(days=3),
        9,
        minutes=120,
        attendees=list(admins),
        location="Main hall",
        **public,
    )
    _event(
        by,
        "Quarterly overtime review",
        CalendarEventType.DEADLINE,
        monday(2) + timedelta(days=4),
        16,
        **public,
    )
    return 3


def _worked_overtime(employee: Employee, first: date, last: date) -> bool:
    return OvertimeRequest.objects.filter(
        employee=employee, start_at__date__gte=first, start_at__date__lte=last
    ).exists()


def _file(
    crew_admin, decider, employee: Employee, plan: LeavePlan, *, by: User | None = None
) -> EmployeeLeave:
    leave = employee_leave_create(
        by=by or crew_admin,
        employee=employee,
        leave_type=plan.leave_type,
        start_date=plan.first,
        end_date=plan.first + timedelta(days=plan.days - 1),
        reason=plan.reason,
    )
    if plan.decision == "approve":
        leave = employee_leave_approve(leave=leave, by=decider, note="Enjoy it")
    elif plan.decision == "reject":
        leave = employee_leave_reject(leave=leave, by=decider, reason="Stocktaking that week")
    return leave


def _department_leave(crew: DepartmentCrew, decider) -> int:
    own = {e.pk for e in Employee.objects.filter(user__in=[crew.admin, crew.staff])}
    plans = [
        LeavePlan(LeaveType.ANNUAL, monday(-3), 2, "Family visit", "approve"),
        LeavePlan(LeaveType.SICK, monday(-1) + timedelta(days=3), 1, "Flu", "approve"),
        LeavePlan(LeaveType.ANNUAL, monday(2), 5, "Holiday trip", "approve"),
        LeavePlan(LeaveType.PERSONAL, monday(1) + timedelta(days=4), 1, "Moving house", "reject"),
    ]
    created = 0
    candidates = iter(colleagues(crew.department, without=own))
    for plan in plans:
        last = plan.first + timedelta(days=plan.days - 1)
        employee = next((e for e in candidates if not _worked_overtime(e, plan.first, last)), None)
        if employee is None:
            break
        _file(crew.admin, crew.admin, employee, plan)
        created += 1
    admin_employee = Employee.objects.filter(user=crew.admin).first()
    if admin_employee is not None:
        first = monday(3) + timedelta(days=3)
        plan = LeavePlan(LeaveType.ANNUAL, first, 2, "Long weekend", "approve")
        _file(crew.admin, decider, admin_employee, plan)
        created += 1
    staff_employee = Employee.objects.filter(user=crew.staff).first() if crew.staff else None
    if staff_employee is not None:
        # Waits for the department admin: the leave an admin finds in their queue.
        plan = LeavePlan(LeaveType.ANNUAL, monday(1) + timedelta(days=3), 2, "Wedding", "")
        _file(crew.admin, crew.admin, staff_employee, plan, by=crew.staff)
        created += 1
    return created


@transaction.atomic
def demo_agenda_create(people: DemoPeople) -> dict[str, int]:
    """Events and leave, if the calendar has none of either yet."""
    counts = {"events": 0, "leave": 0}
    crews, admin = department_crews(people), superadmin(people)
    if not CalendarEvent.objects.exists():
        counts["events"] = sum(_department_events(crew) for crew in crews)
        counts["events"] += _company_events(admin, crews)
    if not EmployeeLeave.objects.exists():
        counts["leave"] = sum(_department_leave(crew, admin) for crew in crews)
    return counts

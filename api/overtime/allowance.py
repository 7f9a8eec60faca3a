"""How much overtime an employee may still book around a date: a read for the
allowance endpoint, in four queries whatever the number of requests.

Per period (the day, ISO week, month and year containing the date), under the
regulation in force for the employee on that date: the limit, the approved hours,
the pending ones (submitted, or awaiting the second approval), and what remains
(limit - approved - pending, never below zero). Hours on days the regulation leaves
out of the daily and weekly limits (rest days and holidays, PP 35/2021 art. 26(2))
are not counted there; the monthly and yearly caps count every hour.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q

from api.common.exceptions import DoesNotExist, InvalidInput
from api.common.timezones import local_date
from api.org.models import Department, Employee
from api.overtime.calculations import TWO_PLACES
from api.overtime.models import OvertimeRegulation, OvertimeRequest, OvertimeStatus
from api.overtime.models import RegulationScope as Scope
from api.overtime.rules import (
    EXEMPTIBLE_PERIODS,
    LIMIT_FIELDS,
    PERIODS,
    counts_toward_limits,
    periods_of,
)
from api.overtime.selectors import (
    category_of,
    employees_visible_to,
    holiday_dates,
    local_day_bounds,
    work_week,
)

PENDING = (OvertimeStatus.SUBMITTED, OvertimeStatus.PENDING_SECOND_APPROVAL)
ZERO = Decimal("0.00")


def _regulation_for(department_id: int | None, on: date) -> OvertimeRegulation | None:
    """regulation_in_force in one query: the department's own, else the global one."""
    candidates = (
        OvertimeRegulation.objects.filter(is_active=True, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .filter(Q(scope=Scope.GLOBAL) | Q(scope=Scope.DEPARTMENT, department_id=department_id))
        .order_by("-effective_from", "-id")
    )
    by_scope: dict[str, OvertimeRegulation] = {}
    for regulation in candidates:
        by_scope.setdefault(regulation.scope, regulation)
    return by_scope.get(Scope.DEPARTMENT) or by_scope.get(Scope.GLOBAL)


def allowance(employee, on: date) -> dict:
    """The allowance around `on` (see the module); `regulation_id` None without one."""
    periods = periods_of(on)
    regulation = _regulation_for(employee.department_id, on)
    department = Department.objects.filter(pk=employee.department_id).first()
    first = min(period.first_day for period in periods.values())
    last = max(period.last_day for period in periods.values())
    result: dict = {"date": on.isoformat(), "regulation_id": None, "periods": {}}
    if regulation is None:
        return result
    week = work_week(department, regulation)
    holidays = holiday_dates(first, last)
    start, end = local_day_bounds(first, last)
    approved = dict.fromkeys(PERIODS, ZERO)
    pending = dict.fromkeys(PERIODS, ZERO)
    rows = OvertimeRequest.objects.filter(
        employee_id=employee.pk,
        status__in=(OvertimeStatus.APPROVED, *PENDING),
        start_at__gte=start,
        start_at__lt=end,
    ).values_list("start_at", "net_hours", "status")
    flag = regulation.rest_day_counts_toward_limits
    for start_at, net, status in rows:
        day = local_date(start_at)
        counts = counts_toward_limits(category_of(day, week, holidays), flag)
        totals = approved if status == OvertimeStatus.APPROVED else pending
        for name in PERIODS:
            period = periods[name]
            if period.first_day <= day <= period.last_day and (
                counts or name not in EXEMPTIBLE_PERIODS
            ):
                totals[name] += net
    category = category_of(on, week, holidays)
    result.update(
        regulation_id=regulation.pk,
        day_category=str(category),
        rest_day_rule={
            "rest_day_counts_toward_limits": flag,
            "work_days_per_week": week.work_days_per_week,
            "rest_weekdays": list(week.rest_weekdays),
            # Whether overtime on `on` itself counts toward the daily and weekly limits.
            "counts_toward_limits": counts_toward_limits(category, flag),
            "exemptible_periods": list(EXEMPTIBLE_PERIODS),
        },
    )
    for name in PERIODS:
        limit = getattr(regulation, LIMIT_FIELDS[name])
        remaining = max(limit - approved[name] - pending[name], ZERO)
        result["periods"][name] = {
            "start": periods[name].first_day.isoformat(),
            "end": periods[name].last_day.isoformat(),
            "limit": str(limit.quantize(TWO_PLACES)),
            "approved": str(approved[name].quantize(TWO_PLACES)),
            "pending": str(pending[name].quantize(TWO_PLACES)),
            "remaining": str(remaining.quantize(TWO_PLACES)),
        }
    return result


def allowance_employee(*, user, employee_id: int | None) -> Employee:
    """Whose allowance the user asks for: their own by default, else one they can see
    (the reach of the overtime list); one they cannot is not there for them (404)."""
    if employee_id is None:
        own = Employee.objects.filter(user_id=user.pk).first()
        if own is None:
            raise InvalidInput(
                {"employee": ["Your account has no employee record; name the employee."]}
            )
        return own
    employee = employees_visible_to(user=user).filter(pk=employee_id).first()
    if employee is None:
        raise DoesNotExist("No such employee.")
    return employee

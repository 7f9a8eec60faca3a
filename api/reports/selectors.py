"""Reads for reports: the rows of a period, streamed, and the jobs a user may see.

Each row carries what payroll needs of it: its day category, compensation hours and
whether a meal is due, from the regulation in force for the employee's department on
the request's local day (`PayrollRules`, read once per report, not once per row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from api.common.timezones import local_date
from api.org.models import Department
from api.overtime.models import OvertimeBreak, OvertimeRegulation, OvertimeRequest, RegulationScope
from api.overtime.rules import (
    LIMIT_FIELDS,
    PERIODS,
    Tier,
    WorkWeek,
    compensation_hours,
    meal_due,
    tiers_for,
)
from api.overtime.selectors import (
    category_of,
    holiday_dates,
    local_day_bounds,
    regulation_in_force,
    work_week,
)
from api.reports.builders import ReportRow
from api.reports.models import ReportJob

FETCH_ROWS = 2_000
ROW_FIELDS = (
    "id",
    "employee__employee_code",
    "employee__first_name",
    "employee__last_name",
    "employee__department__name",
    "project__name",
    "start_at",
    "end_at",
    "total_hours",
    "break_hours",
    "net_hours",
    "status",
    "is_weekend",
    "is_holiday",
    "reason",
    "employee__department_id",
    # The department's own work week (each empty field follows the regulation).
    "employee__department__work_days_per_week",
    "employee__department__rest_weekdays",
    "employee__department__shortest_workday",
)


def report_requests(*, period_start: date, period_end: date, filters: dict) -> QuerySet:
    """Requests starting in the period (local days), narrowed by the job's filters."""
    start, end = local_day_bounds(period_start, period_end)
    queryset = OvertimeRequest.objects.filter(start_at__gte=start, start_at__lt=end)
    if filters.get("department"):
        queryset = queryset.filter(employee__department_id=filters["department"])
    if filters.get("project"):
        queryset = queryset.filter(project_id=filters["project"])
    if filters.get("employee"):
        queryset = queryset.filter(employee_id=filters["employee"])
    if filters.get("status"):
        queryset = queryset.filter(status__in=filters["status"])
    return queryset


Payroll = tuple[str | None, Decimal | None, bool]  # day category, compensation, meal
NO_REGULATION: Payroll = (None, None, False)


class PayrollRules:
    """What payroll needs of a request, as the regulation in force sees it: the day
    category of its local start date, its compensation hours (the regulation's tiers
    for that category and week length) and whether a meal is due.

    The regulation is found as `regulation_in_force` finds it (by department id, the
    department's own over the global one, latest `effective_from` then highest id),
    but among the regulations of the period read once with their tiers, and the
    holidays of the period are read once too: three queries for the whole report,
    whatever its number of rows. The departments' work weeks come with the rows.
    Without a regulation in force (or a table for the category) the figures are None.
    """

    def __init__(self, period_start: date, period_end: date) -> None:
        self._regulations = list(
            OvertimeRegulation.objects.filter(is_active=True, effective_from__lte=period_end)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=period_start))
            .order_by("-effective_from", "-id")
            .prefetch_related("compensation_tiers")
        )
        self._holidays = holiday_dates(period_start, period_end)
        self._in_force: dict[tuple[int | None, date], OvertimeRegulation | None] = {}
        self._departments: dict[int | None, Department | None] = {}
        self._weeks: dict[tuple[int | None, int], WorkWeek] = {}
        self._tiers: dict[tuple[int, str, int], list[Tier]] = {}

    def regulation(self, department_id: int | None, day: date) -> OvertimeRegulation | None:
        key = (department_id, day)
        if key not in self._in_force:
            in_force = [
                regulation
                for regulation in self._regulations
                if regulation.effective_from <= day
                and (regulation.effective_to is None or regulation.effective_to >= day)
            ]
            own = next(
                (
                    r
                    for r in in_force
                    if r.scope == RegulationScope.DEPARTMENT and r.department_id == department_id
                ),
                None,
            )
            self._in_force[key] = own or next(
                (r for r in in_force if r.scope == RegulationScope.GLOBAL), None
            )
        return self._in_force[key]

    def department(self, department_id: int | None, week_fields: tuple) -> None:
        """Remembers a department's own work week, as read with its first row."""
        if department_id not in self._departments:
            days, rest, shortest = week_fields
            self._departments[department_id] = (
                None
                if department_id is None
                else Department(
                    pk=department_id,
                    work_days_per_week=days,
                    rest_weekdays=rest,
                    shortest_workday=shortest,
                )
            )

    def __call__(self, department_id: int | None, day: date, net_hours: Decimal) -> Payroll:
        regulation = self.regulation(department_id, day)
        if regulation is None:
            return NO_REGULATION
        week_key = (department_id, regulation.pk)
        if week_key not in self._weeks:
            self._weeks[week_key] = work_week(self._departments.get(department_id), regulation)
        week = self._weeks[week_key]
        category = category_of(day, week, self._holidays)
        tiers_key = (regulation.pk, category.value, week.work_days_per_week)
        if tiers_key not in self._tiers:
            rows = [
                (t.day_category, t.work_days_per_week, Tier(t.hour_from, t.hour_to, t.multiplier))
                for t in regulation.compensation_tiers.all()
            ]
            self._tiers[tiers_key] = tiers_for(rows, category, week.work_days_per_week)
        tiers = self._tiers[tiers_key]
        compensation = compensation_hours(net_hours, tiers) if tiers else None
        return category.value, compensation, meal_due(net_hours, regulation.meal_threshold_hours)


def report_rows(*, period_start: date, period_end: date, filters: dict) -> Iterator[ReportRow]:
    """Every row of the report, in (start, id) order, FETCH_ROWS at a time.

    Keyset pagination instead of one cursor: each batch is a short query (no
    transaction held open for the whole build), and the breaks of a batch are read
    in one more query. Memory holds one batch, whatever the period's size. The
    payroll figures of every row come from `PayrollRules` (three queries in all).
    """
    queryset = report_requests(
        period_start=period_start, period_end=period_end, filters=filters
    ).order_by("start_at", "id")
    payroll = PayrollRules(period_start, period_end)
    last = None
    while True:
        page = queryset
        if last is not None:
            page = page.filter(start_at__gte=last[0]).exclude(start_at=last[0], id__lte=last[1])
        batch = list(page.values_list(*ROW_FIELDS)[:FETCH_ROWS])
        if not batch:
            return
        breaks = defaultdict(list)
        for request_id, b_start, b_end in (
            OvertimeBreak.objects.filter(request_id__in=[r[0] for r in batch])
            .order_by("start_at", "id")
            .values_list("request_id", "start_at", "end_at")
        ):
            breaks[request_id].append((b_start, b_end))
        for row in batch:
            (
                pk,
                code,
                first,
                last_name,
                department,
                project,
                start_at,
                end_at,
                total,
                brk,
                net,
                status,
                weekend,
                holiday,
                reason,
                department_id,
                *week_fields,
            ) = row
            payroll.department(department_id, tuple(week_fields))
            category, compensation, meal = payroll(department_id, local_date(start_at), net)
            yield ReportRow(
                id=pk,
                employee_code=code,
                employee_name=f"{first} {last_name}".strip(),
                department=department or "",
                project=project or "",
                start_at=start_at,
                end_at=end_at,
                total_hours=total,
                break_hours=brk,
                net_hours=net,
                status=status,
                is_weekend=weekend,
                is_holiday=holiday,
                reason=reason,
                breaks=tuple(breaks.get(pk, ())),
                department_id=department_id,
                day_category=category,
                compensation_hours=compensation,
                meal_due=meal,
            )
        last = (batch[-1][6], batch[-1][0])


class RegulationLimits:
    """The limits in force for a department on a day, found as the submit check finds
    them (`regulation_in_force`, by department id), one query per department and day
    asked about (a month of any size: departments x 31 at most)."""

    def __init__(self) -> None:
        self._found: dict[tuple[int | None, date], dict[str, Decimal] | None] = {}

    def __call__(self, department_id: int | None, day: date) -> dict[str, Decimal] | None:
        key = (department_id, day)
        if key not in self._found:
            regulation = regulation_in_force(department_id=department_id, on=day)
            self._found[key] = (
                None
                if regulation is None
                else {name: getattr(regulation, LIMIT_FIELDS[name]) for name in PERIODS}
            )
        return self._found[key]


def regulation_limits(*, on: date | None = None) -> RegulationLimits:
    """The lookup the Violations sheet judges each period with.

    Each period is looked up on its own day, so `on` (the report's first day, as
    callers pass it) no longer picks one regulation for the whole report.
    """
    return RegulationLimits()


def report_jobs_visible_to(*, user) -> QuerySet[ReportJob]:
    """Global admins see every job (scheduled ones too); others the ones they asked for."""
    queryset = ReportJob.objects.select_related("requested_by")
    if user.is_global_admin:
        return queryset
    return queryset.filter(requested_by=user)

"""Reads for reports: the rows of a period, streamed, and the jobs a user may see.

Each row carries what payroll needs of it: its day category, compensation hours and
whether a meal is due — the figures the request itself shows, set by the overtime
services from the regulation in force when it was filed, edited or submitted
(`api/overtime/services/terms.py`): one set of rules for the API and the workbook.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from api.overtime.models import OvertimeBreak, OvertimeRequest
from api.overtime.rules import (
    LIMIT_FIELDS,
    PERIODS,
)
from api.overtime.selectors import (
    local_day_bounds,
    regulation_in_force,
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
    "day_category",
    "compensation_hours",
    "meal_due",
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


def report_rows(*, period_start: date, period_end: date, filters: dict) -> Iterator[ReportRow]:
    """Every row of the report, in (start, id) order, FETCH_ROWS at a time.

    Keyset pagination instead of one cursor: each batch is a short query (no
    transaction held open for the whole build), and the breaks of a batch are read
    in one more query. Memory holds one batch, whatever the period's size.
    """
    queryset = report_requests(
        period_start=period_start, period_end=period_end, filters=filters
    ).order_by("start_at", "id")
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
                category,
                compensation,
                meal,
            ) = row
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

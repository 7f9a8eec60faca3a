"""Reads for reports: the rows of a period, streamed, and the jobs a user may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from django.db.models import Q, QuerySet

from api.overtime.models import OvertimeBreak, OvertimeRegulation, OvertimeRequest
from api.overtime.selectors import local_day_bounds
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
            )
        last = (batch[-1][6], batch[-1][0])


def regulation_limits(*, on: date) -> dict[str, dict]:
    """Limits per department name ("" = global) in force on `on`, for the violations sheet."""
    limits: dict[str, dict] = {}
    in_force = (
        OvertimeRegulation.objects.filter(is_active=True, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .select_related("department")
        .order_by("effective_from", "id")  # the latest one wins below
    )
    for regulation in in_force:
        key = regulation.department.name if regulation.department_id else ""
        limits[key] = {
            "day": regulation.max_hours_per_day,
            "week": regulation.max_hours_per_week,
            "month": regulation.max_hours_per_month,
        }
    return limits


def report_jobs_visible_to(*, user) -> QuerySet[ReportJob]:
    """Global admins see every job (scheduled ones too); others the ones they asked for."""
    queryset = ReportJob.objects.select_related("requested_by")
    if user.is_global_admin:
        return queryset
    return queryset.filter(requested_by=user)

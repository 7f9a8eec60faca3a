"""A generated month of overtime in the database, every status in it, and the SQL sums
the workbooks are checked against."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from api.overtime.models import OvertimeBreak, OvertimeRequest, OvertimeStatus
from api.overtime.services.terms import apply_day_terms
from api.reports.builders import ReportSpec, build_report
from api.reports.selectors import regulation_limits, report_requests, report_rows
from tests.factories import make_department, make_employee, make_project, make_user

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
# Hours that do not add up exactly in binary floating point, on purpose.
HOURS = (Decimal("1.33"), Decimal("2.25"), Decimal("0.10"), Decimal("3.70"), Decimal("1.05"))


def generate_month(*, requests: int = 180, one_day: date | None = None) -> list:
    """`requests` requests spread over October 2026 (or all on `one_day`), cycling
    through every status, 12 employees in three departments (two named alike),
    four projects, a break on every third request. Returns the departments."""
    departments = [
        make_department(name="Support"),
        make_department(name="Support"),
        make_department(name="Engineering"),
    ]
    employees = [make_employee(department=departments[n % 3]) for n in range(12)]
    projects = [make_project() for _ in range(4)]
    author = make_user(with_employee=False)
    statuses = OvertimeStatus.values
    for n in range(requests):
        day = one_day or OCTOBER[0] + timedelta(days=n % 31)
        # 16:00 local plus up to three hours: every request starts on its local `day`,
        # inside the report's period, whatever TIME_ZONE is.
        local = datetime(day.year, day.month, day.day, 16, tzinfo=ZoneInfo(settings.TIME_ZONE))
        start = local + timedelta(minutes=n)
        total = HOURS[n % len(HOURS)] + 1
        brk = Decimal("0.50") if n % 3 == 0 else Decimal("0")
        request = OvertimeRequest(
            employee=employees[n % len(employees)],
            project=projects[n % len(projects)] if n % 7 else None,
            created_by=author,
            start_at=start,
            end_at=start + timedelta(hours=float(total)),
            reason=f"=SUM(A1:A{n})" if n % 11 == 0 else f"Release {n}",
            status=statuses[n % len(statuses)],
            total_hours=total,
            break_hours=brk,
            net_hours=total - brk,
            is_weekend=day.weekday() >= 5,
        )
        apply_day_terms(request)  # category, compensation, meal: as the services set them
        request.save()
        if brk:
            OvertimeBreak.objects.create(
                request=request, start_at=start, end_at=start + timedelta(minutes=30)
            )
    return departments


def build(path: Path, *, kind: str = "monthly", period: tuple[date, date] = OCTOBER):
    """The workbook as the report job builds it: the selectors' rows into the builder."""
    spec = ReportSpec(
        title=f"Overtime {kind} report",
        kind=kind,
        period_start=period[0],
        period_end=period[1],
        generated_at=timezone.now(),
        timezone=settings.TIME_ZONE,
        limits=regulation_limits(on=period[0]),
    )
    rows = report_rows(period_start=period[0], period_end=period[1], filters={})
    return build_report(spec, rows, path)


def sql_totals(period: tuple[date, date] = OCTOBER) -> dict[str, dict[str, dict]]:
    """{employee code: {status: {"requests", "net", "total", "brk"}}}, summed by SQL."""
    grouped = (
        report_requests(period_start=period[0], period_end=period[1], filters={})
        .values("employee__employee_code", "status")
        .annotate(requests=Count("id"), net=Sum("net_hours"), total=Sum("total_hours"))
        .annotate(brk=Sum("break_hours"))
        .order_by()
    )
    found: dict[str, dict[str, dict]] = defaultdict(dict)
    for group in grouped:
        found[group["employee__employee_code"]][group["status"]] = group
    return found


def expected_employee_figures(by_status: dict[str, dict]) -> dict[str, Decimal | int]:
    """What an employee's row must show, from their SQL sums by status."""

    def of(statuses, name):
        return sum((by_status[s][name] for s in statuses if s in by_status), Decimal(0))

    pending = (OvertimeStatus.SUBMITTED, OvertimeStatus.PENDING_SECOND_APPROVAL)
    others = (OvertimeStatus.DRAFT, OvertimeStatus.REJECTED, OvertimeStatus.CANCELLED)
    approved = (OvertimeStatus.APPROVED,)
    return {
        "Requests": int(of(approved, "requests")),
        "Net hours": of(approved, "net"),
        "Pending requests": int(of(pending, "requests")),
        "Pending net hours": of(pending, "net"),
        "Not counted requests": int(of(others, "requests")),
    }

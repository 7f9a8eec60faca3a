"""Report workbooks, built from rows: no database, no Django settings, no network.

One pass over the rows writes the "Details" sheet as they come (XlsxWriter in
constant-memory mode flushes each row to disk) and adds them into running totals
(api/reports/workbook/totals.py); the "Summary", "Departments", "Employees" and
"Violations" sheets are written from those at the end. Memory is bounded by the number of groups
(departments x projects, employees x days), not by the number of rows.

Headline hours count approved requests; pending ones have their own columns; drafts,
cancelled and rejected requests are in no total. The sheets' columns are in
api/reports/workbook/columns.py, their layout and print setup in writers.py.

User-typed text (reasons, names, project titles) is always written as a string
cell, never through a formula path: "=HYPERLINK(...)" stays text in Excel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from api.reports.workbook.columns import (
    CATEGORY_LABELS,
    DEPARTMENTS,
    DETAILS,
    EMPLOYEES,
    FILTERS,
    SHEETS,
    SUMMARY,
    VIOLATIONS,
)
from api.reports.workbook.totals import Totals
from api.reports.workbook.violations import LimitsLookup, violations
from api.reports.workbook.writers import DEFAULT_WRITER, WRITERS, PrintTitle

__all__ = ["DEFAULT_WRITER", "WRITERS", "BuildResult", "ReportRow", "ReportSpec", "build_report"]


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One overtime request as the report shows it."""

    id: int
    employee_code: str
    employee_name: str
    department: str
    project: str
    start_at: datetime  # aware
    end_at: datetime  # aware
    total_hours: Decimal
    break_hours: Decimal
    net_hours: Decimal
    status: str
    is_weekend: bool
    is_holiday: bool
    reason: str
    breaks: tuple[tuple[datetime, datetime], ...] = ()
    # The regulation is found by department id: two departments may share a name.
    department_id: int | None = None
    # What payroll needs, under the regulation in force (api/reports/selectors.py): the
    # day category (rules.DayCategory's value), the hours weighted by its compensation
    # tiers, and whether a meal is due. None / False without a regulation in force.
    day_category: str | None = None
    compensation_hours: Decimal | None = None
    meal_due: bool = False


@dataclass(frozen=True, slots=True)
class ReportSpec:
    title: str
    kind: str
    period_start: date
    period_end: date
    filters: dict = field(default_factory=dict)
    generated_at: datetime | None = None
    timezone: str = "UTC"
    # The limits of the regulation in force for a department on a day
    # (api/reports/selectors.py regulation_limits). None: no violation check.
    limits: LimitsLookup | None = None


@dataclass(frozen=True, slots=True)
class BuildResult:
    path: Path
    row_count: int
    violation_count: int


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    # Excel has no time zones: the report shows the company's local time.
    return moment.astimezone(zone).replace(tzinfo=None)


def _period_text(spec: ReportSpec) -> str:
    if spec.period_start == spec.period_end:
        return spec.period_start.isoformat()
    return f"{spec.period_start.isoformat()} to {spec.period_end.isoformat()}"


def _in_column_order(sheet, record: dict) -> tuple:
    return tuple(record.get(column.key) for column in sheet.columns)


def build_report(
    spec: ReportSpec,
    rows: Iterable[ReportRow],
    path: Path,
    *,
    writer: str = DEFAULT_WRITER,
) -> BuildResult:
    """Writes the workbook to `path` and returns what it holds."""
    zone = ZoneInfo(spec.timezone)
    generated = _local(spec.generated_at or datetime.now(zone), zone)
    generated_text = generated.strftime("%Y-%m-%d %H:%M:%S")
    book = WRITERS[writer](path, PrintTitle(spec.title, _period_text(spec), generated_text))
    # Constant-memory sheets are filled in any order as long as each one's rows go top
    # to bottom: all are added first, in reading order.
    for sheet in SHEETS:
        book.add_sheet(sheet)

    totals = Totals()
    count = 0
    details = DETAILS.name
    for row in rows:
        start, end = _local(row.start_at, zone), _local(row.end_at, zone)
        day = start.date()
        breaks = "; ".join(
            f"{_local(b_start, zone):%H:%M}-{_local(b_end, zone):%H:%M}"
            for b_start, b_end in row.breaks
        )
        # In DETAILS.columns order (kept literal: this runs once per request).
        book.row(
            details,
            (
                row.id,
                row.employee_code,
                row.employee_name,
                row.department,
                row.project,
                day,
                start,
                end,
                row.total_hours,
                row.break_hours,
                row.net_hours,
                row.status,
                "yes" if row.is_weekend else "no",
                "yes" if row.is_holiday else "no",
                CATEGORY_LABELS.get(row.day_category, ""),
                row.compensation_hours,
                "yes" if row.meal_due else "no",
                breaks,
                row.reason,
            ),
        )
        totals.add(row, day)
        count += 1

    for record in totals.summary_records():
        book.row(SUMMARY.name, _in_column_order(SUMMARY, record))
    for record in totals.department_records():
        book.row(DEPARTMENTS.name, _in_column_order(DEPARTMENTS, record))
    for record in totals.employee_records():
        book.row(EMPLOYEES.name, _in_column_order(EMPLOYEES, record))
    violation_count = 0
    for record in violations(totals.booked, spec.limits):
        book.row(VIOLATIONS.name, _in_column_order(VIOLATIONS, record))
        violation_count += 1

    settings_rows = [
        ("Report", spec.title),
        ("Kind", spec.kind),
        ("Period", f"{spec.period_start.isoformat()} to {spec.period_end.isoformat()}"),
        *((f"Filter: {name}", _filter_text(value)) for name, value in sorted(spec.filters.items())),
        ("Requests", str(count)),
        ("Time zone", spec.timezone),
        ("Generated at", generated_text),
    ]
    for name, value in settings_rows:
        book.row(FILTERS.name, (name, value))
    book.close()
    return BuildResult(path=path, row_count=count, violation_count=violation_count)


def _filter_text(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)

"""Report workbooks, built from rows: no database, no Django settings, no network.

One pass over the rows writes the "Details" sheet as they come (XlsxWriter in
constant-memory mode flushes each row to disk) and folds them, in chunks, into
small pandas aggregates; the "Summary", "Employees" and "Violations" sheets are
written from those at the end. Memory is bounded by the chunk size and the number
of groups (departments x projects, employees x days), not by the number of rows.

The writer was chosen by measurement (`make bench BENCH=report`, docs/performance.md):
XlsxWriter constant_memory against openpyxl write-only on the same rows; both stay
available (`writer=`) so the comparison can be re-run.

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

import pandas as pd

from api.reports.writers import DEFAULT_WRITER, WRITERS

CHUNK_ROWS = 5_000
# Requests that count toward regulation limits (as the submit check counts them).
BOOKED_STATUSES = frozenset({"submitted", "pending_second_approval", "approved"})


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


@dataclass(frozen=True, slots=True)
class ReportSpec:
    title: str
    kind: str
    period_start: date
    period_end: date
    filters: dict = field(default_factory=dict)
    generated_at: datetime | None = None
    timezone: str = "UTC"
    # Regulation limits in hours per department name ("" = the global regulation):
    # {"": {"day": 4, "week": 12, "month": 40}}. Missing: no violation check.
    limits: dict[str, dict[str, Decimal]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BuildResult:
    path: Path
    row_count: int
    violation_count: int


DETAIL_COLUMNS = [
    ("ID", 8, "int"),
    ("Employee code", 14, "text"),
    ("Employee", 26, "text"),
    ("Department", 22, "text"),
    ("Project", 26, "text"),
    ("Date", 11, "date"),
    ("Start", 17, "datetime"),
    ("End", 17, "datetime"),
    ("Total hours", 11, "hours"),
    ("Break hours", 11, "hours"),
    ("Net hours", 10, "hours"),
    ("Status", 22, "text"),
    ("Weekend", 9, "text"),
    ("Holiday", 9, "text"),
    ("Breaks", 30, "text"),
    ("Reason", 50, "text"),
]
SUMMARY_COLUMNS = [
    ("Department", 26, "text"),
    ("Project", 30, "text"),
    ("Requests", 10, "int"),
    ("Total hours", 12, "hours"),
    ("Break hours", 12, "hours"),
    ("Net hours", 12, "hours"),
    ("Approved net hours", 18, "hours"),
]
EMPLOYEE_COLUMNS = [
    ("Employee code", 14, "text"),
    ("Employee", 26, "text"),
    ("Department", 22, "text"),
    ("Requests", 10, "int"),
    ("Net hours", 12, "hours"),
    ("Approved net hours", 18, "hours"),
    ("Weekend net hours", 17, "hours"),
    ("Holiday net hours", 17, "hours"),
]
VIOLATION_COLUMNS = [
    ("Employee code", 14, "text"),
    ("Employee", 26, "text"),
    ("Department", 22, "text"),
    ("Period", 8, "text"),
    ("From", 11, "date"),
    ("To", 11, "date"),
    ("Booked net hours", 16, "hours"),
    ("Limit", 8, "hours"),
    ("Over by", 9, "hours"),
]


# ----------------------------------------------------------------------- aggregation


class _Aggregates:
    """Running pandas sums, folded every CHUNK_ROWS rows so memory stays flat."""

    KEYS = (
        "department",
        "project",
        "employee_code",
        "employee_name",
        "day",
        "status",
        "is_weekend",
        "is_holiday",
    )

    def __init__(self) -> None:
        self._pending: dict[str, list] = {k: [] for k in (*self.KEYS, "total", "brk", "net")}
        self.by_project: pd.DataFrame | None = None
        self.by_employee: pd.DataFrame | None = None
        self.by_employee_day: pd.DataFrame | None = None

    def add(self, row: ReportRow, day: date) -> None:
        pending = self._pending
        pending["department"].append(row.department)
        pending["project"].append(row.project)
        pending["employee_code"].append(row.employee_code)
        pending["employee_name"].append(row.employee_name)
        pending["day"].append(day)
        pending["status"].append(row.status)
        pending["is_weekend"].append(row.is_weekend)
        pending["is_holiday"].append(row.is_holiday)
        pending["total"].append(float(row.total_hours))
        pending["brk"].append(float(row.break_hours))
        pending["net"].append(float(row.net_hours))
        if len(pending["net"]) >= CHUNK_ROWS:
            self.fold()

    @staticmethod
    def _merge(current: pd.DataFrame | None, new: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        if current is None:
            return new
        return pd.concat([current, new]).groupby(keys, sort=False, dropna=False).sum().reset_index()

    def fold(self) -> None:
        if not self._pending["net"]:
            return
        frame = pd.DataFrame(self._pending)
        self._pending = {k: [] for k in self._pending}
        approved = frame["status"] == "approved"
        booked = frame["status"].isin(BOOKED_STATUSES)
        frame = frame.assign(
            requests=1,
            approved_net=frame["net"].where(approved, 0.0),
            booked_net=frame["net"].where(booked, 0.0),
            weekend_net=frame["net"].where(frame["is_weekend"], 0.0),
            holiday_net=frame["net"].where(frame["is_holiday"], 0.0),
        )
        keys = ["department", "project"]
        new = (
            frame.groupby(keys, sort=False, dropna=False)[
                ["requests", "total", "brk", "net", "approved_net"]
            ]
            .sum()
            .reset_index()
        )
        self.by_project = self._merge(self.by_project, new, keys)
        keys = ["employee_code", "employee_name", "department"]
        new = (
            frame.groupby(keys, sort=False, dropna=False)[
                ["requests", "net", "approved_net", "weekend_net", "holiday_net"]
            ]
            .sum()
            .reset_index()
        )
        self.by_employee = self._merge(self.by_employee, new, keys)
        keys = ["employee_code", "employee_name", "department", "day"]
        new = frame.groupby(keys, sort=False, dropna=False)[["booked_net"]].sum().reset_index()
        self.by_employee_day = self._merge(self.by_employee_day, new, keys)


def _violations(per_day: pd.DataFrame | None, limits: dict) -> pd.DataFrame:
    """Booked net hours per employee and day/week/month over the department's limit."""
    columns = [
        "employee_code",
        "employee_name",
        "department",
        "period",
        "first",
        "last",
        "booked",
        "limit",
    ]
    if per_day is None or per_day.empty or not limits:
        return pd.DataFrame(columns=columns)
    days = per_day.assign(day=pd.to_datetime(per_day["day"]))
    found = []
    for period, freq in (("day", "D"), ("week", "W-SUN"), ("month", "M")):
        starts = days["day"].dt.to_period(freq).dt.start_time
        ends = days["day"].dt.to_period(freq).dt.end_time.dt.normalize()
        grouped = (
            days.assign(first=starts, last=ends)
            .groupby(["employee_code", "employee_name", "department", "first", "last"], sort=True)[
                "booked_net"
            ]
            .sum()
            .reset_index()
        )
        limit = grouped["department"].map(
            lambda dept, p=period: float(limits.get(dept, limits.get("", {})).get(p) or 0) or None
        )
        over = grouped.assign(period=period, booked=grouped["booked_net"], limit=limit)
        over = over[over["limit"].notna() & (over["booked"] > over["limit"] + 1e-9)]
        found.append(over[columns])
    return pd.concat(found, ignore_index=True).sort_values(["employee_code", "period", "first"])


# ----------------------------------------------------------------------- the build


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    # Excel has no time zones: the report shows the company's local time.
    return moment.astimezone(zone).replace(tzinfo=None)


def build_report(
    spec: ReportSpec,
    rows: Iterable[ReportRow],
    path: Path,
    *,
    writer: str = DEFAULT_WRITER,
) -> BuildResult:
    """Writes the workbook to `path` and returns what it holds."""
    zone = ZoneInfo(spec.timezone)
    book = WRITERS[writer](path)
    # Sheet order as a reader wants it; constant-memory sheets are filled in any order
    # as long as each one's rows go top to bottom.
    book.add_sheet("Summary", SUMMARY_COLUMNS)
    book.add_sheet("Employees", EMPLOYEE_COLUMNS)
    book.add_sheet("Details", DETAIL_COLUMNS)
    book.add_sheet("Violations", VIOLATION_COLUMNS)
    book.add_sheet("Filters", [("Setting", 24, "text"), ("Value", 60, "text")])

    totals = _Aggregates()
    count = 0
    for row in rows:
        start, end = _local(row.start_at, zone), _local(row.end_at, zone)
        day = start.date()
        breaks = "; ".join(
            f"{_local(b_start, zone):%H:%M}-{_local(b_end, zone):%H:%M}"
            for b_start, b_end in row.breaks
        )
        book.row(
            "Details",
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
                breaks,
                row.reason,
            ),
        )
        totals.add(row, day)
        count += 1
    totals.fold()

    if totals.by_project is not None:
        for record in totals.by_project.sort_values(["department", "project"]).itertuples():
            book.row(
                "Summary",
                (
                    record.department,
                    record.project,
                    int(record.requests),
                    record.total,
                    record.brk,
                    record.net,
                    record.approved_net,
                ),
            )
        summary = totals.by_project[["requests", "total", "brk", "net", "approved_net"]].sum()
        book.row(
            "Summary",
            (
                "All departments",
                "All projects",
                int(summary["requests"]),
                summary["total"],
                summary["brk"],
                summary["net"],
                summary["approved_net"],
            ),
        )
        for record in totals.by_employee.sort_values(["department", "employee_name"]).itertuples():
            book.row(
                "Employees",
                (
                    record.employee_code,
                    record.employee_name,
                    record.department,
                    int(record.requests),
                    record.net,
                    record.approved_net,
                    record.weekend_net,
                    record.holiday_net,
                ),
            )

    violations = _violations(totals.by_employee_day, spec.limits)
    for record in violations.itertuples():
        book.row(
            "Violations",
            (
                record.employee_code,
                record.employee_name,
                record.department,
                record.period,
                record.first.date(),
                record.last.date(),
                record.booked,
                record.limit,
                record.booked - record.limit,
            ),
        )

    generated = spec.generated_at or datetime.now(zone)
    settings_rows = [
        ("Report", spec.title),
        ("Kind", spec.kind),
        ("Period", f"{spec.period_start.isoformat()} to {spec.period_end.isoformat()}"),
        *((f"Filter: {name}", _filter_text(value)) for name, value in sorted(spec.filters.items())),
        ("Requests", str(count)),
        ("Time zone", spec.timezone),
        ("Generated at", _local(generated, zone).strftime("%Y-%m-%d %H:%M:%S")),
    ]
    for name, value in settings_rows:
        book.row("Filters", (name, value))
    book.close()
    return BuildResult(path=path, row_count=count, violation_count=len(violations))


def _filter_text(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)

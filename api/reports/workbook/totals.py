"""Running totals of a report: one pass over the rows, memory by groups, not by rows.

Sums are Decimal, as the database keeps hours, so a workbook's totals are the SQL sums
to the cent. Which status goes where is one rule for every sheet:
approved requests make the hours, pending ones (submitted, awaiting second approval)
their own columns, drafts, cancelled and rejected requests only a count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from api.reports.workbook.columns import APPROVED, BOOKED_STATUSES, PENDING_STATUSES

ZERO = Decimal("0")


class Tally:
    """The figures of one group (a department's project, an employee, everything)."""

    __slots__ = (
        "brk",
        "holiday_net",
        "net",
        "not_counted",
        "pending_net",
        "pending_requests",
        "requests",
        "total",
        "weekend_net",
    )

    def __init__(self) -> None:
        self.requests = self.pending_requests = self.not_counted = 0
        self.total = self.brk = self.net = ZERO
        self.weekend_net = self.holiday_net = self.pending_net = ZERO

    def add(self, row) -> None:
        status = row.status
        if status == APPROVED:
            self.requests += 1
            self.total += row.total_hours
            self.brk += row.break_hours
            self.net += row.net_hours
            if row.is_weekend:
                self.weekend_net += row.net_hours
            if row.is_holiday:
                self.holiday_net += row.net_hours
        elif status in PENDING_STATUSES:
            self.pending_requests += 1
            self.pending_net += row.net_hours
        else:
            self.not_counted += 1

    def record(self, **keys) -> dict:
        """The group's keys and figures, by column key (see columns.py)."""
        return keys | {name: getattr(self, name) for name in self.__slots__}


class Totals:
    """Every group a report sheet needs, filled row by row."""

    def __init__(self) -> None:
        self.everything = Tally()
        self.by_project: dict[tuple[str, str], Tally] = defaultdict(Tally)
        self.by_employee: dict[tuple[str, str, str], Tally] = defaultdict(Tally)
        # Booked net hours per employee (with the department id the regulation is
        # found by) and local day: what the violations are judged on.
        self.booked: dict[tuple[str, str, str, int | None], dict[date, Decimal]] = defaultdict(
            lambda: defaultdict(lambda: ZERO)
        )

    def add(self, row, day: date) -> None:
        self.everything.add(row)
        self.by_project[row.department, row.project].add(row)
        self.by_employee[row.employee_code, row.employee_name, row.department].add(row)
        if row.status in BOOKED_STATUSES:
            key = (row.employee_code, row.employee_name, row.department, row.department_id)
            self.booked[key][day] += row.net_hours

    def summary_records(self):
        for (department, project), tally in sorted(self.by_project.items()):
            yield tally.record(department=department, project=project)
        if self.by_project:
            yield self.everything.record(department="All departments", project="All projects")

    def employee_records(self):
        def order(item):
            (code, name, department), _ = item
            return department, name, code

        for (code, name, department), tally in sorted(self.by_employee.items(), key=order):
            yield tally.record(employee_code=code, employee_name=name, department=department)

"""Running totals of a report: one pass over the rows, memory by groups, not by rows.

Sums are Decimal, as the database keeps hours, so a workbook's totals are the SQL sums
to the cent. Which status goes where is one rule for every sheet:
approved requests make the hours, pending ones (submitted, awaiting second approval)
their own columns, drafts, cancelled and rejected requests only a count.

The payroll figures (net hours per day category, compensation hours, meals) are the
approved requests' own, as the selector worked them out under the regulation in force;
a request with no regulation in force has no category, so its hours are in Net hours
but in no category column, and it adds no compensation.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from api.reports.workbook.columns import (
    APPROVED,
    BOOKED_STATUSES,
    CATEGORY_KEYS,
    PENDING_STATUSES,
)

ZERO = Decimal("0")


class Tally:
    """The figures of one group (a department's project, an employee, everything)."""

    __slots__ = (
        "brk",
        "compensation",
        "holiday_net",
        "holiday_shortest_day_net",
        "meals",
        "net",
        "not_counted",
        "pending_net",
        "pending_requests",
        "public_holiday_net",
        "requests",
        "rest_day_net",
        "total",
        "weekend_net",
        "workday_net",
    )

    def __init__(self) -> None:
        self.requests = self.pending_requests = self.not_counted = self.meals = 0
        self.total = self.brk = self.net = ZERO
        self.weekend_net = self.holiday_net = self.pending_net = ZERO
        self.workday_net = self.rest_day_net = ZERO
        self.public_holiday_net = self.holiday_shortest_day_net = ZERO
        self.compensation = ZERO

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
            if (key := CATEGORY_KEYS.get(row.day_category)) is not None:
                setattr(self, key, getattr(self, key) + row.net_hours)
            if row.compensation_hours is not None:
                self.compensation += row.compensation_hours
            if row.meal_due:
                self.meals += 1
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
        self.by_department: dict[str, Tally] = defaultdict(Tally)
        self.by_employee: dict[tuple[str, str, str], Tally] = defaultdict(Tally)
        # Booked net hours per employee (with the department id the regulation is
        # found by) and local day: what the violations are judged on.
        self.booked: dict[tuple[str, str, str, int | None], dict[date, Decimal]] = defaultdict(
            lambda: defaultdict(lambda: ZERO)
        )

    def add(self, row, day: date) -> None:
        self.everything.add(row)
        self.by_project[row.department, row.project].add(row)
        self.by_department[row.department].add(row)
        self.by_employee[row.employee_code, row.employee_name, row.department].add(row)
        if row.status in BOOKED_STATUSES:
            key = (row.employee_code, row.employee_name, row.department, row.department_id)
            self.booked[key][day] += row.net_hours

    def summary_records(self):
        for (department, project), tally in sorted(self.by_project.items()):
            yield tally.record(department=department, project=project)
        if self.by_project:
            yield self.everything.record(department="All departments", project="All projects")

    def department_records(self):
        for department, tally in sorted(self.by_department.items()):
            yield tally.record(department=department)
        if self.by_department:
            yield self.everything.record(department="All departments")

    def employee_records(self):
        def order(item):
            (code, name, department), _ = item
            return department, name, code

        for (code, name, department), tally in sorted(self.by_employee.items(), key=order):
            yield tally.record(employee_code=code, employee_name=name, department=department)

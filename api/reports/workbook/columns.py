"""What each sheet shows: its columns, in order, and the line saying what it counts.

A sheet's rows are written from records keyed by column `key`, so a new column is one
more `Column` here and one more key in the record that fills it
(`api/reports/workbook/totals.py`); nothing else moves.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.overtime.rules import DayCategory

# Statuses as api.overtime.models.OvertimeStatus spells them (kept as plain strings so
# the builder needs no Django; a test checks they match).
APPROVED = "approved"
PENDING_STATUSES = frozenset({"submitted", "pending_second_approval"})
NOT_COUNTED_STATUSES = frozenset({"draft", "rejected", "cancelled"})
# What the submit check counts toward the regulation limits (the "active" requests).
BOOKED_STATUSES = frozenset({APPROVED, *PENDING_STATUSES})


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: float
    kind: str  # text, int, hours, date, datetime


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    # Printed under the title and in the page footer: what the sheet's figures count.
    counts: str


# How a day category reads in a cell, and the key of its approved net hours in totals.
CATEGORY_LABELS = {
    DayCategory.WORKDAY.value: "Workday",
    DayCategory.REST_DAY.value: "Rest day",
    DayCategory.PUBLIC_HOLIDAY.value: "Public holiday",
    DayCategory.HOLIDAY_SHORTEST_DAY.value: "Holiday on shortest workday",
}
CATEGORY_KEYS = {category: f"{category}_net" for category in CATEGORY_LABELS}

# What payroll reads: approved net hours per day category, the same hours weighted by
# the regulation's compensation tiers, and the meals due. Every category has its
# column, the shortest-workday holiday of 6-day weeks too (0 elsewhere), so a payroll
# import finds the same columns in every workbook.
PAYROLL_COLUMNS = (
    Column("workday_net", "Workday hours", 13, "hours"),
    Column("rest_day_net", "Rest day hours", 13, "hours"),
    Column("public_holiday_net", "Public holiday hours", 18, "hours"),
    Column("holiday_shortest_day_net", "Holiday on shortest workday hours", 18, "hours"),
    Column("compensation", "Compensation hours", 17, "hours"),
    Column("meals", "Meals", 8, "int"),
)
PAY_NOTE = (
    "Overtime pay = compensation hours x hourly wage (1/173 of the monthly wage, "
    "PP 35/2021 art. 32); no wage is stored here."
)

APPROVED_ONLY = (
    "Hours: approved requests only; pending (submitted, awaiting second approval) shown "
    "separately; drafts, cancelled and rejected requests are in no total."
)

SUMMARY = Sheet(
    "Summary",
    (
        Column("department", "Department", 24, "text"),
        Column("project", "Project", 26, "text"),
        Column("requests", "Requests", 10, "int"),
        Column("total", "Total hours", 11, "hours"),
        Column("brk", "Break hours", 11, "hours"),
        Column("net", "Net hours", 11, "hours"),
        Column("pending_requests", "Pending requests", 15, "int"),
        Column("pending_net", "Pending net hours", 16, "hours"),
        Column("not_counted", "Not counted requests", 19, "int"),
    ),
    APPROVED_ONLY,
)
EMPLOYEES = Sheet(
    "Employees",
    (
        Column("employee_code", "Employee code", 14, "text"),
        Column("employee_name", "Employee", 24, "text"),
        Column("department", "Department", 22, "text"),
        Column("requests", "Requests", 10, "int"),
        Column("net", "Net hours", 11, "hours"),
        Column("weekend_net", "Weekend net hours", 17, "hours"),
        Column("holiday_net", "Holiday net hours", 17, "hours"),
        Column("pending_requests", "Pending requests", 15, "int"),
        Column("pending_net", "Pending net hours", 16, "hours"),
        Column("not_counted", "Not counted requests", 19, "int"),
        *PAYROLL_COLUMNS,
    ),
    "Hours: approved requests only; pending apart; drafts, cancelled and rejected in no "
    f"total. {PAY_NOTE}",
)
DEPARTMENTS = Sheet(
    "Departments",
    (
        Column("department", "Department", 24, "text"),
        Column("requests", "Requests", 10, "int"),
        Column("net", "Net hours", 11, "hours"),
        *PAYROLL_COLUMNS,
    ),
    f"Approved requests only. {PAY_NOTE}",
)
DETAILS = Sheet(
    "Details",
    (
        Column("id", "ID", 8, "int"),
        Column("employee_code", "Employee code", 13, "text"),
        Column("employee_name", "Employee", 22, "text"),
        Column("department", "Department", 18, "text"),
        Column("project", "Project", 20, "text"),
        Column("day", "Date", 11, "date"),
        Column("start", "Start", 16, "datetime"),
        Column("end", "End", 16, "datetime"),
        Column("total", "Total hours", 11, "hours"),
        Column("brk", "Break hours", 11, "hours"),
        Column("net", "Net hours", 10, "hours"),
        Column("status", "Status", 22, "text"),
        Column("weekend", "Weekend", 9, "text"),
        Column("holiday", "Holiday", 9, "text"),
        Column("day_category", "Day category", 14, "text"),
        Column("compensation", "Compensation hours", 13, "hours"),
        Column("meal", "Meal", 6, "text"),
        Column("breaks", "Breaks", 24, "text"),
        Column("reason", "Reason", 40, "text"),
    ),
    "Every request of the period, whatever its status (filter on Status); hours are the "
    "request's own.",
)
VIOLATIONS = Sheet(
    "Violations",
    (
        Column("employee_code", "Employee code", 14, "text"),
        Column("employee_name", "Employee", 24, "text"),
        Column("department", "Department", 22, "text"),
        Column("period", "Period", 8, "text"),
        Column("first", "From", 11, "date"),
        Column("last", "To", 11, "date"),
        Column("booked", "Booked net hours", 16, "hours"),
        Column("limit", "Limit", 8, "hours"),
        Column("over", "Over by", 9, "hours"),
    ),
    "Booked hours (approved, submitted, awaiting second approval) in this report above the "
    "limits of the employee's department's regulation in force, as checked on submit.",
)
FILTERS = Sheet(
    "Filters",
    (Column("setting", "Setting", 24, "text"), Column("value", "Value", 60, "text")),
    "What this workbook holds: the report, its period and filters, when it was made.",
)
# In the order a reader wants them.
SHEETS = (SUMMARY, DEPARTMENTS, EMPLOYEES, DETAILS, VIOLATIONS, FILTERS)

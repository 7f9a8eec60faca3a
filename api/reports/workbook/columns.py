"""What each sheet shows: its columns, in order, and the line saying what it counts.

A sheet's rows are written from records keyed by column `key`, so a new column (the
compensation per day category, for one) is one more `Column` here and one more key in
the record that fills it (`api/reports/workbook/totals.py`); nothing else moves.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    ),
    APPROVED_ONLY,
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
SHEETS = (SUMMARY, EMPLOYEES, DETAILS, VIOLATIONS, FILTERS)

"""The workbook builder is pure: rows in, a file out, read back with openpyxl and pandas."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from api.overtime.models import OvertimeStatus
from api.overtime.selectors import ACTIVE_STATUSES
from api.reports import builders
from api.reports.builders import ReportRow, ReportSpec, build_report
from api.reports.workbook import columns
from api.reports.workbook.writers import HEADER_ROW

pytestmark = pytest.mark.parametrize("writer", sorted(builders.WRITERS))

D = Decimal
LIMITS = {"day": D(4), "week": D(20), "month": D(60), "year": D(600)}


def limits_by_department(table):
    """A regulation lookup for pure tests: {department id: limits}, None = global."""
    return lambda department_id, day: table.get(department_id, table.get(None))


def row(
    n,
    *,
    code="E1",
    name="Ann Lee",
    dept="Ops",
    dept_id=1,
    project="Alpha",
    day=3,
    start=18,
    hours=2,
    brk=0,
    status="approved",
    reason="Release",
    breaks=(),
):
    start_at = datetime(2026, 10, day, start, 0, tzinfo=UTC)
    end_at = datetime(2026, 10, day, start + hours, 0, tzinfo=UTC)
    return ReportRow(
        id=n,
        employee_code=code,
        employee_name=name,
        department=dept,
        project=project,
        start_at=start_at,
        end_at=end_at,
        total_hours=D(hours),
        break_hours=D(brk),
        net_hours=D(hours) - D(brk),
        status=status,
        is_weekend=day == 4,
        is_holiday=False,
        reason=reason,
        breaks=breaks,
        department_id=dept_id,
    )


BO = {"code": "E2", "name": "Bo Chan", "dept": "Eng", "dept_id": 2, "project": "Beta"}
ROWS = [
    row(
        1,
        hours=3,
        brk=D("0.5"),
        breaks=(
            (datetime(2026, 10, 3, 19, 0, tzinfo=UTC), datetime(2026, 10, 3, 19, 30, tzinfo=UTC)),
        ),
    ),
    row(2, day=4, hours=2, reason='=HYPERLINK("http://evil.example","click")'),
    row(3, **BO, hours=5, status="submitted", reason="+1 more"),
    row(4, **BO, day=5, hours=1, status="rejected", reason="@mention -minus"),
    row(5, **BO, day=6, hours=3, status="pending_second_approval"),
    row(6, **BO, day=7, start=10, hours=6, status="draft"),
    row(7, **BO, day=8, start=10, hours=7, status="cancelled"),
]
MONTHLY = ReportSpec(
    title="Overtime monthly report",
    kind="monthly",
    period_start=date(2026, 10, 1),
    period_end=date(2026, 10, 31),
    filters={"department": 7, "status": ["approved", "submitted"]},
    generated_at=datetime(2026, 11, 1, 0, 45, tzinfo=UTC),
    timezone="UTC",
    limits=limits_by_department({None: LIMITS}),
)


@pytest.fixture
def workbook(tmp_path, writer):
    result = build_report(MONTHLY, iter(ROWS), tmp_path / "report.xlsx", writer=writer)
    return result, load_workbook(result.path), result.path


def sheet_rows(book, name):
    return list(book[name].iter_rows(min_row=HEADER_ROW + 2, values_only=True))


def frame(path, name):
    return pd.read_excel(path, sheet_name=name, header=HEADER_ROW)


def test_the_status_groups_are_the_models_statuses(writer):
    grouped = {columns.APPROVED, *columns.PENDING_STATUSES, *columns.NOT_COUNTED_STATUSES}
    assert grouped == set(OvertimeStatus.values)
    # Booked is what the submit check counts toward the limits.
    assert set(ACTIVE_STATUSES) == columns.BOOKED_STATUSES


def test_every_sheet_has_a_title_what_it_counts_and_a_filtered_frozen_header(workbook):
    result, book, _ = workbook
    assert book.sheetnames == [
        "Summary",
        "Departments",
        "Employees",
        "Details",
        "Violations",
        "Filters",
    ]
    for sheet in book.worksheets:
        assert sheet["A1"].value == "Overtime monthly report, 2026-10-01 to 2026-10-31"
        assert sheet["A2"].value  # what the figures count
        assert sheet["A3"].font.bold
        assert sheet.freeze_panes == "A4"
        first, last = sheet.auto_filter.ref.split(":")
        assert first == "A3"
        assert last.rstrip("0123456789") == sheet.cell(3, sheet.max_column).column_letter
        assert int(last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) == sheet.max_row
    assert book["Summary"]["A2"].value.startswith("Hours: approved requests only")
    assert book["Details"].column_dimensions["S"].width >= 40  # the reason column is wide
    assert result.row_count == len(ROWS)


def test_every_sheet_prints_landscape_one_page_wide_with_its_titles(workbook):
    _, book, _ = workbook
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # An absent fitToWidth is the format's default, 1.
        setup = sheet.page_setup
        assert (int(setup.fitToWidth or 1), int(setup.fitToHeight)) == (1, 0)
        assert sheet.print_title_rows == "$1:$3"
        last = sheet.cell(sheet.max_row, sheet.max_column).coordinate
        assert sheet.print_area.endswith("$A$1:" + re.sub(r"([A-Z]+)", r"$\1$", last))
        header = sheet.oddHeader
        assert "Overtime monthly report" in header.left.text
        assert header.center.text == "2026-10-01 to 2026-10-31"
        assert header.right.text == "Generated 2026-11-01 00:45:00"
        assert "&P" in sheet.oddFooter.right.text


def test_details_are_typed_not_text(workbook):
    _, book, _ = workbook
    details = book["Details"]
    first = details[HEADER_ROW + 2]
    by_header = {cell.value: value for cell, value in zip(details[3], first, strict=True)}
    assert by_header["ID"].value == 1
    assert by_header["Date"].is_date
    assert by_header["Date"].value.date() == date(2026, 10, 3)
    assert by_header["Start"].is_date
    assert by_header["Start"].value == datetime(2026, 10, 3, 18, 0)
    assert by_header["Net hours"].data_type == "n"
    assert by_header["Net hours"].value == 2.5
    assert by_header["Breaks"].value == "19:00-19:30"


def test_details_list_every_request_with_its_status(workbook):
    _, _, path = workbook
    details = frame(path, "Details").set_index("ID")
    assert details["Status"].to_dict() == {r.id: r.status for r in ROWS}


def test_user_text_that_looks_like_a_formula_stays_text(workbook):
    _, book, _ = workbook
    reasons = {r[0]: r[18] for r in sheet_rows(book, "Details")}
    assert reasons[2] == '=HYPERLINK("http://evil.example","click")'
    assert reasons[3] == "+1 more"
    assert reasons[4] == "@mention -minus"
    for cells in book["Details"].iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in cells)


def test_summary_counts_approved_hours_and_shows_pending_apart(workbook):
    _, _, path = workbook
    summary = frame(path, "Summary").set_index("Department")
    ops = summary.loc["Ops"]
    assert (ops["Project"], ops["Requests"], ops["Total hours"], ops["Net hours"]) == (
        "Alpha",
        2,
        5,
        4.5,
    )
    assert (ops["Pending requests"], ops["Pending net hours"], ops["Not counted requests"]) == (
        0,
        0,
        0,
    )
    eng = summary.loc["Eng"]
    # Bo: 5 h submitted and 3 h awaiting second approval are pending; the rejected,
    # draft and cancelled hours (1 + 6 + 7) are in no total.
    assert (eng["Requests"], eng["Net hours"], eng["Total hours"]) == (0, 0, 0)
    assert (eng["Pending requests"], eng["Pending net hours"]) == (2, 8)
    assert eng["Not counted requests"] == 3
    total = summary.loc["All departments"]
    assert (total["Requests"], total["Net hours"], total["Pending net hours"]) == (2, 4.5, 8)
    assert total["Not counted requests"] == 3


def test_employee_totals(workbook):
    _, _, path = workbook
    employees = frame(path, "Employees").set_index("Employee code")
    assert employees.loc["E1", "Net hours"] == 4.5
    assert employees.loc["E1", "Weekend net hours"] == 2
    assert employees.loc["E2", "Requests"] == 0
    assert employees.loc["E2", "Net hours"] == 0
    assert employees.loc["E2", "Pending net hours"] == 8
    assert employees.loc["E2", "Not counted requests"] == 3


def test_violations_count_booked_hours_against_the_limits(workbook):
    _, book, _ = workbook
    violations = sheet_rows(book, "Violations")
    # Bo booked 5 h on Oct 3 (submitted counts; rejected, draft, cancelled do not).
    assert len(violations) == 1
    code, _name, _dept, period, first, last, booked, limit, over = violations[0]
    assert (code, period, booked, limit, over) == ("E2", "day", 5, 4, 1)
    assert first.date() == last.date() == date(2026, 10, 3)


def test_departments_of_one_name_are_judged_by_their_own_regulation(tmp_path, writer):
    strict = {"day": D(2), "week": D(10), "month": D(30), "year": D(300)}
    spec = ReportSpec(
        **{f: getattr(MONTHLY, f) for f in ("title", "kind", "period_start", "period_end")},
        limits=limits_by_department({None: LIMITS, 11: strict}),
    )
    rows = [
        row(1, code="A", dept="Support", dept_id=11, hours=3),  # over its own 2 h
        row(2, code="B", dept="Support", dept_id=12, hours=3),  # within the global 4 h
    ]
    result = build_report(spec, iter(rows), tmp_path / "same-name.xlsx", writer=writer)
    found = sheet_rows(load_workbook(result.path), "Violations")
    assert [(r[0], r[3], r[6], r[7]) for r in found] == [("A", "day", 3, 2)]
    assert result.violation_count == 1


def test_weeks_are_iso_weeks_and_at_the_limit_is_fine(tmp_path, writer):
    # Oct 5-9 2026 is Monday to Friday: 4 h a day is at the day limit, 20 h at the week's.
    rows = [row(n, day=5 + n, hours=4) for n in range(5)]
    result = build_report(MONTHLY, iter(rows), tmp_path / "week.xlsx", writer=writer)
    assert sheet_rows(load_workbook(result.path), "Violations") == []
    rows.append(row(9, day=4, hours=1))  # Sunday Oct 4 belongs to the week before
    rows.append(row(10, day=11, hours=1))  # and Sunday Oct 11 to this one: 21 h
    result = build_report(MONTHLY, iter(rows), tmp_path / "week2.xlsx", writer=writer)
    found = sheet_rows(load_workbook(result.path), "Violations")
    assert [(r[3], r[4].date(), r[5].date(), r[6]) for r in found] == [
        ("week", date(2026, 10, 5), date(2026, 10, 11), 21)
    ]


def test_filters_sheet_describes_the_report(workbook):
    _, book, _ = workbook
    described = dict(sheet_rows(book, "Filters"))
    assert described["Period"] == "2026-10-01 to 2026-10-31"
    assert described["Filter: status"] == "approved, submitted"
    assert described["Filter: department"] == "7"
    assert described["Generated at"] == "2026-11-01 00:45:00"
    assert described["Requests"] == str(len(ROWS))


def test_an_empty_period_still_makes_a_readable_workbook(tmp_path, writer):
    result = build_report(MONTHLY, iter(()), tmp_path / "empty.xlsx", writer=writer)
    book = load_workbook(result.path)
    assert result.row_count == 0
    assert sheet_rows(book, "Details") == []
    assert book["Details"].auto_filter.ref == "A3:S3"
    assert dict(sheet_rows(book, "Filters"))["Requests"] == "0"


def test_many_rows_of_every_status_add_up(tmp_path, writer):
    statuses = sorted(OvertimeStatus.values)
    many = [
        row(n, code=f"E{n % 5}", day=1 + n % 28, hours=1 + n % 3, status=statuses[n % 6])
        for n in range(1, 301)
    ]
    result = build_report(MONTHLY, iter(many), tmp_path / "many.xlsx", writer=writer)
    total = frame(result.path, "Summary").set_index("Department").loc["All departments"]
    approved = [r for r in many if r.status == "approved"]
    pending = [r for r in many if r.status in {"submitted", "pending_second_approval"}]
    assert total["Requests"] == len(approved)
    assert total["Net hours"] == float(sum(r.net_hours for r in approved))
    assert total["Pending net hours"] == float(sum(r.net_hours for r in pending))
    assert total["Not counted requests"] == len(many) - len(approved) - len(pending)


def test_payroll_columns_add_up_approved_requests_only(tmp_path, writer):
    payroll = [
        (row(1, hours=2), "workday", D("3.5"), False),
        (row(2, day=4, start=10, hours=9), "rest_day", D(19), True),
        (row(3, **BO, start=10, hours=6), "holiday_shortest_day", D(13), True),
        (row(4, **BO, day=5, hours=5, status="submitted"), "workday", D("9.5"), True),
        (row(5, **BO, day=6, hours=2), None, None, False),  # no regulation in force
    ]
    rows = [
        dataclasses.replace(r, day_category=category, compensation_hours=hours, meal_due=meal)
        for r, category, hours, meal in payroll
    ]
    result = build_report(MONTHLY, iter(rows), tmp_path / "payroll.xlsx", writer=writer)
    employees = frame(result.path, "Employees").set_index("Employee code")
    assert employees.loc["E1", ["Workday hours", "Rest day hours"]].tolist() == [2, 9]
    assert employees.loc["E1", ["Compensation hours", "Meals"]].tolist() == [22.5, 1]
    assert employees.loc["E2", "Holiday on shortest workday hours"] == 6
    # The pending 5 h and its 9.5 are not paid; the 2 h without a regulation are in the
    # net hours but in no category.
    assert employees.loc["E2", ["Net hours", "Workday hours", "Compensation hours"]].tolist() == [
        8,
        0,
        13,
    ]
    departments = frame(result.path, "Departments").set_index("Department")
    assert departments.loc["Ops", "Compensation hours"] == 22.5
    assert departments.loc[
        "All departments", ["Requests", "Compensation hours", "Meals"]
    ].tolist() == [
        4,
        35.5,
        2,
    ]
    assert "1/173 of the monthly wage" in load_workbook(result.path)["Departments"]["A2"].value
    details = frame(result.path, "Details").set_index("ID")
    assert details.loc[2, ["Day category", "Compensation hours", "Meal"]].tolist() == [
        "Rest day",
        19,
        "yes",
    ]

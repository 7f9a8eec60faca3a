"""The workbook builder is pure: rows in, a file out, read back with openpyxl and pandas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from api.reports import builders
from api.reports.builders import ReportRow, ReportSpec, build_report

pytestmark = pytest.mark.parametrize("writer", sorted(builders.WRITERS))

D = Decimal


def row(
    n,
    *,
    code="E1",
    name="Ann Lee",
    dept="Ops",
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
    )


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
    row(
        3,
        code="E2",
        name="Bo Chan",
        dept="Eng",
        project="Beta",
        hours=5,
        status="submitted",
        reason="+1 more",
    ),
    row(
        4,
        code="E2",
        name="Bo Chan",
        dept="Eng",
        project="Beta",
        day=5,
        hours=1,
        status="rejected",
        reason="@mention -minus",
    ),
]
SPEC = ReportSpec(
    title="Overtime monthly report",
    kind="monthly",
    period_start=date(2026, 10, 1),
    period_end=date(2026, 10, 31),
    filters={"department": 7, "status": ["approved", "submitted"]},
    generated_at=datetime(2026, 11, 1, 0, 45, tzinfo=UTC),
    timezone="UTC",
    limits={"": {"day": D(4), "week": D(20), "month": D(60)}},
)


@pytest.fixture
def workbook(tmp_path, writer):
    result = build_report(SPEC, iter(ROWS), tmp_path / "report.xlsx", writer=writer)
    return result, load_workbook(result.path), result.path


def sheet_rows(book, name):
    return list(book[name].iter_rows(min_row=2, values_only=True))


def test_sheets_and_their_headers_are_frozen_and_styled(workbook):
    result, book, _ = workbook
    assert book.sheetnames == ["Summary", "Employees", "Details", "Violations", "Filters"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
    assert book["Details"].column_dimensions["P"].width >= 40  # the reason column is wide
    assert result.row_count == 4


def test_details_are_typed_not_text(workbook):
    _, book, _ = workbook
    first = book["Details"][2]
    by_header = {cell.value: value for cell, value in zip(book["Details"][1], first, strict=True)}
    assert by_header["ID"].value == 1
    assert by_header["Date"].is_date
    assert by_header["Date"].value.date() == date(2026, 10, 3)
    assert by_header["Start"].is_date
    assert by_header["Start"].value == datetime(2026, 10, 3, 18, 0)
    assert by_header["Net hours"].data_type == "n"
    assert by_header["Net hours"].value == 2.5
    assert by_header["Breaks"].value == "19:00-19:30"


def test_user_text_that_looks_like_a_formula_stays_text(workbook):
    _, book, _ = workbook
    reasons = {r[0]: r[15] for r in sheet_rows(book, "Details")}
    assert reasons[2] == '=HYPERLINK("http://evil.example","click")'
    assert reasons[3] == "+1 more"
    assert reasons[4] == "@mention -minus"
    for cells in book["Details"].iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in cells)


def test_summary_has_totals_per_department_and_project(workbook):
    _, _book, path = workbook
    summary = pd.read_excel(path, sheet_name="Summary")
    ops = summary[summary["Department"] == "Ops"].iloc[0]
    assert (ops["Project"], ops["Requests"], ops["Net hours"]) == ("Alpha", 2, 4.5)
    assert ops["Approved net hours"] == 4.5
    eng = summary[summary["Department"] == "Eng"].iloc[0]
    assert (eng["Requests"], eng["Net hours"], eng["Approved net hours"]) == (2, 6, 0)
    total = summary[summary["Department"] == "All departments"].iloc[0]
    assert (total["Requests"], total["Net hours"]) == (4, 10.5)


def test_employee_totals(workbook):
    _, _, path = workbook
    employees = pd.read_excel(path, sheet_name="Employees").set_index("Employee code")
    assert employees.loc["E1", "Net hours"] == 4.5
    assert employees.loc["E1", "Weekend net hours"] == 2
    assert employees.loc["E2", "Requests"] == 2


def test_violations_count_booked_hours_against_the_limits(workbook):
    _, book, _ = workbook
    violations = sheet_rows(book, "Violations")
    # Bo booked 5 h on Oct 3 (submitted counts; the rejected hour does not): day limit 4.
    assert len(violations) == 1
    code, _name, _dept, period, first, last, booked, limit, over = violations[0]
    assert (code, period, booked, limit, over) == ("E2", "day", 5, 4, 1)
    assert first.date() == last.date() == date(2026, 10, 3)


def test_filters_sheet_describes_the_report(workbook):
    _, book, _ = workbook
    described = dict(sheet_rows(book, "Filters"))
    assert described["Period"] == "2026-10-01 to 2026-10-31"
    assert described["Filter: status"] == "approved, submitted"
    assert described["Filter: department"] == "7"
    assert described["Generated at"] == "2026-11-01 00:45:00"
    assert described["Requests"] == "4"


def test_an_empty_period_still_makes_a_readable_workbook(tmp_path, writer):
    result = build_report(SPEC, iter(()), tmp_path / "empty.xlsx", writer=writer)
    book = load_workbook(result.path)
    assert result.row_count == 0
    assert sheet_rows(book, "Details") == []
    assert dict(sheet_rows(book, "Filters"))["Requests"] == "0"


def test_many_rows_fold_in_chunks_with_the_same_totals(tmp_path, writer, monkeypatch):
    monkeypatch.setattr(builders, "CHUNK_ROWS", 7)
    many = [row(n, code=f"E{n % 5}", day=1 + n % 28, hours=1 + n % 3) for n in range(1, 101)]
    result = build_report(SPEC, iter(many), tmp_path / "many.xlsx", writer=writer)
    summary = pd.read_excel(result.path, sheet_name="Summary")
    total = summary[summary["Department"] == "All departments"].iloc[0]
    assert total["Requests"] == 100
    assert total["Net hours"] == float(sum(r.net_hours for r in many))

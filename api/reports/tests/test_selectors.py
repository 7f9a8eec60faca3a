"""The report's reads feeding the builder: totals against SQL sums, and the regulation
each department's requests are judged by."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from api.overtime.models import OvertimeRequest
from api.reports.selectors import regulation_limits, report_rows
from api.reports.tests.month import (
    OCTOBER,
    build,
    expected_employee_figures,
    generate_month,
    sql_totals,
)
from api.reports.workbook.writers import HEADER_ROW
from tests.factories import make_department, make_employee, make_overtime, make_regulation

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def test_totals_by_status_are_the_sql_sums(tmp_path):
    generate_month()
    result = build(tmp_path / "month.xlsx")
    employees = pd.read_excel(result.path, sheet_name="Employees", header=HEADER_ROW)
    by_code = employees.set_index("Employee code")
    totals = sql_totals()
    assert set(by_code.index) == set(totals)
    for code, by_status in totals.items():
        expected = expected_employee_figures(by_status)
        shown = by_code.loc[code]
        assert {name: cents(shown[name]) for name in expected} == {
            name: cents(value) for name, value in expected.items()
        }, code
    summary = pd.read_excel(result.path, sheet_name="Summary", header=HEADER_ROW)
    everything = summary.set_index("Department").loc["All departments"]
    approved = OvertimeRequest.objects.filter(status="approved")
    assert everything["Requests"] == approved.count()
    assert cents(everything["Net hours"]) == sum(r.net_hours for r in approved)
    assert cents(everything["Total hours"]) == sum(r.total_hours for r in approved)
    assert cents(everything["Break hours"]) == sum(r.break_hours for r in approved)


def test_details_list_every_request_with_its_status(tmp_path):
    generate_month(requests=60)
    result = build(tmp_path / "month.xlsx")
    details = pd.read_excel(result.path, sheet_name="Details", header=HEADER_ROW)
    assert dict(zip(details["ID"], details["Status"], strict=True)) == dict(
        OvertimeRequest.objects.values_list("id", "status")
    )
    assert load_workbook(result.path)["Details"].auto_filter.ref == f"A3:S{len(details) + 3}"


def test_rows_carry_the_department_id(tmp_path):
    ops = make_department(name="Ops")
    make_overtime(
        employee=make_employee(department=ops), start_at=datetime(2026, 10, 2, 18, tzinfo=UTC)
    )
    (row,) = report_rows(period_start=OCTOBER[0], period_end=OCTOBER[1], filters={})
    assert (row.department, row.department_id) == ("Ops", ops.pk)


def test_departments_of_one_name_are_judged_by_their_own_regulation(tmp_path):
    strict, lenient = make_department(name="Support"), make_department(name="Support")
    make_regulation(max_hours_per_day=Decimal(4))  # the global one
    make_regulation(department=strict, max_hours_per_day=Decimal(2))
    for department in (strict, lenient):
        make_overtime(
            employee=make_employee(department=department),
            start_at=datetime(2026, 10, 6, 17, tzinfo=UTC),
            end_at=datetime(2026, 10, 6, 20, tzinfo=UTC),
            status="approved",
            total_hours=Decimal(3),
            net_hours=Decimal(3),
        )
    result = build(tmp_path / "month.xlsx")
    violations = pd.read_excel(result.path, sheet_name="Violations", header=HEADER_ROW)
    assert violations[["Employee code", "Period", "Booked net hours", "Limit"]].values.tolist() == [
        [strict.employees.get().employee_code, "day", 3, 2]
    ]


def test_the_regulation_in_force_on_the_day_is_the_one_applied():
    ops = make_department(name="Ops")
    make_regulation(max_hours_per_day=Decimal(4))
    make_regulation(department=ops, max_hours_per_day=Decimal(2), effective_from=date(2026, 10, 15))
    limits = regulation_limits(on=OCTOBER[0])
    assert limits(ops.pk, date(2026, 10, 14))["day"] == 4
    assert limits(ops.pk, date(2026, 10, 15))["day"] == 2
    assert limits(None, date(2026, 10, 15))["day"] == 4

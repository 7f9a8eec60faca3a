"""The payroll columns: day categories, compensation hours and meals of approved
requests, under the regulation in force, checked against the regulation's own table
(PP 35/2021 art. 31) and against SQL sums."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from django.conf import settings
from django.db.models import Sum

from api.calendar.models import Holiday
from api.overtime.models import OvertimeRequest
from api.overtime.regulation_defaults import compensation_tiers_replace
from api.reports.selectors import report_rows
from api.reports.tests.month import OCTOBER, build
from api.reports.workbook.writers import HEADER_ROW
from tests.factories import make_department, make_employee, make_overtime, make_regulation

pytestmark = pytest.mark.django_db

D = Decimal
# October 2026: the 3rd is a Saturday, the 6th a Tuesday, the 7th a Wednesday.
SATURDAY, TUESDAY, WEDNESDAY = date(2026, 10, 3), date(2026, 10, 6), date(2026, 10, 7)


def pp35(**fields):
    """A regulation with PP 35/2021's compensation tables (a 5-day week by default)."""
    regulation = make_regulation(**fields)
    compensation_tiers_replace(regulation)
    return regulation


def overtime(employee, day: date, hours, *, status="approved", hour=18):
    start = datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(settings.TIME_ZONE))
    hours = D(hours)
    return make_overtime(
        employee=employee,
        start_at=start,
        end_at=start + timedelta(hours=float(hours)),
        status=status,
        total_hours=hours,
        net_hours=hours,
    )


def sheet(path, name, index):
    return pd.read_excel(path, sheet_name=name, header=HEADER_ROW).set_index(index)


@pytest.fixture
def week_of_overtime():
    """Ann (5-day week) and Bo (6-day week, Saturday short) with one request per day
    category, plus requests that are in no payroll total."""
    pp35()
    Holiday.objects.create(date=WEDNESDAY, name="A holiday")
    Holiday.objects.create(date=date(2026, 10, 10), name="A Saturday holiday")
    office = make_department(name="Office")
    plant = make_department(
        name="Plant", work_days_per_week=6, rest_weekdays=[6], shortest_workday=5
    )
    ann, bo = make_employee(department=office), make_employee(department=plant)
    overtime(ann, TUESDAY, 2)  # workday: 1 x 1.5 + 1 x 2 = 3.5
    overtime(ann, SATURDAY, 9)  # rest day, 5-day week: 8 x 2 + 1 x 3 = 19
    overtime(ann, WEDNESDAY, "3.5")  # public holiday: 3.5 x 2 = 7
    overtime(ann, date(2026, 10, 8), 4, status="submitted")  # pending: no payroll
    overtime(ann, date(2026, 10, 9), 5, status="rejected")  # in no total
    overtime(bo, SATURDAY, 8)  # a workday of Bo's 6-day week: 1.5 + 7 x 2 = 15.5
    overtime(bo, date(2026, 10, 4), 8)  # Sunday, rest day, 6-day week: 7 x 2 + 3 = 17
    overtime(bo, date(2026, 10, 10), 6)  # holiday on the shortest workday: 5 x 2 + 3 = 13
    return ann, bo


def test_each_request_gets_its_category_compensation_and_meal(week_of_overtime):
    rows = report_rows(period_start=OCTOBER[0], period_end=OCTOBER[1], filters={})
    found = {
        (r.employee_code, r.start_at.date().isoformat()): (
            r.day_category,
            r.compensation_hours,
            r.meal_due,
        )
        for r in rows
    }
    ann, bo = (e.employee_code for e in week_of_overtime)
    assert found == {
        (ann, "2026-10-06"): ("workday", D("3.50"), False),
        (ann, "2026-10-03"): ("rest_day", D("19.00"), True),
        (ann, "2026-10-07"): ("public_holiday", D("7.00"), False),
        # Pending and rejected requests carry their figures too (Details shows them);
        # only the totals leave them out.
        (ann, "2026-10-08"): ("workday", D("7.50"), True),
        (ann, "2026-10-09"): ("workday", D("9.50"), True),
        (bo, "2026-10-03"): ("workday", D("15.50"), True),
        (bo, "2026-10-04"): ("rest_day", D("17.00"), True),
        (bo, "2026-10-10"): ("holiday_shortest_day", D("13.00"), True),
    }


def test_employee_and_department_totals_count_approved_requests(week_of_overtime, tmp_path):
    ann, bo = (e.employee_code for e in week_of_overtime)
    path = build(tmp_path / "payroll.xlsx").path
    employees = sheet(path, "Employees", "Employee code")
    assert employees.loc[ann, "Workday hours"] == 2
    assert employees.loc[ann, "Rest day hours"] == 9
    assert employees.loc[ann, "Public holiday hours"] == 3.5
    assert employees.loc[ann, "Holiday on shortest workday hours"] == 0
    assert employees.loc[ann, "Compensation hours"] == 3.5 + 19 + 7
    assert employees.loc[ann, "Meals"] == 1  # the 9 h; 3.5 h is under the 4 h threshold
    assert employees.loc[bo, "Holiday on shortest workday hours"] == 6
    assert employees.loc[bo, "Compensation hours"] == 15.5 + 17 + 13
    assert employees.loc[bo, "Meals"] == 3

    departments = sheet(path, "Departments", "Department")
    assert departments.loc["Office", "Compensation hours"] == 29.5
    assert departments.loc["Plant", "Rest day hours"] == 8
    everything = departments.loc["All departments"]
    assert everything["Requests"] == 6
    assert everything["Compensation hours"] == 29.5 + 45.5
    assert everything["Meals"] == 4

    details = sheet(path, "Details", "ID")
    rest_day = OvertimeRequest.objects.get(employee__employee_code=ann, net_hours=9)
    assert details.loc[rest_day.pk, ["Day category", "Compensation hours", "Meal"]].tolist() == [
        "Rest day",
        19,
        "yes",
    ]


def test_department_totals_are_the_sql_sums(week_of_overtime, tmp_path):
    path = build(tmp_path / "payroll.xlsx").path
    departments = sheet(path, "Departments", "Department")
    categories = ["Workday hours", "Rest day hours", "Public holiday hours"]
    categories.append("Holiday on shortest workday hours")
    sums = (
        OvertimeRequest.objects.filter(status="approved")
        .values("employee__department__name")
        .annotate(net=Sum("net_hours"))
        .order_by()
    )
    for group in sums:
        shown = departments.loc[group["employee__department__name"]]
        assert D(str(shown["Net hours"])) == group["net"]
        # Every approved hour is in exactly one category.
        assert D(str(sum(shown[name] for name in categories))) == group["net"]
    approved = OvertimeRequest.objects.filter(status="approved").aggregate(net=Sum("net_hours"))
    assert D(str(departments.loc["All departments", "Net hours"])) == approved["net"]


def test_without_a_regulation_in_force_nothing_is_weighed(tmp_path):
    """The calendar still says what kind of day it was; no tiers, no compensation."""
    overtime(make_employee(department=make_department(name="Ops")), TUESDAY, 2)
    (row,) = report_rows(period_start=OCTOBER[0], period_end=OCTOBER[1], filters={})
    assert (row.day_category, row.compensation_hours, row.meal_due) == ("workday", None, False)
    employees = sheet(build(tmp_path / "none.xlsx").path, "Employees", "Employee code")
    assert employees.loc[row.employee_code, "Net hours"] == 2
    assert employees.loc[row.employee_code, ["Workday hours", "Compensation hours"]].tolist() == [
        2,
        0,
    ]


def test_a_departments_own_regulation_weighs_its_requests():
    ops = make_department(name="Ops")
    pp35()
    own = make_regulation(department=ops, meal_threshold_hours=D(2))
    compensation_tiers_replace(own, rows=(("workday", None, "0", None, "3"),))
    overtime(make_employee(department=ops), TUESDAY, 2)
    overtime(make_employee(department=make_department(name="Else")), TUESDAY, 2)
    found = {
        r.department: (r.compensation_hours, r.meal_due)
        for r in report_rows(period_start=OCTOBER[0], period_end=OCTOBER[1], filters={})
    }
    assert found == {"Ops": (D("6.00"), True), "Else": (D("3.50"), False)}


def test_the_workbook_shows_the_figures_the_request_shows():
    """One set of rules: the row's figures are the ones the API shows for the request,
    set by the overtime services from the regulation in force for its department."""
    ops = make_department(name="Ops")
    pp35()
    own = make_regulation(department=ops, meal_threshold_hours=D(2))
    compensation_tiers_replace(own, rows=(("workday", None, "0", None, "3"),))
    made = [
        overtime(make_employee(department=ops), TUESDAY, 2),
        overtime(make_employee(department=make_department(name="Else")), SATURDAY, 9),
    ]
    rows = {
        r.id: r for r in report_rows(period_start=OCTOBER[0], period_end=OCTOBER[1], filters={})
    }
    for request in made:
        request.refresh_from_db()
        row = rows[request.pk]
        assert (row.day_category, row.compensation_hours, row.meal_due) == (
            request.day_category,
            request.compensation_hours,
            request.meal_due,
        )
    assert rows[made[0].pk].compensation_hours == D("6.00")
    assert rows[made[1].pk].day_category == "rest_day"


def test_the_payroll_figures_cost_no_query_per_row(django_assert_num_queries):
    pp35()
    Holiday.objects.create(date=WEDNESDAY, name="A holiday")
    employees = [make_employee(department=make_department()) for _ in range(5)]

    def rows_read() -> int:
        rows = list(report_rows(period_start=OCTOBER[0], period_end=OCTOBER[1], filters={}))
        assert all(r.compensation_hours is not None for r in rows)
        return len(rows)

    for n in range(3):
        overtime(employees[n], TUESDAY + timedelta(days=n), 2)
    # One batch, its breaks; the empty next batch: the figures are the rows' own.
    with django_assert_num_queries(3):
        assert rows_read() == 3
    for n in range(40):
        overtime(employees[n % 5], OCTOBER[0] + timedelta(days=n % 31), 1, hour=8 + n // 31)
    with django_assert_num_queries(3):
        assert rows_read() == 43

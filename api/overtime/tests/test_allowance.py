"""The allowance around a date: limits, approved, pending and remaining hours per day,
ISO week, month and year, with rest days out of the daily and weekly limits, in a
constant number of queries."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from api.calendar.models import Holiday
from api.overtime.allowance import allowance
from api.overtime.models import OvertimeStatus
from tests.factories import make_department, make_employee, make_overtime, make_regulation

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _jakarta(settings):
    settings.TIME_ZONE = "Asia/Jakarta"


@pytest.fixture
def employee():
    return make_employee(department=make_department())


@pytest.fixture
def regulation():
    return make_regulation(second_approval_threshold_hours=Decimal("3"))


def book(employee, day: date, hours: float, status=OvertimeStatus.APPROVED, hour: int = 18):
    start = datetime(day.year, day.month, day.day, hour, tzinfo=JAKARTA)
    net = Decimal(str(hours))
    return make_overtime(
        employee=employee,
        start_at=start,
        end_at=start + timedelta(hours=hours),
        status=status,
        total_hours=net,
        net_hours=net,
    )


def figures(result, period):
    row = result["periods"][period]
    return row["approved"], row["pending"], row["remaining"]


def test_each_period_sums_approved_and_pending_hours(employee, regulation):
    book(employee, MONDAY, 1.5)
    book(employee, MONDAY, 1, OvertimeStatus.SUBMITTED, hour=20)
    book(employee, MONDAY + timedelta(days=1), 2, OvertimeStatus.PENDING_SECOND_APPROVAL)
    book(employee, MONDAY + timedelta(days=2), 3, OvertimeStatus.REJECTED)
    book(employee, MONDAY + timedelta(days=2), 3, OvertimeStatus.DRAFT, hour=8)
    book(employee, MONDAY + timedelta(days=7), 2)  # next week, same month

    result = allowance(employee, MONDAY)

    assert result["regulation_id"] == regulation.pk
    assert figures(result, "day") == ("1.50", "1.00", "1.50")  # 4 - 1.5 - 1
    assert figures(result, "week") == ("1.50", "3.00", "13.50")  # 18 - 1.5 - 3
    assert figures(result, "month") == ("3.50", "3.00", "65.50")
    assert figures(result, "year") == ("3.50", "3.00", "713.50")
    assert (result["periods"]["week"]["start"], result["periods"]["week"]["end"]) == (
        "2026-11-16",
        "2026-11-22",
    )


def test_remaining_is_never_below_zero(employee, regulation):
    regulation.max_hours_per_day = Decimal("2")
    regulation.save()
    book(employee, MONDAY, 2)
    book(employee, MONDAY, 1, OvertimeStatus.SUBMITTED, hour=21)

    assert figures(allowance(employee, MONDAY), "day") == ("2.00", "1.00", "0.00")


def test_rest_day_and_holiday_hours_count_only_toward_month_and_year(employee, regulation):
    saturday = MONDAY + timedelta(days=5)
    Holiday.objects.create(date=MONDAY + timedelta(days=2), name="A public holiday")
    book(employee, saturday, 6)
    book(employee, MONDAY + timedelta(days=2), 5)
    book(employee, MONDAY, 2)

    on_saturday = allowance(employee, saturday)

    assert on_saturday["day_category"] == "rest_day"
    assert on_saturday["rest_day_rule"]["counts_toward_limits"] is False
    assert figures(on_saturday, "day") == ("0.00", "0.00", "4.00")
    assert figures(on_saturday, "week") == ("2.00", "0.00", "16.00")
    assert figures(on_saturday, "month") == ("13.00", "0.00", "59.00")

    regulation.rest_day_counts_toward_limits = True
    regulation.save()
    counted = allowance(employee, saturday)
    assert counted["rest_day_rule"]["counts_toward_limits"] is True
    assert figures(counted, "day") == ("6.00", "0.00", "0.00")
    assert figures(counted, "week") == ("13.00", "0.00", "5.00")


def test_the_department_work_week_overrides_the_regulation(employee, regulation):
    department = employee.department
    department.work_days_per_week = 6
    department.rest_weekdays = [6]
    department.save()
    saturday = MONDAY + timedelta(days=5)
    book(employee, saturday, 3)

    result = allowance(employee, saturday)

    assert result["day_category"] == "workday"
    assert result["rest_day_rule"]["work_days_per_week"] == 6
    assert figures(result, "day") == ("3.00", "0.00", "1.00")


def test_local_dates_decide_the_period_across_midnight_and_year_end(employee, regulation):
    # Thursday 31 December 23:00 local is 16:00 UTC; Friday 1 January 00:30 local is
    # still 31 December in UTC: it belongs to the new year all the same.
    book(employee, date(2026, 12, 31), 1, hour=23)
    book(employee, date(2027, 1, 1), 1.5, hour=0)

    old_year = allowance(employee, date(2026, 12, 31))
    new_year = allowance(employee, date(2027, 1, 1))

    assert figures(old_year, "year")[0] == "1.00"
    assert figures(new_year, "year")[0] == "1.50"
    assert figures(new_year, "month")[0] == "1.50"
    # ISO week 53 of 2026 runs from Monday 28 December to Sunday 3 January.
    assert new_year["periods"]["week"]["start"] == "2026-12-28"
    assert figures(new_year, "week")[0] == "2.50"


def test_constant_number_of_queries(employee, regulation, django_assert_num_queries):
    for offset in range(20):
        book(employee, MONDAY - timedelta(days=offset), 1)
    Holiday.objects.create(date=date(2020, 8, 17), name="Recurring", is_recurring=True)

    with django_assert_num_queries(4):
        result = allowance(employee, MONDAY)

    assert result["periods"]["year"]["approved"] == "20.00"


def test_without_a_regulation_there_is_no_allowance(employee):
    result = allowance(employee, MONDAY)

    assert result["regulation_id"] is None
    assert result["periods"] == {}

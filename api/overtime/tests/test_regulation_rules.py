"""Regulation enforcement on submit: every limit at its edge, across week and month
boundaries, with breaks; overlaps and leave. Through the HTTP API, as a client sees it."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api.accounts.roles import Role
from api.calendar.models import EmployeeLeave, Holiday, LeaveStatus
from api.overtime.models import OvertimeStatus
from tests.factories import make_department, make_regulation, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/overtime-requests/"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def department():
    return make_department(code="ENG")


@pytest.fixture
def regulation(department):
    # Small limits so each period can be reached with a few requests.
    return make_regulation(
        department=department,
        max_hours_per_day=Decimal("3"),
        max_hours_per_week=Decimal("5"),
        max_hours_per_month=Decimal("8"),
        max_hours_per_year=Decimal("12"),
        second_approval_threshold_hours=Decimal("2.5"),
    )


@pytest.fixture
def employee_client(client_for, department, regulation):
    user = make_user(Role.STAFF, department=department)
    client = client_for(user)
    client.user = user
    return client


def file(client, start, end, breaks=(), submit=True):
    payload = {
        "start_at": start.isoformat(),
        "end_at": end.isoformat(),
        "reason": "Release preparation",
        "breaks": [{"start_at": b.isoformat(), "end_at": e.isoformat()} for b, e in breaks],
        "submit": submit,
    }
    return client.post(URL, payload, format="json")


def error(response) -> dict:
    return response.json()["error"]


MONDAY = date(2026, 11, 16)  # ISO week 2026-W47


def test_exactly_at_the_daily_limit_is_accepted(employee_client):
    response = file(employee_client, at(MONDAY, 18), at(MONDAY, 21))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == OvertimeStatus.SUBMITTED
    assert body["net_hours"] == "3.00"
    assert body["regulation_check"]["limits"]["day"] == "3.00"


def test_one_minute_over_the_daily_limit_is_refused_naming_limit_amount_and_period(
    employee_client,
):
    response = file(employee_client, at(MONDAY, 18), at(MONDAY, 21, 1))

    assert response.status_code == 400
    body = error(response)
    assert body["code"] == "regulation_limit_exceeded"
    assert "end_at" in body["fields"]  # the hours asked for are at fault
    assert body["limit"] == "daily"
    assert body["limit_hours"] == "3.00"
    assert body["total_hours"] == "3.02"
    assert body["period_start"] == body["period_end"] == "2026-11-16"
    assert "daily overtime limit of 3.00 h" in body["message"]


def test_breaks_bring_a_long_evening_back_under_the_daily_limit(employee_client):
    response = file(
        employee_client,
        at(MONDAY, 18),
        at(MONDAY, 21, 30),
        breaks=[(at(MONDAY, 19), at(MONDAY, 19, 30))],
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total_hours"], body["break_hours"], body["net_hours"]) == ("3.50", "0.50", "3.00")
    assert body["breaks"][0]["start_at"].startswith("2026-11-16T19:00")


def test_weekly_limit_counts_other_requests_of_the_same_iso_week(employee_client):
    # Workdays only: rest-day overtime is outside the weekly limit (PP 35/2021 art. 26(2)).
    tuesday, thursday, friday = (MONDAY + timedelta(days=n) for n in (1, 3, 4))
    assert file(employee_client, at(MONDAY, 18), at(MONDAY, 20)).status_code == 201
    assert file(employee_client, at(tuesday, 18), at(tuesday, 20, 30)).status_code == 201

    over = file(employee_client, at(thursday, 18), at(thursday, 18, 31))  # 4.5 + 0.52
    at_limit = file(employee_client, at(friday, 18), at(friday, 18, 30))  # 4.5 + 0.5

    assert over.status_code == 400
    body = error(over)
    assert body["limit"] == "weekly"
    assert (body["period_start"], body["period_end"]) == ("2026-11-16", "2026-11-22")
    assert (body["booked_hours"], body["total_hours"]) == ("4.50", "5.02")
    assert at_limit.status_code == 201, at_limit.content


def test_next_iso_week_starts_from_zero(employee_client):
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        file(employee_client, at(day, 18), at(day, 20))
    file(employee_client, at(MONDAY + timedelta(days=2), 18), at(MONDAY + timedelta(days=2), 19))

    next_monday = MONDAY + timedelta(days=7)
    response = file(employee_client, at(next_monday, 18), at(next_monday, 21))

    assert response.status_code == 201, response.content


def test_week_spanning_a_month_boundary_counts_both_months(employee_client):
    # Week 2026-W49 runs Monday 30 November to Sunday 6 December.
    nov_30, dec_1 = date(2026, 11, 30), date(2026, 12, 1)
    assert file(employee_client, at(nov_30, 18), at(nov_30, 21)).status_code == 201
    assert file(employee_client, at(dec_1, 18), at(dec_1, 20)).status_code == 201

    over = file(employee_client, at(date(2026, 12, 2), 18), at(date(2026, 12, 2), 18, 30))

    assert error(over)["limit"] == "weekly"
    assert error(over)["period_start"] == "2026-11-30"


def test_monthly_limit_counts_only_the_calendar_month(employee_client):
    # 8 h in November over three ISO weeks (each week at most 5 h).
    for day, hours in ((date(2026, 11, 2), 3), (date(2026, 11, 9), 3), (date(2026, 11, 16), 2)):
        assert file(employee_client, at(day, 18), at(day, 18 + hours)).status_code == 201

    november = file(employee_client, at(date(2026, 11, 25), 18), at(date(2026, 11, 25), 18, 30))
    december = file(employee_client, at(date(2026, 12, 7), 18), at(date(2026, 12, 7), 19))

    assert error(november)["limit"] == "monthly"
    assert error(november)["period_start"] == "2026-11-01"
    assert december.status_code == 201, december.content


def test_yearly_limit(employee_client, regulation):
    regulation.max_hours_per_month = Decimal("12")
    regulation.save()
    for month in (1, 3, 5, 7):
        day = date(2026, month, 5)
        assert file(employee_client, at(day, 18), at(day, 21)).status_code == 201

    over = file(employee_client, at(date(2026, 9, 7), 18), at(date(2026, 9, 7), 18, 30))

    assert error(over)["limit"] == "yearly"
    assert error(over)["period_start"] == "2026-01-01"


def test_rejected_cancelled_and_draft_requests_do_not_count(employee_client):
    draft = file(employee_client, at(MONDAY, 10), at(MONDAY, 12), submit=False)
    assert draft.status_code == 201

    response = file(employee_client, at(MONDAY, 18), at(MONDAY, 21))

    assert response.status_code == 201, response.content


def test_department_regulation_wins_over_the_global_one(client_for, department, regulation):
    make_regulation(max_hours_per_day=Decimal("10"), max_hours_per_week=Decimal("40"))
    client = client_for(make_user(Role.STAFF, department=department))

    response = file(client, at(MONDAY, 17), at(MONDAY, 21))  # 4 h > department's 3

    assert error(response)["limit"] == "daily"
    assert error(response)["regulation_id"] == regulation.pk


def test_other_departments_fall_back_to_the_global_regulation(client_for, regulation):
    global_rule = make_regulation(max_hours_per_day=Decimal("4"))
    client = client_for(make_user(Role.STAFF))  # another department

    response = file(client, at(MONDAY, 17), at(MONDAY, 21))

    assert response.status_code == 201, response.content
    assert response.json()["regulation"] == global_rule.pk


def test_regulation_not_yet_in_force_is_ignored(client_for, department):
    make_regulation(
        max_hours_per_day=Decimal("1"), department=department, effective_from=date(2027, 1, 1)
    )
    make_regulation(max_hours_per_day=Decimal("4"))
    client = client_for(make_user(Role.STAFF, department=department))

    assert file(client, at(MONDAY, 18), at(MONDAY, 21)).status_code == 201


def test_overlapping_an_active_request_is_refused(employee_client):
    first = file(employee_client, at(MONDAY, 18), at(MONDAY, 20)).json()

    response = file(employee_client, at(MONDAY, 19), at(MONDAY, 20, 30))

    assert response.status_code == 400
    body = error(response)
    assert body["code"] == "overlapping_request"
    assert body["conflicting_request_id"] == first["id"]
    assert "start_at" in body["fields"]


def test_back_to_back_requests_do_not_overlap(employee_client):
    assert file(employee_client, at(MONDAY, 17), at(MONDAY, 18)).status_code == 201
    assert file(employee_client, at(MONDAY, 18), at(MONDAY, 19)).status_code == 201


def test_overtime_during_approved_leave_is_refused_but_pending_leave_is_not(employee_client):
    employee = employee_client.user.employee
    EmployeeLeave.objects.create(
        employee=employee,
        leave_type="annual",
        start_date=MONDAY,
        end_date=MONDAY,
        status=LeaveStatus.PENDING,
    )
    tuesday = MONDAY + timedelta(days=1)
    EmployeeLeave.objects.create(
        employee=employee,
        leave_type="sick",
        start_date=tuesday,
        end_date=tuesday,
        status=LeaveStatus.APPROVED,
    )

    pending = file(employee_client, at(MONDAY, 18), at(MONDAY, 19))
    approved = file(employee_client, at(tuesday, 18), at(tuesday, 19))

    assert pending.status_code == 201
    assert approved.status_code == 400
    assert error(approved)["code"] == "on_leave"


@pytest.mark.parametrize(
    ("breaks", "field"),
    [
        ([((17, 30), (18, 0))], "breaks.0.start_at"),  # starts before the request
        ([((19, 0), (18, 45))], "breaks.0.end_at"),  # ends before it starts
        ([((18, 30), (19, 0)), ((18, 45), (19, 15))], "breaks.1.start_at"),  # overlap
    ],
)
def test_bad_breaks_are_400_naming_the_break(employee_client, breaks, field):
    pauses = [(at(MONDAY, *start), at(MONDAY, *end)) for start, end in breaks]

    response = file(employee_client, at(MONDAY, 18), at(MONDAY, 20), breaks=pauses)

    assert response.status_code == 400
    assert field in error(response)["fields"]


def test_weekend_and_holiday_are_flagged(employee_client):
    saturday = MONDAY + timedelta(days=5)
    Holiday.objects.create(date=MONDAY + timedelta(days=3), name="Company day")
    Holiday.objects.create(date=date(2020, 11, 18), name="Founding day", is_recurring=True)

    weekend = file(employee_client, at(saturday, 10), at(saturday, 11)).json()
    holiday = file(
        employee_client, at(MONDAY + timedelta(days=3), 10), at(MONDAY + timedelta(days=3), 11)
    ).json()
    recurring = file(
        employee_client, at(MONDAY + timedelta(days=2), 10), at(MONDAY + timedelta(days=2), 11)
    ).json()

    assert (weekend["is_weekend"], weekend["is_holiday"]) == (True, False)
    assert (holiday["is_weekend"], holiday["is_holiday"]) == (False, True)
    assert recurring["is_holiday"] is True


def test_requests_shorter_than_the_configured_minimum_are_refused(employee_client):
    response = file(employee_client, at(MONDAY, 18), at(MONDAY, 18, 20))

    assert response.status_code == 400
    assert "at least 30 minutes" in error(response)["fields"]["end_at"][0]


def test_end_before_start_is_400_naming_end_at(employee_client):
    response = file(employee_client, at(MONDAY, 20), at(MONDAY, 18))

    assert response.status_code == 400
    assert "end_at" in error(response)["fields"]


def test_refused_submit_leaves_nothing_behind(employee_client):
    from api.audit.models import UserActivityLog
    from api.overtime.models import OvertimeRequest

    file(employee_client, at(MONDAY, 18), at(MONDAY, 21, 1))

    assert not OvertimeRequest.objects.exists()
    assert not UserActivityLog.objects.exists()

"""Booked hours read with two decimal places on every database: PostgreSQL keeps the
column's scale in a sum, SQLite (the embedded default) does not."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api.accounts.roles import Role
from api.common.exceptions import RuleViolation
from api.overtime import selectors, services
from api.overtime.models import OvertimeStatus
from api.overtime.rules import periods_of
from tests.factories import make_overtime, make_regulation, make_user

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 16)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    tz = timezone.get_current_timezone()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def booked(employee, **kwargs) -> dict[str, Decimal]:
    return selectors.booked_hours(employee_id=employee.pk, periods=periods_of(MONDAY), **kwargs)


def test_booked_hours_have_two_places_with_nothing_booked():
    employee = make_user(Role.STAFF).employee

    hours = booked(employee)

    assert {name: str(value) for name, value in hours.items()} == {
        "day": "0.00",
        "week": "0.00",
        "month": "0.00",
        "year": "0.00",
    }


def test_booked_hours_have_two_places_when_the_sum_is_round():
    employee = make_user(Role.STAFF).employee
    for day, (start, end) in ((MONDAY, (18, 20)), (MONDAY + timedelta(days=1), (18, 20))):
        make_overtime(
            employee=employee,
            start_at=at(day, start),
            end_at=at(day, end, 30),
            net_hours=Decimal("2.50"),
            total_hours=Decimal("2.50"),
            status=OvertimeStatus.SUBMITTED,
        )
    draft = make_overtime(
        employee=employee,
        start_at=at(MONDAY, 8),
        end_at=at(MONDAY, 9),
        net_hours=Decimal("1.00"),
        total_hours=Decimal("1.00"),
        status=OvertimeStatus.DRAFT,  # does not count
    )

    hours = booked(employee, exclude_id=draft.pk)

    assert {name: str(value) for name, value in hours.items()} == {
        "day": "2.50",
        "week": "5.00",
        "month": "5.00",
        "year": "5.00",
    }


def test_the_regulation_check_and_a_violation_name_booked_hours_with_two_places():
    user = make_user(Role.STAFF)
    make_regulation(max_hours_per_day=Decimal("3"), second_approval_threshold_hours=None)
    first = services.overtime_request_create(
        by=user, start_at=at(MONDAY, 8), end_at=at(MONDAY, 9, 30), reason="Stocktake", submit=True
    )
    second = services.overtime_request_create(
        by=user, start_at=at(MONDAY, 12), end_at=at(MONDAY, 13), reason="Stocktake", submit=True
    )

    assert first.regulation_check["booked"] == {
        "day": "0.00",
        "week": "0.00",
        "month": "0.00",
        "year": "0.00",
    }
    assert second.regulation_check["booked"]["day"] == "1.50"
    assert second.regulation_check["second_approval_threshold"] is None
    with pytest.raises(RuleViolation) as refused:
        services.overtime_request_create(
            by=user,
            start_at=at(MONDAY, 18),
            end_at=at(MONDAY, 19),
            reason="Stocktake",
            submit=True,
        )
    assert refused.value.extra["booked_hours"] == "2.50"
    assert "(2.50 h already booked + 1.00 h requested)" in str(refused.value.detail)

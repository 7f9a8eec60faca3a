from datetime import date, timedelta

import pytest
from django.utils import timezone

from api.calendar.models import CalendarEvent, EmployeeLeave, Holiday
from tests.db import rejected_by_database
from tests.factories import make_employee, make_user

pytestmark = pytest.mark.django_db


def test_leave_ending_before_it_starts_is_refused():
    with rejected_by_database():
        EmployeeLeave.objects.create(
            employee=make_employee(),
            leave_type="annual",
            start_date=date(2026, 5, 2),
            end_date=date(2026, 5, 1),
        )


def test_two_holidays_on_one_date_are_refused():
    Holiday.objects.create(date=date(2026, 8, 17), name="Independence Day")
    with rejected_by_database():
        Holiday.objects.create(date=date(2026, 8, 17), name="Again")


def test_event_ending_before_it_starts_is_refused():
    now = timezone.now()
    with rejected_by_database():
        CalendarEvent.objects.create(
            title="Standup",
            start_at=now,
            end_at=now - timedelta(hours=1),
            created_by=make_user(with_employee=False),
        )

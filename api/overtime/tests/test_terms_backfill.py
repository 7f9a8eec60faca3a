"""Migration 0007 gives rows written before it the terms the service gives new ones."""

import importlib
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from api.calendar.models import Holiday
from api.overtime import selectors
from api.overtime.models import OvertimeRequest, OvertimeStatus
from api.overtime.regulation_defaults import compensation_tiers_replace
from tests.factories import make_department, make_employee, make_overtime, make_regulation

pytestmark = pytest.mark.django_db

migration = importlib.import_module("api.migrations.0007_overtime_day_terms")
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def _jakarta(settings):
    settings.TIME_ZONE = "Asia/Jakarta"


def old_row(employee, start: datetime, hours: int, status=OvertimeStatus.DRAFT):
    net = Decimal(hours)
    return make_overtime(
        employee=employee,
        start_at=start,
        end_at=start + timedelta(hours=hours),
        total_hours=net,
        net_hours=net,
        status=status,
        compensation_hours=None,
    )


def test_existing_rows_get_what_the_service_computes():
    compensation_tiers_replace(make_regulation(second_approval_threshold_hours=Decimal("2")))
    six_days = make_department(work_days_per_week=6, rest_weekdays=[6], shortest_workday=5)
    compensation_tiers_replace(make_regulation(department=six_days))
    Holiday.objects.create(name="Holiday", date=datetime(2026, 11, 21).date())
    five, six = make_employee(), make_employee(department=six_days)
    rows = [
        old_row(five, datetime(2026, 11, 16, 0, 30, tzinfo=JAKARTA), 3),
        old_row(five, datetime(2026, 11, 21, 1, tzinfo=JAKARTA), 4),
        old_row(six, datetime(2026, 11, 21, 9, tzinfo=JAKARTA), 6),
        old_row(six, datetime(2026, 11, 22, 9, tzinfo=JAKARTA), 1, OvertimeStatus.APPROVED),
    ]

    migration.fill_day_terms(apps, None)

    for row in rows:
        stored = OvertimeRequest.objects.get(pk=row.pk)
        terms = selectors.day_terms(
            employee=stored.employee, start_at=stored.start_at, net_hours=stored.net_hours
        )
        assert stored.day_category == terms.day_category
        assert stored.compensation_hours == terms.compensation_hours
        assert stored.meal_due == terms.meal_due
    stored = [OvertimeRequest.objects.get(pk=row.pk) for row in rows]
    assert [row.day_category for row in stored] == [
        "workday",
        "public_holiday",
        "holiday_shortest_day",
        "rest_day",
    ]
    assert stored[0].requires_second_approval is True  # a draft: 3 h > 2 h
    assert stored[2].compensation_hours == Decimal("13.00")  # 5 x 2 + 1 x 3

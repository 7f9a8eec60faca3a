"""The shipped PP 35/2021 preset: initialize_data brings the untouched default up to
date and leaves an edited one alone; the limit check's reads follow art. 26(2)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from api.calendar.models import Holiday
from api.overtime import selectors
from api.overtime.models import CompensationTier, OvertimeRegulation, OvertimeStatus
from api.overtime.regulation_defaults import (
    PP35_2021,
    PP35_TIERS,
    regulation_preset_upgrade,
    regulation_values,
)
from api.overtime.rules import periods_of
from tests.factories import make_employee, make_overtime, make_regulation

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 16)


def test_initialize_data_gives_a_new_default_the_preset_once():
    call_command("initialize_data", verbosity=0)
    regulation = OvertimeRegulation.objects.get()
    first = (regulation.preset, regulation.compensation_tiers.count(), regulation.updated_at)

    call_command("initialize_data", verbosity=0)
    regulation.refresh_from_db()

    assert first[:2] == (PP35_2021, len(PP35_TIERS))
    assert regulation.updated_at == first[2]  # the second run wrote nothing
    assert regulation.rest_weekdays == [5, 6]
    assert regulation.rest_day_counts_toward_limits is False
    assert regulation.meal_threshold_hours == Decimal("4.00")


def test_an_old_untouched_default_is_upgraded():
    regulation = make_regulation(
        name="Default overtime regulation", description="Company-wide limits (old)."
    )
    # As the 0006 migration marks an install's untouched old default.
    regulation.refresh_from_db()
    regulation.preset = PP35_2021
    regulation.preset_values = regulation_values(regulation)
    regulation.save()

    assert regulation_preset_upgrade(regulation, created=False) is True
    regulation.refresh_from_db()
    assert regulation.description.startswith("PP 35/2021")
    assert regulation.compensation_tiers.count() == len(PP35_TIERS)


@pytest.mark.parametrize("edit", ["limit", "tier"])
def test_an_edited_default_is_left_alone(edit):
    call_command("initialize_data", verbosity=0)
    regulation = OvertimeRegulation.objects.get()
    if edit == "limit":
        regulation.max_hours_per_month = Decimal("60")
        regulation.save()
    else:
        CompensationTier.objects.filter(regulation=regulation, hour_from=0).update(
            multiplier=Decimal("1.75")
        )

    assert regulation_preset_upgrade(regulation, created=False) is False
    regulation.refresh_from_db()
    assert regulation.max_hours_per_month == (Decimal("60") if edit == "limit" else Decimal("72"))


def test_a_regulation_an_admin_created_is_never_the_preset():
    regulation = make_regulation(name="Our own")

    assert regulation_preset_upgrade(regulation, created=False) is False
    assert regulation.compensation_tiers.count() == 0


def _book(employee, day, hours):
    start = datetime(day.year, day.month, day.day, 18, tzinfo=JAKARTA)
    make_overtime(
        employee=employee,
        start_at=start,
        end_at=start + timedelta(hours=hours),
        status=OvertimeStatus.APPROVED,
        total_hours=Decimal(hours),
        net_hours=Decimal(hours),
    )


def test_booked_hours_leave_rest_days_and_holidays_out_of_day_and_week(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    regulation = make_regulation()
    employee = make_employee()
    saturday = MONDAY + timedelta(days=5)
    Holiday.objects.create(date=MONDAY + timedelta(days=1), name="A public holiday")
    for day, hours in ((MONDAY, 2), (MONDAY + timedelta(days=1), 3), (saturday, 5)):
        _book(employee, day, hours)
    periods = periods_of(saturday)

    old = selectors.booked_hours(employee_id=employee.pk, periods=periods)
    exempt = selectors.booked_hours(employee_id=employee.pk, periods=periods, regulation=regulation)

    assert (old["day"], old["week"], old["month"]) == (Decimal("5"), Decimal("10"), Decimal("10"))
    assert (exempt["day"], exempt["week"], exempt["month"]) == (
        Decimal("0"),
        Decimal("2"),
        Decimal("10"),
    )
    assert not selectors.counts_toward_limits_on(
        employee=employee, regulation=regulation, day=saturday
    )
    assert selectors.counts_toward_limits_on(employee=employee, regulation=regulation, day=MONDAY)
    regulation.rest_day_counts_toward_limits = True
    assert selectors.counts_toward_limits_on(employee=employee, regulation=regulation, day=saturday)
    assert (
        selectors.booked_hours(employee_id=employee.pk, periods=periods, regulation=regulation)
        == old
    )

"""What the database refuses to store for overtime, whatever the code above it does."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from api.overtime.models import OvertimeBreak, OvertimeRequest
from tests.db import rejected_by_database
from tests.factories import make_department, make_overtime, make_regulation

pytestmark = pytest.mark.django_db


def test_request_ending_before_it_starts_is_refused():
    now = timezone.now()
    with rejected_by_database():
        make_overtime(start_at=now, end_at=now - timedelta(minutes=1))


def test_request_of_zero_length_is_refused():
    now = timezone.now()
    with rejected_by_database():
        make_overtime(start_at=now, end_at=now)


def test_negative_hours_are_refused():
    with rejected_by_database():
        make_overtime(total_hours=Decimal("-1"), net_hours=Decimal("-1"))


def test_net_hours_above_total_are_refused():
    with rejected_by_database():
        make_overtime(total_hours=Decimal("2"), net_hours=Decimal("3"))


def test_unknown_status_is_refused():
    with rejected_by_database():
        make_overtime(status="maybe")


def test_blank_reason_is_refused():
    with rejected_by_database():
        make_overtime(reason="")


def test_break_ending_before_it_starts_is_refused():
    request = make_overtime()
    with rejected_by_database():
        OvertimeBreak.objects.create(
            request=request, start_at=request.end_at, end_at=request.start_at
        )


def test_department_regulation_without_department_is_refused():
    with rejected_by_database():
        make_regulation(scope="department")


def test_global_regulation_with_a_department_is_refused():
    with rejected_by_database():
        make_regulation(scope="global", department=make_department())


def test_regulation_limits_must_be_positive_and_ordered():
    with rejected_by_database():
        make_regulation(max_hours_per_day=Decimal("0"))
    with rejected_by_database():
        make_regulation(max_hours_per_day=Decimal("10"), max_hours_per_week=Decimal("8"))
    with rejected_by_database():
        make_regulation(max_hours_per_day=Decimal("25"))


def test_regulation_effective_range_must_not_be_reversed():
    with rejected_by_database():
        make_regulation(
            effective_from=timezone.localdate(),
            effective_to=timezone.localdate() - timedelta(days=1),
        )


def test_valid_rows_are_stored():
    request = make_overtime(
        total_hours=Decimal("2"), break_hours=Decimal("0.5"), net_hours=Decimal("1.5")
    )
    OvertimeBreak.objects.create(
        request=request,
        start_at=request.start_at + timedelta(minutes=30),
        end_at=request.start_at + timedelta(minutes=60),
    )
    assert OvertimeRequest.objects.get().breaks.count() == 1

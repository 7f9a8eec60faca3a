"""Hours from times and breaks (api/overtime/calculations.py): exact Decimals rounded
half-up to hundredths. No database: these run in well under a second."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from api.overtime.calculations import hours, split_hours

START = datetime(2026, 11, 17, 18, 0, tzinfo=UTC)


def after(**delta) -> datetime:
    return START + timedelta(**delta)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        ({"hours": 2}, "2.00"),
        ({"hours": 1, "minutes": 30}, "1.50"),
        ({"minutes": 1}, "0.02"),  # 0.0166... h
        ({"minutes": 20}, "0.33"),  # 0.333... h
        ({"minutes": 40}, "0.67"),  # 0.666... h
        # Half a hundredth is 18 seconds: it rounds up, never to the even neighbour.
        ({"hours": 1, "minutes": 1, "seconds": 30}, "1.03"),  # 1.025 h
        ({"seconds": 18}, "0.01"),  # 0.005 h
        ({"seconds": 17}, "0.00"),  # 0.00472 h
        ({"minutes": 4, "seconds": 30}, "0.08"),  # 0.075 h
        ({"seconds": 54}, "0.02"),  # 0.015 h
        ({"hours": 24}, "24.00"),
        ({}, "0.00"),
        # Fractions of a second are dropped before rounding.
        ({"seconds": 17, "milliseconds": 999}, "0.00"),
        ({"hours": 1, "microseconds": 1}, "1.00"),
    ],
)
def test_hours_of_an_interval(delta, expected):
    result = hours(START, after(**delta))

    assert result == Decimal(expected)
    assert str(result) == expected  # always two places


def test_hours_are_measured_across_a_midnight_and_in_any_time_zone():
    tz = datetime(2026, 1, 1, tzinfo=UTC).astimezone().tzinfo
    late = datetime(2026, 11, 17, 22, 30, tzinfo=UTC)

    assert hours(late, late + timedelta(hours=3)) == Decimal("3.00")
    assert hours(late.astimezone(tz), late + timedelta(minutes=45)) == Decimal("0.75")


def test_an_end_before_the_start_is_negative_not_an_error():
    # _validate_times refuses such a request before any arithmetic; the arithmetic
    # itself is plain subtraction.
    assert hours(after(hours=2), START) == Decimal("-2.00")


@pytest.mark.parametrize(
    ("length", "breaks", "expected"),
    [
        ({"hours": 3}, [], ("3.00", "0.00", "3.00")),
        (
            {"hours": 3, "minutes": 30},
            [({"hours": 1}, {"hours": 1, "minutes": 30})],
            ("3.50", "0.50", "3.00"),
        ),
        (
            {"hours": 4},
            [({"minutes": 30}, {"minutes": 45}), ({"hours": 2}, {"hours": 2, "minutes": 20})],
            ("4.00", "0.58", "3.42"),  # 35 min = 0.5833 h
        ),
        # Breaks are summed in seconds and rounded once, half-up.
        (
            {"hours": 2},
            [
                ({"minutes": 10}, {"minutes": 10, "seconds": 45}),
                ({"hours": 1}, {"hours": 1, "seconds": 45}),
            ],
            ("2.00", "0.03", "1.97"),  # 90 s = 0.025 h
        ),
        (
            {"hours": 2},
            [
                ({"minutes": 10}, {"minutes": 10, "seconds": 9}),
                ({"hours": 1}, {"hours": 1, "seconds": 9}),
            ],
            ("2.00", "0.01", "1.99"),  # 18 s = 0.005 h; 9 s each would round to 0.00 alone
        ),
        ({"hours": 1, "minutes": 1, "seconds": 30}, [], ("1.03", "0.00", "1.03")),
        # Net never goes below zero, even if breaks were to cover more than the request.
        (
            {"hours": 1},
            [({}, {"minutes": 45}), ({"minutes": 15}, {"hours": 1})],
            ("1.00", "1.50", "0.00"),
        ),
        ({"hours": 1}, [({}, {"hours": 1})], ("1.00", "1.00", "0.00")),
    ],
)
def test_split_hours_total_break_and_net(length, breaks, expected):
    pauses = [(after(**begin), after(**end)) for begin, end in breaks]

    result = split_hours(START, after(**length), pauses)

    assert result == tuple(Decimal(value) for value in expected)
    assert tuple(str(value) for value in result) == expected


def test_split_hours_takes_any_iterable_of_breaks_once():
    pauses = iter([(after(minutes=10), after(minutes=40))])

    assert split_hours(START, after(hours=2), pauses) == (
        Decimal("2.00"),
        Decimal("0.50"),
        Decimal("1.50"),
    )

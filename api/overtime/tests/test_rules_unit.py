"""The regulation rules as pure functions: periods of a date, their labels, limit checks
and what a violation says. No database: these run in well under a second."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from api.overtime.rules import (
    PERIODS,
    LimitViolation,
    Period,
    limit_violations,
    period_of,
    periods_of,
)

D = Decimal


# ----------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("name", "day", "first", "last"),
    [
        ("day", date(2026, 11, 17), date(2026, 11, 17), date(2026, 11, 17)),
        ("day", date(2028, 2, 29), date(2028, 2, 29), date(2028, 2, 29)),
        # ISO weeks run Monday to Sunday, whatever day of the week is asked.
        ("week", date(2026, 11, 16), date(2026, 11, 16), date(2026, 11, 22)),  # Monday
        ("week", date(2026, 11, 19), date(2026, 11, 16), date(2026, 11, 22)),  # Thursday
        ("week", date(2026, 11, 22), date(2026, 11, 16), date(2026, 11, 22)),  # Sunday
        ("week", date(2026, 12, 2), date(2026, 11, 30), date(2026, 12, 6)),  # across a month
        ("week", date(2026, 1, 1), date(2025, 12, 29), date(2026, 1, 4)),  # across a year
        # Calendar months, each ending on its own last day.
        ("month", date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 31)),
        ("month", date(2026, 1, 31), date(2026, 1, 1), date(2026, 1, 31)),
        ("month", date(2026, 2, 14), date(2026, 2, 1), date(2026, 2, 28)),
        ("month", date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        ("month", date(2026, 4, 30), date(2026, 4, 1), date(2026, 4, 30)),
        ("month", date(2026, 11, 17), date(2026, 11, 1), date(2026, 11, 30)),
        ("month", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        ("year", date(2026, 1, 1), date(2026, 1, 1), date(2026, 12, 31)),
        ("year", date(2026, 7, 15), date(2026, 1, 1), date(2026, 12, 31)),
        ("year", date(2026, 12, 31), date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_period_of_a_day(name, day, first, last):
    assert period_of(name, day) == Period(name, first, last)


def test_every_day_of_a_year_lies_in_its_periods_and_the_months_tile_the_year():
    day, months = date(2028, 1, 1), []
    while day.year == 2028:
        for name in PERIODS:
            period = period_of(name, day)
            assert period.first_day <= day <= period.last_day, (name, day)
        month = period_of("month", day)
        if not months or months[-1] != month:
            months.append(month)
        day = date.fromordinal(day.toordinal() + 1)

    assert len(months) == 12
    for previous, current in itertools.pairwise(months):
        assert current.first_day.toordinal() == previous.last_day.toordinal() + 1


def test_an_unknown_period_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^unknown period 'fortnight'$"):
        period_of("fortnight", date(2026, 11, 17))


def test_periods_of_gives_all_four_in_order():
    day = date(2026, 11, 17)

    periods = periods_of(day)

    assert list(periods) == ["day", "week", "month", "year"]
    assert periods == {name: period_of(name, day) for name in ("day", "week", "month", "year")}


@pytest.mark.parametrize(
    ("period", "label"),
    [
        (Period("day", date(2026, 11, 17), date(2026, 11, 17)), "2026-11-17"),
        (
            Period("week", date(2026, 11, 16), date(2026, 11, 22)),
            "2026-W47 (2026-11-16 to 2026-11-22)",
        ),
        # Single-digit weeks are padded, and the ISO year is the week's, not the day's.
        (
            Period("week", date(2025, 12, 29), date(2026, 1, 4)),
            "2026-W01 (2025-12-29 to 2026-01-04)",
        ),
        (Period("month", date(2026, 3, 1), date(2026, 3, 31)), "2026-03"),
        (Period("year", date(2026, 1, 1), date(2026, 12, 31)), "2026"),
    ],
)
def test_period_labels(period, label):
    assert period.label() == label


# ----------------------------------------------------------------------- limits

LIMITS = {"day": D("4.00"), "week": D("18.00"), "month": D("72.00"), "year": D("720.00")}
NOTHING = {name: D("0.00") for name in PERIODS}
DAY = date(2026, 11, 17)


def violated(booked, requested, limits=LIMITS):
    found = limit_violations(
        limits=limits, booked=booked, requested=D(requested), periods=periods_of(DAY)
    )
    return [violation.period.name for violation in found]


@pytest.mark.parametrize(
    ("booked", "requested", "expected"),
    [
        (NOTHING, "4.00", []),  # at the limit is fine
        (NOTHING, "4.01", ["day"]),
        (NOTHING, "0.00", []),
        (NOTHING | {"day": D("3.99")}, "0.01", []),
        (NOTHING | {"day": D("3.99")}, "0.02", ["day"]),
        (NOTHING | {"week": D("16.00")}, "2.00", []),
        (NOTHING | {"week": D("16.00")}, "2.01", ["week"]),
        (NOTHING | {"month": D("70.50")}, "1.50", []),
        (NOTHING | {"month": D("70.50")}, "1.51", ["month"]),
        (NOTHING | {"year": D("719.00")}, "1.00", []),
        (NOTHING | {"year": D("719.00")}, "1.01", ["year"]),
        # Several at once, always in the order day, week, month, year.
        (
            {"day": D("3.00"), "week": D("17.50"), "month": D("71.50"), "year": D("719.50")},
            "1.50",
            ["day", "week", "month", "year"],
        ),
        (
            {"day": D("0"), "week": D("17.00"), "month": D("0"), "year": D("719.00")},
            "2",
            ["week", "year"],
        ),
    ],
)
def test_limit_violations(booked, requested, expected):
    assert violated(booked, requested) == expected


def test_each_period_is_held_to_its_own_limit():
    limits = {"day": D("1"), "week": D("2"), "month": D("3"), "year": D("4")}
    booked = {"day": D("0"), "week": D("1"), "month": D("2"), "year": D("3")}

    assert violated(booked, "1", limits) == []
    assert violated(booked, "1.01", limits) == ["day", "week", "month", "year"]
    assert violated(booked | {"week": D("0.99")}, "1.01", limits) == ["day", "month", "year"]


def test_a_violation_carries_its_period_limit_and_hours():
    periods = periods_of(DAY)
    booked = NOTHING | {"week": D("17.25")}

    (violation,) = limit_violations(
        limits=LIMITS, booked=booked, requested=D("1.50"), periods=periods
    )

    assert violation == LimitViolation(periods["week"], D("18.00"), D("17.25"), D("1.50"))
    assert violation.total_hours == D("18.75")


def week_47() -> Period:
    return Period("week", date(2026, 11, 16), date(2026, 11, 22))


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (
            Period("day", DAY, DAY),
            "The daily overtime limit of 4.00 h would be exceeded: 5.50 h in day 2026-11-17 "
            "(2.00 h already booked + 3.50 h requested).",
        ),
        (
            week_47(),
            "The weekly overtime limit of 4.00 h would be exceeded: 5.50 h in week "
            "2026-W47 (2026-11-16 to 2026-11-22) (2.00 h already booked + 3.50 h requested).",
        ),
        (
            Period("month", date(2026, 11, 1), date(2026, 11, 30)),
            "The monthly overtime limit of 4.00 h would be exceeded: 5.50 h in month 2026-11 "
            "(2.00 h already booked + 3.50 h requested).",
        ),
        (
            Period("year", date(2026, 1, 1), date(2026, 12, 31)),
            "The yearly overtime limit of 4.00 h would be exceeded: 5.50 h in year 2026 "
            "(2.00 h already booked + 3.50 h requested).",
        ),
    ],
)
def test_violation_message_names_limit_period_and_hours(period, message):
    violation = LimitViolation(period, D("4.00"), D("2.00"), D("3.50"))

    assert violation.message() == message


def test_violation_as_dict_is_all_strings_a_client_can_show():
    violation = LimitViolation(week_47(), D("18.00"), D("17.25"), D("1.50"))

    assert violation.as_dict() == {
        "limit": "weekly",
        "period": "week",
        "period_start": "2026-11-16",
        "period_end": "2026-11-22",
        "limit_hours": "18.00",
        "booked_hours": "17.25",
        "requested_hours": "1.50",
        "total_hours": "18.75",
    }

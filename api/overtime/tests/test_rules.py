"""Day categories, compensation, meals and the rest-day exemption as pure functions,
table-driven from PP 35/2021's own numbers (art. 26, 29, 31). No database."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from api.common.timezones import local_date
from api.overtime.regulation_defaults import PP35_TIERS
from api.overtime.rules import (
    PERIODS,
    DayCategory,
    Tier,
    WorkWeek,
    compensation_hours,
    counts_toward_limits,
    day_category,
    limit_violations,
    meal_due,
    periods_of,
    tier_errors,
    tiers_for,
    work_week_errors,
)

D = Decimal
MONDAY = date(2026, 11, 16)
SATURDAY, SUNDAY = MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)
FIVE_DAY = {"rest_weekdays": (5, 6), "work_days_per_week": 5, "shortest_workday": None}
SIX_DAY = {"rest_weekdays": (6,), "work_days_per_week": 6, "shortest_workday": 5}
ROWS = [
    (cat, week, Tier(D(lo), None if hi is None else D(hi), D(m)))
    for cat, week, lo, hi, m in PP35_TIERS
]


def pp35(category: DayCategory, week: int) -> list[Tier]:
    return tiers_for(ROWS, category, week)


# ----------------------------------------------------------------------- categories


@pytest.mark.parametrize(
    ("day", "week", "holiday", "expected"),
    [
        (MONDAY, FIVE_DAY, False, DayCategory.WORKDAY),
        (MONDAY + timedelta(days=4), FIVE_DAY, False, DayCategory.WORKDAY),  # Friday
        (SATURDAY, FIVE_DAY, False, DayCategory.REST_DAY),
        (SUNDAY, FIVE_DAY, False, DayCategory.REST_DAY),
        (SATURDAY, SIX_DAY, False, DayCategory.WORKDAY),  # Saturday is worked
        (SUNDAY, SIX_DAY, False, DayCategory.REST_DAY),
        (MONDAY, FIVE_DAY, True, DayCategory.PUBLIC_HOLIDAY),
        (MONDAY, SIX_DAY, True, DayCategory.PUBLIC_HOLIDAY),
        # A holiday on the shortest workday of a 6-day week has its own table...
        (SATURDAY, SIX_DAY, True, DayCategory.HOLIDAY_SHORTEST_DAY),
        # ...not in a 5-day week, where Saturday is a rest day.
        (SATURDAY, FIVE_DAY | {"shortest_workday": 5}, True, DayCategory.PUBLIC_HOLIDAY),
        (SUNDAY, SIX_DAY, True, DayCategory.PUBLIC_HOLIDAY),  # holiday on a rest day
        # Another country: Friday the rest day of a 6-day week, Thursday the short one.
        (
            MONDAY + timedelta(days=4),
            {"rest_weekdays": (4,), "work_days_per_week": 6, "shortest_workday": 3},
            False,
            DayCategory.REST_DAY,
        ),
        (
            MONDAY + timedelta(days=3),
            {"rest_weekdays": (4,), "work_days_per_week": 6, "shortest_workday": 3},
            True,
            DayCategory.HOLIDAY_SHORTEST_DAY,
        ),
    ],
)
def test_day_category(day, week, holiday, expected):
    assert day_category(day, is_public_holiday=holiday, **week) is expected


@pytest.mark.parametrize(
    ("week", "errors"),
    [
        (WorkWeek(5, (5, 6), 5), {"shortest_workday"}),  # Saturday rests in a 5-day week
        (WorkWeek(5, (5, 6), None), set()),
        (WorkWeek(6, (6,), 5), set()),
        (WorkWeek(6, (5, 6), 4), {"rest_weekdays"}),
        (WorkWeek(7, (), None), {"work_days_per_week"}),
        (WorkWeek(5, (6, 6), None), {"rest_weekdays"}),
        (WorkWeek(5, (7, 1), None), {"rest_weekdays"}),
    ],
)
def test_work_week_errors_name_the_field(week, errors):
    assert set(work_week_errors(week)) == errors


# ------------------------------------------------------------------ local dates


JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("moment", "expected", "category"),
    [
        # Monday 00:30 in Jakarta is still Sunday 17:30 in UTC: a workday all the same.
        (datetime(2026, 11, 16, 0, 30, tzinfo=JAKARTA), MONDAY, DayCategory.WORKDAY),
        (datetime(2026, 11, 15, 17, 30, tzinfo=UTC), MONDAY, DayCategory.WORKDAY),
        # Saturday 01:00 in Jakarta is Friday in UTC: a rest day.
        (datetime(2026, 11, 21, 1, 0, tzinfo=JAKARTA), SATURDAY, DayCategory.REST_DAY),
        (datetime(2026, 11, 20, 18, 0, tzinfo=UTC), SATURDAY, DayCategory.REST_DAY),
        # Friday 23:59 local is the last minute of a workday.
        (
            datetime(2026, 11, 20, 23, 59, tzinfo=JAKARTA),
            SATURDAY - timedelta(days=1),
            DayCategory.WORKDAY,
        ),
    ],
)
def test_local_date_is_the_company_date(settings, moment, expected, category):
    settings.TIME_ZONE = "Asia/Jakarta"

    assert local_date(moment) == expected
    assert day_category(local_date(moment), is_public_holiday=False, **FIVE_DAY) is category


def test_a_request_across_midnight_counts_on_the_day_it_starts(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    start = datetime(2026, 11, 20, 22, 0, tzinfo=JAKARTA)  # Friday 22:00 to Saturday 02:00
    end = start + timedelta(hours=4)

    assert local_date(start) == SATURDAY - timedelta(days=1)
    assert local_date(end) == SATURDAY
    assert periods_of(local_date(start))["day"].first_day == date(2026, 11, 20)


def test_a_naive_datetime_has_no_local_date():
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2026, 11, 16, 10, 0))


# -------------------------------------------------------------------- compensation


@pytest.mark.parametrize(
    ("category", "week", "hours", "weighted"),
    [
        # Workday (art. 31(1)a): the first hour x1.5, each later one x2.
        (DayCategory.WORKDAY, 5, "0", "0"),
        (DayCategory.WORKDAY, 5, "0.5", "0.75"),
        (DayCategory.WORKDAY, 5, "1", "1.5"),
        (DayCategory.WORKDAY, 5, "1.5", "2.5"),  # 1 x 1.5 + 0.5 x 2
        (DayCategory.WORKDAY, 5, "4", "7.5"),  # 1.5 + 3 x 2
        (DayCategory.WORKDAY, 6, "2", "3.5"),  # the same table for a 6-day week
        (DayCategory.WORKDAY, 5, "0.25", "0.38"),  # 0.375 rounded half-up
        # Rest day, 6-day week (art. 31(1)b-1): hours 1-7 x2, 8 x3, 9-11 x4.
        (DayCategory.REST_DAY, 6, "7", "14"),
        (DayCategory.REST_DAY, 6, "7.5", "15.5"),
        (DayCategory.REST_DAY, 6, "8", "17"),
        (DayCategory.REST_DAY, 6, "9", "21"),
        (DayCategory.REST_DAY, 6, "11", "29"),
        (DayCategory.REST_DAY, 6, "12", "33"),  # past the table: its last multiplier
        # Rest day, 5-day week (art. 31(1)b-2): hours 1-8 x2, 9 x3, 10-12 x4.
        (DayCategory.REST_DAY, 5, "8", "16"),
        (DayCategory.REST_DAY, 5, "8.5", "17.5"),
        (DayCategory.REST_DAY, 5, "9", "19"),
        (DayCategory.REST_DAY, 5, "10", "23"),
        (DayCategory.REST_DAY, 5, "12", "31"),
        # A public holiday weighs like a rest day of the same week.
        (DayCategory.PUBLIC_HOLIDAY, 6, "8", "17"),
        (DayCategory.PUBLIC_HOLIDAY, 5, "9", "19"),
        # A holiday on the shortest workday of a 6-day week: hours 1-5 x2, 6 x3, 7-9 x4.
        (DayCategory.HOLIDAY_SHORTEST_DAY, 6, "5", "10"),
        (DayCategory.HOLIDAY_SHORTEST_DAY, 6, "6", "13"),
        (DayCategory.HOLIDAY_SHORTEST_DAY, 6, "6.5", "15"),
        (DayCategory.HOLIDAY_SHORTEST_DAY, 6, "9", "25"),
    ],
)
def test_compensation_hours_follow_pp35_art_31(category, week, hours, weighted):
    assert compensation_hours(D(hours), pp35(category, week)) == D(weighted)


def test_every_table_of_the_default_is_complete():
    for category in DayCategory:
        for week in (5, 6):
            tiers = pp35(category, week)
            if category is DayCategory.HOLIDAY_SHORTEST_DAY and week == 5:
                assert tiers == []  # only 6-day weeks have a shortest workday
                continue
            assert tiers, (category, week)
            assert tier_errors(tiers) == []


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ([], "at least one tier"),
        ([Tier(D(1), None, D(2))], "starts at hour 0"),
        ([Tier(D(0), D(1), D("1.5")), Tier(D(2), None, D(2))], "must start at hour 1"),
        ([Tier(D(0), None, D(1)), Tier(D(1), None, D(2))], "only the last is open-ended"),
        ([Tier(D(0), D(0), D(1))], "end after it starts"),
        ([Tier(D(0), None, D(0))], "multiplier must be positive"),
    ],
)
def test_tier_errors(tiers, message):
    assert any(message in error for error in tier_errors(tiers))


def test_compensation_needs_tiers():
    with pytest.raises(ValueError, match="no compensation tiers"):
        compensation_hours(D(1), [])


# ------------------------------------------------------------------ meal and limits


@pytest.mark.parametrize(
    ("hours", "threshold", "due"),
    [("3.99", "4", False), ("4", "4", True), ("4.01", "4", True), ("2", "2", True)],
)
def test_meal_is_due_from_the_threshold_on(hours, threshold, due):
    assert meal_due(D(hours), D(threshold)) is due


@pytest.mark.parametrize(
    ("category", "flag", "counts"),
    [
        (DayCategory.WORKDAY, False, True),
        (DayCategory.WORKDAY, True, True),
        (DayCategory.REST_DAY, False, False),
        (DayCategory.REST_DAY, True, True),
        (DayCategory.PUBLIC_HOLIDAY, False, False),
        (DayCategory.PUBLIC_HOLIDAY, True, True),
        (DayCategory.HOLIDAY_SHORTEST_DAY, False, False),
        (DayCategory.HOLIDAY_SHORTEST_DAY, True, True),
    ],
)
def test_counts_toward_limits(category, flag, counts):
    assert counts_toward_limits(category, flag) is counts


def test_exempt_overtime_is_held_only_to_the_monthly_and_yearly_caps():
    limits = {"day": D(4), "week": D(18), "month": D(20), "year": D(100)}
    booked = {"day": D(0), "week": D(16), "month": D(16), "year": D(16)}
    periods = periods_of(SATURDAY)

    counted = limit_violations(limits=limits, booked=booked, requested=D(6), periods=periods)
    exempt = limit_violations(
        limits=limits, booked=booked, requested=D(6), periods=periods, counts=False
    )

    assert [v.period.name for v in counted] == ["day", "week", "month"]
    assert [v.period.name for v in exempt] == ["month"]
    assert set(PERIODS) == {"day", "week", "month", "year"}

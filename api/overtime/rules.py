"""Regulation rules as pure functions: periods of a date, limit checks on totals, the
category of a day and how its overtime hours are weighted. No ORM here: inputs are
plain values and dataclasses, so every rule is tested without a database.

A request counts, whole, toward the day (and week, month, year) of its local start
date; hours are net of breaks. Weeks are ISO weeks (Monday to Sunday). Weekdays are
Python's: 0 is Monday, 6 is Sunday.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

PERIODS = ("day", "week", "month", "year")
LIMIT_FIELDS = {
    "day": "max_hours_per_day",
    "week": "max_hours_per_week",
    "month": "max_hours_per_month",
    "year": "max_hours_per_year",
}
PERIOD_ADJECTIVE = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}
# The limits PP 35/2021 art. 26 sets, and so the ones art. 26(2) exempts rest-day and
# holiday overtime from; the month and year caps are the company's and count it all.
EXEMPTIBLE_PERIODS = ("day", "week")


@dataclass(frozen=True, slots=True)
class Period:
    name: str
    first_day: date
    last_day: date

    def label(self) -> str:
        match self.name:
            case "day":
                return self.first_day.isoformat()
            case "week":
                year, week, _ = self.first_day.isocalendar()
                return f"{year}-W{week:02d} ({self.first_day} to {self.last_day})"
            case "month":
                return self.first_day.strftime("%Y-%m")
        return str(self.first_day.year)


def period_of(name: str, day: date) -> Period:
    match name:
        case "day":
            return Period(name, day, day)
        case "week":
            monday = day - timedelta(days=day.weekday())
            return Period(name, monday, monday + timedelta(days=6))
        case "month":
            first = day.replace(day=1)
            next_first = (first + timedelta(days=32)).replace(day=1)
            return Period(name, first, next_first - timedelta(days=1))
        case "year":
            return Period(name, date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"unknown period {name!r}")


def periods_of(day: date) -> dict[str, Period]:
    return {name: period_of(name, day) for name in PERIODS}


@dataclass(frozen=True, slots=True)
class LimitViolation:
    period: Period
    limit_hours: Decimal
    booked_hours: Decimal
    requested_hours: Decimal

    @property
    def total_hours(self) -> Decimal:
        return self.booked_hours + self.requested_hours

    def message(self) -> str:
        return (
            f"The {PERIOD_ADJECTIVE[self.period.name]} overtime limit of {self.limit_hours} h "
            f"would be exceeded: {self.total_hours} h in {self.period.name} "
            f"{self.period.label()} ({self.booked_hours} h already booked + "
            f"{self.requested_hours} h requested)."
        )

    def as_dict(self) -> dict:
        return {
            "limit": PERIOD_ADJECTIVE[self.period.name],
            "period": self.period.name,
            "period_start": self.period.first_day.isoformat(),
            "period_end": self.period.last_day.isoformat(),
            "limit_hours": str(self.limit_hours),
            "booked_hours": str(self.booked_hours),
            "requested_hours": str(self.requested_hours),
            "total_hours": str(self.total_hours),
        }


def limit_violations(
    *,
    limits: dict[str, Decimal],
    booked: dict[str, Decimal],
    requested: Decimal,
    periods: dict[str, Period],
    counts: bool = True,
) -> list[LimitViolation]:
    """Every period whose booked + requested hours exceed its limit (at the limit is fine).

    `counts` is False for a request on a day whose overtime the regulation leaves out
    of the daily and weekly limits (`counts_toward_limits`): it can exceed only the
    monthly and yearly ones.
    """
    return [
        LimitViolation(periods[name], limits[name], booked[name], requested)
        for name in PERIODS
        if (counts or name not in EXEMPTIBLE_PERIODS) and booked[name] + requested > limits[name]
    ]


# ------------------------------------------------------------------ day categories

WEEKDAYS = range(7)
WORK_WEEK_LENGTHS = (5, 6)
TWO_PLACES = Decimal("0.01")


class DayCategory(StrEnum):
    """The kinds of day the compensation tables tell apart."""

    WORKDAY = "workday"
    REST_DAY = "rest_day"  # a weekly rest day
    PUBLIC_HOLIDAY = "public_holiday"
    # A public holiday on the shortest workday of a 6-day week has its own table.
    HOLIDAY_SHORTEST_DAY = "holiday_shortest_day"


@dataclass(frozen=True, slots=True)
class WorkWeek:
    """How many days a week are worked, which weekdays are rest days and (6-day weeks
    only) which workday is the short one."""

    work_days_per_week: int
    rest_weekdays: tuple[int, ...]
    shortest_workday: int | None = None


def work_week_errors(week: WorkWeek) -> dict[str, str]:
    """What is wrong with a work week, by field; empty when it is consistent."""
    errors: dict[str, str] = {}
    if week.work_days_per_week not in WORK_WEEK_LENGTHS:
        errors["work_days_per_week"] = "A work week has 5 or 6 days."
    rest = week.rest_weekdays
    if any(not isinstance(day, int) or day not in WEEKDAYS for day in rest) or len(
        set(rest)
    ) != len(rest):
        errors["rest_weekdays"] = "Rest days are distinct weekdays, 0 (Monday) to 6 (Sunday)."
    elif "work_days_per_week" not in errors and len(rest) != 7 - week.work_days_per_week:
        errors["rest_weekdays"] = (
            f"A {week.work_days_per_week}-day week has {7 - week.work_days_per_week} rest day(s)."
        )
    shortest = week.shortest_workday
    if shortest is not None and (shortest not in WEEKDAYS or shortest in rest):
        errors["shortest_workday"] = "The shortest workday is a weekday that is not a rest day."
    return errors


def day_category(
    local_date: date,
    *,
    rest_weekdays: Iterable[int],
    work_days_per_week: int,
    shortest_workday: int | None,
    is_public_holiday: bool,
) -> DayCategory:
    """The category of a local date. A holiday that falls on a rest day is a holiday."""
    weekday = local_date.weekday()
    rest = set(rest_weekdays)
    if is_public_holiday:
        if work_days_per_week == 6 and weekday == shortest_workday and weekday not in rest:
            return DayCategory.HOLIDAY_SHORTEST_DAY
        return DayCategory.PUBLIC_HOLIDAY
    if weekday in rest:
        return DayCategory.REST_DAY
    return DayCategory.WORKDAY


def counts_toward_limits(category: DayCategory, regulation_flag: bool) -> bool:
    """Workday overtime always counts toward the daily/weekly limits; overtime on rest
    days and holidays only if the regulation says so (PP 35/2021 art. 26(2): not).
    The monthly and yearly caps count every hour (EXEMPTIBLE_PERIODS)."""
    return category is DayCategory.WORKDAY or regulation_flag


def meal_due(net_hours: Decimal, threshold: Decimal) -> bool:
    """A meal (food and drink) is owed from `threshold` hours of overtime on."""
    return net_hours >= threshold


def needs_second_approval(net_hours: Decimal, threshold: Decimal | None) -> bool:
    """Above the regulation's threshold a superadmin approves after the department
    admin; at the threshold, or without one, the first approval decides."""
    return threshold is not None and net_hours > threshold


# -------------------------------------------------------------------- compensation


@dataclass(frozen=True, slots=True)
class Tier:
    """Overtime hours in [hour_from, hour_to) weigh `multiplier` hourly wages; hour_to
    None is open-ended."""

    hour_from: Decimal
    hour_to: Decimal | None
    multiplier: Decimal


def tier_errors(tiers: Sequence[Tier]) -> list[str]:
    """What is wrong with a table of tiers: they start at hour 0, follow one another
    without gap or overlap, only the last is open-ended, and every multiplier is
    positive. Empty when the table is usable."""
    errors = []
    ordered = sorted(tiers, key=lambda tier: tier.hour_from)
    if not ordered:
        return ["A table needs at least one tier."]
    if ordered[0].hour_from != 0:
        errors.append("The first tier starts at hour 0.")
    for position, tier in enumerate(ordered):
        if tier.multiplier <= 0:
            errors.append(f"Tier from hour {tier.hour_from}: the multiplier must be positive.")
        if tier.hour_to is None:
            if position != len(ordered) - 1:
                errors.append(f"Tier from hour {tier.hour_from}: only the last is open-ended.")
            continue
        if tier.hour_to <= tier.hour_from:
            errors.append(f"Tier from hour {tier.hour_from}: it must end after it starts.")
        if position + 1 < len(ordered) and ordered[position + 1].hour_from != tier.hour_to:
            errors.append(
                f"Tier from hour {tier.hour_from}: the next one must start at hour {tier.hour_to}."
            )
    return errors


def compensation_hours(net_hours: Decimal, tiers: Sequence[Tier]) -> Decimal:
    """Overtime hours weighted by the tier each part falls in, in hourly wages
    (PP 35/2021 art. 31; the hourly wage is 1/173 of the monthly one, art. 32).

    Fractions follow their tier: 1.5 h on a workday is 1 x 1.5 + 0.5 x 2 = 2.5. Hours
    past the last tier (the regulation's tables stop where the lawful maximum does)
    keep its multiplier rather than being paid nothing. Rounded half-up to 2 places.
    """
    ordered = sorted(tiers, key=lambda tier: tier.hour_from)
    if not ordered:
        raise ValueError("no compensation tiers")
    weighted = Decimal("0")
    for position, tier in enumerate(ordered):
        is_last = position == len(ordered) - 1
        upper = None if is_last else tier.hour_to
        covered = min(net_hours, upper) if upper is not None else net_hours
        if covered > tier.hour_from:
            weighted += (covered - tier.hour_from) * tier.multiplier
    return weighted.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def tiers_for(
    rows: Iterable[tuple[str, int | None, Tier]], category: DayCategory, work_days_per_week: int
) -> list[Tier]:
    """The tiers of one day category from (category, week length or None, tier) rows:
    those written for this week length, else those written for any week."""
    matching = [(week, tier) for cat, week, tier in rows if cat == category]
    exact = [tier for week, tier in matching if week == work_days_per_week]
    return exact or [tier for week, tier in matching if week is None]

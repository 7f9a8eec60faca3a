"""Regulation rules as pure functions: periods of a date and limit checks on totals.

A request counts, whole, toward the day (and week, month, year) of its local start
date; hours are net of breaks. Weeks are ISO weeks (Monday to Sunday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

PERIODS = ("day", "week", "month", "year")
LIMIT_FIELDS = {
    "day": "max_hours_per_day",
    "week": "max_hours_per_week",
    "month": "max_hours_per_month",
    "year": "max_hours_per_year",
}
PERIOD_ADJECTIVE = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}


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
) -> list[LimitViolation]:
    """Every period whose booked + requested hours exceed its limit (at the limit is fine)."""
    return [
        LimitViolation(periods[name], limits[name], booked[name], requested)
        for name in PERIODS
        if booked[name] + requested > limits[name]
    ]

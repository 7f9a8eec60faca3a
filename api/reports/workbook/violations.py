"""The Violations sheet: the submit check's rules, applied to the report's bookings.

The periods (ISO weeks included) and the comparison (booked + requested above the
limit; at the limit is fine) are api/overtime/rules.py's, and the limits come from the
regulation in force for the employee's department, found as submit finds it
(`LimitsLookup`, given by api/reports/selectors.py). A period is judged by the
regulation in force on its last booked day: the day whose request took it over.

What a report can see bounds what it finds: its own period and filters. Day, week and
month are checked; a week reaching outside the report counts only the days inside it,
and the yearly limit needs more than a month, so it is not checked here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal

from api.overtime.rules import PERIODS, limit_violations, period_of, periods_of

ZERO = Decimal("0")
CHECKED_PERIODS = ("day", "week", "month")

# (department id or None, day) -> {"day": Decimal, "week": ..., "month": ..., "year": ...}
# of the regulation in force then, or None when no regulation is.
LimitsLookup = Callable[[int | None, date], Mapping[str, Decimal] | None]


def violations(
    booked: Mapping[tuple[str, str, str, int | None], Mapping[date, Decimal]],
    limits_for: LimitsLookup | None,
) -> Iterator[dict]:
    """Records for the Violations sheet, by employee code, period and first day."""
    if limits_for is None:
        return
    found = []
    for (code, name, department, department_id), days in booked.items():
        for period_name in CHECKED_PERIODS:
            per_period: dict = defaultdict(lambda: [ZERO, None])
            for day, hours in days.items():
                entry = per_period[period_of(period_name, day)]
                entry[0] += hours
                entry[1] = day if entry[1] is None else max(entry[1], day)
            for period, (hours, last_day) in per_period.items():
                limits = limits_for(department_id, last_day)
                if limits is None:
                    continue
                booked_hours = dict.fromkeys(PERIODS, ZERO) | {period_name: hours}
                for violation in limit_violations(
                    limits=dict(limits),
                    booked=booked_hours,
                    requested=ZERO,
                    periods=periods_of(last_day),
                ):
                    found.append(
                        {
                            "employee_code": code,
                            "employee_name": name,
                            "department": department,
                            "period": period_name,
                            "first": period.first_day,
                            "last": period.last_day,
                            "booked": violation.booked_hours,
                            "limit": violation.limit_hours,
                            "over": violation.booked_hours - violation.limit_hours,
                        }
                    )
    order = {name: index for index, name in enumerate(CHECKED_PERIODS)}
    found.sort(key=lambda r: (r["employee_code"], order[r["period"]], r["first"]))
    yield from found

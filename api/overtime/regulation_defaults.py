"""The shipped regulation preset (Indonesia, PP 35/2021) and the write that keeps the
default regulation up to date with it without undoing an admin's edits.

`initialize_data` runs `regulation_preset_upgrade` on every deploy: a regulation the
preset created (or that the 0006 migration recognised as the old shipped default) is
rewritten to the preset's current values as long as its values still equal what the
preset last wrote (`preset_values`); once an admin changes any of them, it is theirs.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from api.overtime.models import CompensationTier, OvertimeRegulation
from api.overtime.rules import DayCategory

PP35_2021 = "pp35-2021"

# Art. 26: 4 h a day, 18 h a week; art. 26(2): rest days and holidays outside those
# limits; art. 29: a meal from 4 h. The month/year caps and the second-approval
# threshold are the company's own defaults.
PRESET_FIELDS = {
    "name": "Default overtime regulation",
    "description": (
        "PP 35/2021: at most 4 h/day and 18 h/week of workday overtime (art. 26; rest days "
        "and public holidays outside those limits, art. 26(2)), a meal from 4 h (art. 29), "
        "compensation per art. 31."
    ),
    "max_hours_per_day": Decimal("4.00"),
    "max_hours_per_week": Decimal("18.00"),
    "max_hours_per_month": Decimal("72.00"),
    "max_hours_per_year": Decimal("720.00"),
    "second_approval_threshold_hours": Decimal("3.00"),
    "work_days_per_week": 5,
    "rest_weekdays": [5, 6],
    "shortest_workday": 5,
    "rest_day_counts_toward_limits": False,
    "meal_threshold_hours": Decimal("4.00"),
}

# Art. 31, as (day category, week length or None for any, hour_from, hour_to, multiplier).
# Workday: the first hour x1.5, each later one x2. Rest day or public holiday: 6-day
# week hours 1-7 x2, 8 x3, 9-11 x4; 5-day week hours 1-8 x2, 9 x3, 10-12 x4. A public
# holiday on the shortest workday of a 6-day week: hours 1-5 x2, 6 x3, 7-9 x4.
PP35_TIERS: tuple[tuple[str, int | None, str, str | None, str], ...] = (
    (DayCategory.WORKDAY, None, "0", "1", "1.5"),
    (DayCategory.WORKDAY, None, "1", None, "2"),
    *(
        row
        for category in (DayCategory.REST_DAY, DayCategory.PUBLIC_HOLIDAY)
        for row in (
            (category, 6, "0", "7", "2"),
            (category, 6, "7", "8", "3"),
            (category, 6, "8", "11", "4"),
            (category, 5, "0", "8", "2"),
            (category, 5, "8", "9", "3"),
            (category, 5, "9", "12", "4"),
        )
    ),
    (DayCategory.HOLIDAY_SHORTEST_DAY, 6, "0", "5", "2"),
    (DayCategory.HOLIDAY_SHORTEST_DAY, 6, "5", "6", "3"),
    (DayCategory.HOLIDAY_SHORTEST_DAY, 6, "6", "9", "4"),
)


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def _tier_key(row: list) -> tuple:
    return (row[0], row[1] or 0, Decimal(row[2]))


def _tier_row(category, week, hour_from, hour_to, multiplier) -> list:
    def number(value):
        return None if value is None else str(Decimal(value).normalize())

    return [str(category), week, number(hour_from), number(hour_to), number(multiplier)]


def regulation_values(regulation: OvertimeRegulation) -> dict:
    """The preset-managed values of a regulation, tiers included, as JSON."""
    values = {field: _plain(getattr(regulation, field)) for field in PRESET_FIELDS}
    tiers = regulation.compensation_tiers.values_list(
        "day_category", "work_days_per_week", "hour_from", "hour_to", "multiplier"
    )
    values["tiers"] = sorted((_tier_row(*tier) for tier in tiers), key=_tier_key)
    return values


def preset_target() -> dict:
    """What `regulation_values` reads once the preset is applied."""
    values = {field: _plain(value) for field, value in PRESET_FIELDS.items()}
    values["tiers"] = sorted((_tier_row(*row) for row in PP35_TIERS), key=_tier_key)
    return values


def compensation_tiers_replace(regulation: OvertimeRegulation, rows=PP35_TIERS) -> None:
    regulation.compensation_tiers.all().delete()
    CompensationTier.objects.bulk_create(
        CompensationTier(
            regulation=regulation,
            day_category=category,
            work_days_per_week=week,
            hour_from=Decimal(hour_from),
            hour_to=None if hour_to is None else Decimal(hour_to),
            multiplier=Decimal(multiplier),
        )
        for category, week, hour_from, hour_to, multiplier in rows
    )


@transaction.atomic
def regulation_preset_upgrade(regulation: OvertimeRegulation, *, created: bool) -> bool:
    """Brings the default regulation to the preset's values; True if it was rewritten.

    `created` says the regulation was just made by `regulation_ensure_default`, so it
    is the preset's. Otherwise only a regulation marked with the preset whose values
    are still those the preset last wrote is touched; a second run changes nothing.
    """
    regulation = OvertimeRegulation.objects.select_for_update().get(pk=regulation.pk)
    current = regulation_values(regulation)
    if not created and (regulation.preset != PP35_2021 or current != regulation.preset_values):
        return False
    target = preset_target()
    if current == target and regulation.preset == PP35_2021 and regulation.preset_values == target:
        return False
    for field, value in PRESET_FIELDS.items():
        setattr(regulation, field, value)
    compensation_tiers_replace(regulation)
    regulation.preset = PP35_2021
    regulation.preset_values = target
    regulation.save()
    return True

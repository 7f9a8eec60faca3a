"""Writes of the overtime domain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from api.overtime.models import OvertimeRegulation, RegulationScope

# Indonesian Government Regulation PP 35/2021 (art. 26): at most 4 hours of overtime a
# day and 18 a week. The month/year caps and the second-approval threshold are the
# company's defaults; department regulations override them.
DEFAULT_REGULATION = {
    "name": "Default overtime regulation",
    "description": "Company-wide limits (PP 35/2021: 4 h/day, 18 h/week).",
    "max_hours_per_day": Decimal("4.00"),
    "max_hours_per_week": Decimal("18.00"),
    "max_hours_per_month": Decimal("72.00"),
    "max_hours_per_year": Decimal("720.00"),
    "second_approval_threshold_hours": Decimal("3.00"),
    "effective_from": date(2020, 1, 1),
}


@transaction.atomic
def regulation_ensure_default() -> tuple[OvertimeRegulation, bool]:
    """A global regulation in force, so overtime can be checked on a new install."""
    existing = OvertimeRegulation.objects.filter(
        scope=RegulationScope.GLOBAL, is_active=True
    ).first()
    if existing is not None:
        return existing, False
    regulation = OvertimeRegulation.objects.create(
        scope=RegulationScope.GLOBAL, **DEFAULT_REGULATION
    )
    return regulation, True

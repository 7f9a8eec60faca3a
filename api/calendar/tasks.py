"""Yearly import of next year's public holidays (scheduled in backend/celery.py)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from api.calendar.holiday_import import holidays_import


@shared_task(name="calendar.import_holidays")
def import_next_year_holidays() -> dict:
    """Next year's holidays, in time for requests filed ahead; this year's too, in case
    the package learnt of a holiday since (already imported dates are left alone)."""
    this_year = timezone.localdate().year
    return holidays_import(
        country=settings.HOLIDAYS_COUNTRY,
        subdivision=settings.HOLIDAYS_SUBDIVISION,
        years=[this_year, this_year + 1],
    ).as_dict()

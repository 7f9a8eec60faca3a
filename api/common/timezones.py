"""The company's local dates: settings.TIME_ZONE decides on which day a moment falls."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings


def company_timezone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime) -> date:
    """The date of `moment` in the company's time zone (settings.TIME_ZONE), whatever
    zone it was written in: 2026-11-15T17:30Z is Monday 2026-11-16 00:30 in Jakarta.

    Overtime counts, whole, on the local date it starts: a request from 22:00 to 02:00
    local belongs to the day of its 22:00, for day categories and for limits alike.
    """
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no local date")
    return moment.astimezone(company_timezone()).date()


def moment_iso(epoch_seconds: float) -> str:
    """A moment as ISO 8601 with the company's offset (2026-11-16T00:30:00+07:00): the
    form every API answer and socket message gives, never epoch seconds."""
    return datetime.fromtimestamp(epoch_seconds, company_timezone()).isoformat(
        timespec="milliseconds"
    )

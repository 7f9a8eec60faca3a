"""Pure arithmetic of overtime: hours from times and breaks. No database here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")
SECONDS_PER_HOUR = Decimal(3600)


def hours(start: datetime, end: datetime) -> Decimal:
    """Length of [start, end) in hours, rounded half-up to 2 decimals."""
    seconds = Decimal(int((end - start).total_seconds()))
    return (seconds / SECONDS_PER_HOUR).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def split_hours(
    start: datetime, end: datetime, breaks: Iterable[tuple[datetime, datetime]]
) -> tuple[Decimal, Decimal, Decimal]:
    """(total, break, net) hours of a request whose breaks lie inside it."""
    total = hours(start, end)
    break_seconds = sum(int((b_end - b_start).total_seconds()) for b_start, b_end in breaks)
    break_total = (Decimal(break_seconds) / SECONDS_PER_HOUR).quantize(
        TWO_PLACES, rounding=ROUND_HALF_UP
    )
    net = max(total - break_total, Decimal("0.00"))
    return total, break_total, net

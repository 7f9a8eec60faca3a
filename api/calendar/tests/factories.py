"""Factories for the calendar domain's models (keyword arguments override defaults)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from django.utils import timezone

from api.calendar.models import CalendarEvent, EmployeeLeave, Holiday
from tests.factories import make_employee, make_user

_sequence = itertools.count(1)


def make_holiday(**fields) -> Holiday:
    n = next(_sequence)
    fields.setdefault("date", date(2030, 1, 1) + timedelta(days=n))
    fields.setdefault("name", f"Holiday {n}")
    return Holiday.objects.create(**fields)


def make_event(**fields) -> CalendarEvent:
    attendees = fields.pop("attendees", ())
    n = next(_sequence)
    start = fields.pop("start_at", None) or datetime(
        2026, 3, 2, 9, tzinfo=timezone.get_current_timezone()
    )
    fields.setdefault("title", f"Event {n}")
    fields.setdefault("end_at", start + timedelta(hours=1))
    if "created_by" not in fields:
        fields["created_by"] = make_user(with_employee=False)
    event = CalendarEvent.objects.create(start_at=start, **fields)
    event.attendees.set(attendees)
    return event


def make_leave(**fields) -> EmployeeLeave:
    employee = fields.pop("employee", None) or make_employee()
    fields.setdefault("leave_type", "annual")
    fields.setdefault("start_date", date(2026, 7, 6))
    fields.setdefault("end_date", fields["start_date"] + timedelta(days=2))
    return EmployeeLeave.objects.create(employee=employee, **fields)

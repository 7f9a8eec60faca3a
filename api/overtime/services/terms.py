"""The regulation's terms of a request's day, kept on the row: its category, the
compensation its hours weigh, whether a meal is owed and whether a second approval
will be needed. Set at create, update and submit, so a draft already shows what
submitting will decide and lists read plain columns."""

from __future__ import annotations

from api.overtime import selectors
from api.overtime.models import OvertimeRequest


def apply_day_terms(overtime_request: OvertimeRequest) -> selectors.DayTerms:
    """Sets the terms on the (unsaved) request from its employee, start and net hours."""
    terms = selectors.day_terms(
        employee=overtime_request.employee,
        start_at=overtime_request.start_at,
        net_hours=overtime_request.net_hours,
    )
    overtime_request.day_category = terms.day_category
    overtime_request.compensation_hours = terms.compensation_hours
    overtime_request.meal_due = terms.meal_due
    overtime_request.requires_second_approval = terms.requires_second_approval
    return terms

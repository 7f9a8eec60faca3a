"""What submitting a request would do, without writing anything: the same checks a
create followed by a submit runs, answered instead of raised."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from api.accounts.models import User
from api.org.models import Employee
from api.overtime import selectors
from api.overtime.models import OvertimeRequest, OvertimeStatus
from api.overtime.services.guards import employee_for
from api.overtime.services.regulations import regulation_review
from api.overtime.services.terms import apply_day_terms
from api.overtime.services.times import BreakInput, apply_times


def overtime_request_check(
    *,
    by: User,
    start_at: datetime,
    end_at: datetime,
    reason: str = "",
    employee: Employee | None = None,
    project=None,
    breaks: Sequence[BreakInput] = (),
    submit: bool = False,
) -> dict:
    """The verdict a submit of this body would reach. Input the create refuses is
    refused the same way (400/403); limits exceeded and overlaps are reported."""
    overtime_request = OvertimeRequest(
        employee=employee_for(user=by, employee=employee),
        project=project,
        reason=reason,
        created_by=by,
        status=OvertimeStatus.DRAFT,
    )
    apply_times(overtime_request, start_at, end_at, breaks)
    terms = apply_day_terms(overtime_request)
    review = regulation_review(overtime_request)
    return {
        "violations": [violation.as_dict() for violation in review.violations],
        "requires_second_approval": overtime_request.requires_second_approval,
        "is_weekend": overtime_request.is_weekend,
        "is_holiday": overtime_request.is_holiday,
        "day_category": str(terms.day_category),
        "compensation_hours": terms.compensation_hours,
        "meal_due": terms.meal_due,
        "net_hours": overtime_request.net_hours,
        "regulation": review.regulation.pk if review.regulation is not None else None,
        "overlaps": selectors.overlapping_request_ids(
            employee_id=overtime_request.employee_id,
            start=overtime_request.start_at,
            end=overtime_request.end_at,
        ),
    }

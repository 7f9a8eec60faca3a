"""The times of an overtime request: its span, its breaks and the hours they make,
and the checks against the employee's other time (overtime, approved leave)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from api.calendar.rules import refuse_overlap
from api.common.exceptions import InvalidInput, RuleViolation
from api.common.generations import rows_changed
from api.overtime import selectors
from api.overtime.calculations import split_hours
from api.overtime.models import OvertimeBreak, OvertimeRequest
from api.system.selectors import config_value

MAX_REQUEST_LENGTH = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class BreakInput:
    start_at: datetime
    end_at: datetime
    note: str = ""


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _validated_breaks(
    start: datetime, end: datetime, breaks: Sequence[BreakInput]
) -> list[BreakInput]:
    """Breaks sorted, each inside the request, none overlapping another."""
    errors: list[dict] = [{} for _ in breaks]
    for index, pause in enumerate(breaks):
        if pause.end_at <= pause.start_at:
            errors[index]["end_at"] = ["A break must end after it starts."]
        elif pause.start_at < start or pause.end_at > end:
            errors[index]["start_at"] = ["A break must lie inside the overtime request."]
    if not any(errors):
        order = sorted(range(len(breaks)), key=lambda i: breaks[i].start_at)
        for previous, current in itertools.pairwise(order):
            if breaks[current].start_at < breaks[previous].end_at:
                errors[current]["start_at"] = [
                    f"This break overlaps break {previous} "
                    f"({breaks[previous].start_at:%H:%M}-{breaks[previous].end_at:%H:%M})."
                ]
    if any(errors):
        raise InvalidInput({"breaks": errors})
    return sorted(breaks, key=lambda pause: pause.start_at)


def _validate_times(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidInput({"end_at": ["The end must be after the start."]})
    if end - start > MAX_REQUEST_LENGTH:
        raise InvalidInput({"end_at": ["One overtime request cannot last more than 24 hours."]})


def _validate_minimum(net: Decimal) -> None:
    minimum = int(config_value("overtime-min-minutes", default=30))
    if net * 60 < minimum:
        raise InvalidInput(
            {"end_at": [f"Overtime net of breaks must be at least {minimum} minutes."]}
        )


def apply_times(
    overtime_request: OvertimeRequest,
    start: datetime,
    end: datetime,
    breaks: Sequence[BreakInput],
) -> list[BreakInput]:
    """Sets the span and the hours it makes; returns the breaks, checked and sorted."""
    _validate_times(start, end)
    ordered = _validated_breaks(start, end, breaks)
    total, break_total, net = split_hours(start, end, [(b.start_at, b.end_at) for b in ordered])
    _validate_minimum(net)
    day = local_date(start)
    overtime_request.start_at, overtime_request.end_at = start, end
    overtime_request.total_hours = total
    overtime_request.break_hours = break_total
    overtime_request.net_hours = net
    overtime_request.is_weekend = day.weekday() >= 5
    overtime_request.is_holiday = selectors.is_holiday(day)
    return ordered


def replace_breaks(overtime_request: OvertimeRequest, breaks: Sequence[BreakInput]) -> None:
    overtime_request.breaks.all().delete()
    OvertimeBreak.objects.bulk_create(
        OvertimeBreak(request=overtime_request, start_at=b.start_at, end_at=b.end_at, note=b.note)
        for b in breaks
    )
    rows_changed(OvertimeBreak)  # bulk_create sends no post_save


def breaks_snapshot(overtime_request: OvertimeRequest) -> list[dict]:
    return [
        {"start_at": b.start_at.isoformat(), "end_at": b.end_at.isoformat(), "note": b.note}
        for b in overtime_request.breaks.order_by("start_at")
    ]


def current_breaks(overtime_request: OvertimeRequest) -> list[BreakInput]:
    return [BreakInput(b.start_at, b.end_at, b.note) for b in overtime_request.breaks.all()]


def _describe_request(clash: OvertimeRequest) -> str:
    return (
        f"overtime request #{clash.pk} "
        f"({timezone.localtime(clash.start_at):%Y-%m-%d %H:%M}-"
        f"{timezone.localtime(clash.end_at):%H:%M}, {clash.status})"
    )


def check_no_overlap(overtime_request: OvertimeRequest) -> None:
    clash = selectors.overlapping_request(
        employee_id=overtime_request.employee_id,
        start=overtime_request.start_at,
        end=overtime_request.end_at,
        exclude_id=overtime_request.pk,
    )
    refuse_overlap(
        clash,
        describe=_describe_request,
        code="overlapping_request",
        field="start_at",
        conflicting_key="conflicting_request_id",
    )


def check_no_leave(overtime_request: OvertimeRequest) -> None:
    leave = selectors.approved_leave_overlapping(
        employee_id=overtime_request.employee_id,
        first=local_date(overtime_request.start_at),
        last=local_date(overtime_request.end_at),
    )
    if leave is not None:
        raise RuleViolation(
            f"The employee is on approved {leave.leave_type} leave from {leave.start_date} "
            f"to {leave.end_date}.",
            code="on_leave",
            field="start_at",
            leave_id=leave.pk,
        )

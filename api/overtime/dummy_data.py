"""Realistic fake overtime for demos and benchmarks (`generate_overtime_dummy N`).

Rows are built in memory and bulk-inserted in batches, so 100,000 requests take
seconds, not minutes. Hours are computed with the same arithmetic as the workflow.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.common.generations import rows_changed
from api.org.models import Employee, Project
from api.overtime.calculations import split_hours
from api.overtime.models import OvertimeBreak, OvertimeRequest, OvertimeStatus

REASONS = (
    "Month-end closing",
    "Production incident follow-up",
    "Release preparation",
    "Customer deadline",
    "Inventory count",
    "Server maintenance window",
    "Audit preparation",
    "Backlog clean-up",
)
# Weighted: most requests in a live system are decided.
STATUSES = (
    [OvertimeStatus.APPROVED] * 6
    + [OvertimeStatus.SUBMITTED] * 2
    + [OvertimeStatus.REJECTED, OvertimeStatus.DRAFT, OvertimeStatus.CANCELLED]
)


def generate_overtime_dummy(
    count: int, *, seed: int | None = None, days: int = 365, batch_size: int = 5000
) -> int:
    """Creates `count` requests spread over the last `days` days; returns how many."""
    rng = random.Random(seed)
    employees = list(Employee.objects.filter(is_active=True).values_list("id", "user_id"))
    if not employees:
        raise ValueError("No active employees: load generate_data/employees.json first.")
    projects = list(Project.objects.filter(is_active=True).values_list("id", flat=True)) or [None]
    fallback_user = (
        User.objects.filter(is_active=True)
        .order_by("-role", "id")
        .values_list("id", flat=True)
        .first()
    )
    if fallback_user is None:
        raise ValueError("No user to record as creator: run initialize_data first.")

    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    created = 0
    while created < count:
        size = min(batch_size, count - created)
        requests: list[OvertimeRequest] = []
        breaks: list[list[tuple[datetime, datetime]]] = []
        for _ in range(size):
            employee_id, user_id = rng.choice(employees)
            day = today - timedelta(days=rng.randrange(days))
            start = datetime.combine(day, time(17 + rng.randrange(3), rng.choice((0, 30))), tz)
            end = start + timedelta(minutes=rng.choice((60, 90, 120, 150, 180, 240)))
            request_breaks = []
            if end - start >= timedelta(hours=2) and rng.random() < 0.6:
                b_start = start + timedelta(minutes=60)
                request_breaks.append((b_start, b_start + timedelta(minutes=rng.choice((15, 30)))))
            total, break_total, net = split_hours(start, end, request_breaks)
            status = rng.choice(STATUSES)
            decided = {}
            if status == OvertimeStatus.APPROVED:
                decided = {"first_approved_by_id": fallback_user, "first_approved_at": end}
            elif status == OvertimeStatus.REJECTED:
                decided = {
                    "rejected_by_id": fallback_user,
                    "rejected_at": end,
                    "rejection_reason": "Not budgeted this month",
                }
            requests.append(
                OvertimeRequest(
                    employee_id=employee_id,
                    project_id=rng.choice(projects),
                    start_at=start,
                    end_at=end,
                    reason=rng.choice(REASONS),
                    status=status,
                    total_hours=total,
                    break_hours=break_total,
                    net_hours=net,
                    is_weekend=day.weekday() >= 5,
                    # The default week's category; holidays and tiers are not looked up.
                    day_category="rest_day" if day.weekday() >= 5 else "workday",
                    created_by_id=user_id or fallback_user,
                    submitted_at=None if status == OvertimeStatus.DRAFT else end,
                    **decided,
                )
            )
            breaks.append(request_breaks)
        with transaction.atomic():
            saved = OvertimeRequest.objects.bulk_create(requests)
            OvertimeBreak.objects.bulk_create(
                OvertimeBreak(request_id=request.pk, start_at=b_start, end_at=b_end)
                for request, request_breaks in zip(saved, breaks, strict=True)
                for b_start, b_end in request_breaks
            )
        created += size
    rows_changed(OvertimeRequest)  # bulk inserts send no post_save
    rows_changed(OvertimeBreak)
    return created

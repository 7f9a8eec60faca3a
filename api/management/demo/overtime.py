"""A history of overtime that could have happened.

Every request follows the workflow's order in time (created, submitted, first and
second decision, none of it after now), is decided only by someone the workflow would
let decide (the department's PTB admin or the superadmin, never its owner), needs the
second approval the regulation asks for, and stores the regulation check it passed.
Requests whose decision would lie in the future are still waiting for it.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.common.exceptions import RuleViolation
from api.common.generations import rows_changed
from api.management.demo.people import DemoPeople
from api.org.models import Employee, Project
from api.overtime.calculations import split_hours
from api.overtime.dummy_data import REASONS  # the same reasons as the load generator
from api.overtime.models import OvertimeBreak, OvertimeRequest, OvertimeStatus
from api.overtime.services import regulation_check
from api.overtime.services.terms import apply_day_terms

# What the requester meant to do with it; time then decides how far it got.
INTENTS = ["approve"] * 6 + ["reject", "draft", "cancel"]


def _minutes(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(minutes=rng.randrange(low, high))


def _decider(*, owner_ids: set[int], admin: User | None, superadmin: User) -> User:
    if admin is not None and admin.pk not in owner_ids:
        return admin
    return superadmin


def _timeline(request: OvertimeRequest, intent: str, rng: random.Random, now: datetime, **who):
    """Status and times from creation on, each step only if it is already past."""
    created = min(request.end_at + _minutes(rng, 10, 600), now - timedelta(minutes=5))
    request.created_at = request.updated_at = created
    if intent == "draft":
        return
    submitted = created + _minutes(rng, 1, 120)
    if submitted > now:
        return
    request.status, request.submitted_at = OvertimeStatus.SUBMITTED, submitted
    request.updated_at = submitted
    request.regulation_check["checked_at"] = submitted.isoformat()
    # Last week's requests still wait for a decision: what an admin opening the demo
    # finds in their queue.
    if intent == "approve" and request.end_at > now - timedelta(days=7):
        return
    decided = submitted + _minutes(rng, 30, 2880)
    if decided > now:
        return
    if intent == "cancel":
        request.status, request.cancelled_at, request.updated_at = (
            OvertimeStatus.CANCELLED,
            decided,
            decided,
        )
        return
    first: User = who["first"]
    if intent == "reject":
        request.status = OvertimeStatus.REJECTED
        request.rejected_by, request.rejected_at = first, decided
        request.rejection_reason = "Not budgeted this month"
        request.updated_at = decided
        return
    request.first_approved_by, request.first_approved_at = first, decided
    request.updated_at = decided
    if not request.requires_second_approval:
        request.status = OvertimeStatus.APPROVED
        return
    superadmin: User = who["superadmin"]
    if first.pk == superadmin.pk:  # a superadmin approving first is the second approver
        request.second_approved_by, request.second_approved_at = first, decided
        request.status = OvertimeStatus.APPROVED
        return
    request.status = OvertimeStatus.PENDING_SECOND_APPROVAL
    second = decided + _minutes(rng, 30, 1440)
    if second <= now:
        request.second_approved_by, request.second_approved_at = superadmin, second
        request.status, request.updated_at = OvertimeStatus.APPROVED, second


def _candidate(rng, employee: Employee, projects, days: int, tz) -> tuple[OvertimeRequest, list]:
    day = timezone.localdate() - timedelta(days=rng.randrange(days))
    start = datetime.combine(day, time(17 + rng.randrange(3), rng.choice((0, 30))), tz)
    end = start + timedelta(minutes=rng.choice((60, 90, 120, 150, 180, 240)))
    breaks = []
    if end - start >= timedelta(hours=2) and rng.random() < 0.6:
        b_start = start + timedelta(minutes=60)
        breaks.append((b_start, b_start + timedelta(minutes=rng.choice((15, 30)))))
    total, break_total, net = split_hours(start, end, breaks)
    request = OvertimeRequest(
        employee=employee,
        project_id=rng.choice(projects),
        start_at=start,
        end_at=end,
        reason=rng.choice(REASONS),
        status=OvertimeStatus.DRAFT,
        total_hours=total,
        break_hours=break_total,
        net_hours=net,
        is_weekend=day.weekday() >= 5,
    )
    return request, breaks


@transaction.atomic
def demo_overtime_create(people: DemoPeople, *, count: int, seed: int, days: int = 90) -> int:
    """`count` requests (fewer only if the regulation refuses candidate after candidate:
    one it refuses is dropped, as the workflow would have refused it)."""
    rng = random.Random(seed)  # noqa: S311 - demo history, not security
    employees = list(Employee.objects.filter(is_active=True).select_related("department"))
    if not employees:
        return 0
    projects = list(Project.objects.filter(is_active=True).values_list("id", flat=True)) or [None]
    tz = timezone.get_current_timezone()
    now = timezone.now()
    created: list[OvertimeRequest] = []
    for _ in range(count * 3):
        if len(created) == count:
            break
        employee = rng.choice(employees)
        admin = people.department_admins.get(employee.department_id)
        request, breaks = _candidate(rng, employee, projects, days, tz)
        # Entered by the person themself, or for them by their department's admin.
        request.created_by = employee.user or admin or people.superadmin
        owner_ids = {request.created_by.pk, employee.user_id}
        apply_day_terms(request)  # category, compensation, meal: as a create sets them
        try:
            request.regulation_check = regulation_check(request)
        except RuleViolation:
            continue  # the workflow would have refused it
        first = _decider(owner_ids=owner_ids, admin=admin, superadmin=people.superadmin)
        _timeline(
            request,
            rng.choice(INTENTS),
            rng,
            now,
            first=first,
            superadmin=people.superadmin,
        )
        # One by one: the next candidate's check must see this one's booked hours.
        stamps = (request.created_at, request.updated_at)
        (saved,) = OvertimeRequest.objects.bulk_create([request])
        saved.created_at, saved.updated_at = stamps  # the insert stamped "now" on them
        OvertimeBreak.objects.bulk_create(
            OvertimeBreak(request=saved, start_at=b_start, end_at=b_end)
            for b_start, b_end in breaks
        )
        created.append(saved)
    # auto_now(_add) wrote "now" on insert; the history's own times go in afterwards.
    OvertimeRequest.objects.bulk_update(created, ["created_at", "updated_at"])
    rows_changed(OvertimeRequest)  # bulk writes send no post_save
    rows_changed(OvertimeBreak)
    return len(created)

"""Writes of the overtime domain: the request workflow and its regulation checks.

    draft ──submit──▶ submitted ──approve──▶ approved
      │                  │  │                    ▲
      │                  │  └─approve (above threshold, by a department admin)
      │                  │          ▼            │
      │                  │   pending_second_approval ──approve (superadmin)──┘
      │                  └──reject──▶ rejected ◀──reject──┘
      └─cancel (owner, before any decision)──▶ cancelled ◀── submitted

Every transition locks the row, records who/when/why, writes the audit log and
notifies the people concerned once the transaction commits.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied, ValidationError

from api.accounts.permissions import user_can
from api.accounts.roles import Action, Resource
from api.accounts.selectors import user_department_id
from api.common.exceptions import InvalidTransition, RuleViolation
from api.common.generations import rows_changed
from api.notifications.models import NotificationKind
from api.notifications.selectors import department_admins, superadmins
from api.notifications.services import notifications_create
from api.org.models import Employee
from api.overtime import selectors
from api.overtime.calculations import split_hours
from api.overtime.models import (
    OvertimeBreak,
    OvertimeRegulation,
    OvertimeRequest,
    OvertimeStatus,
    RegulationScope,
)
from api.overtime.rules import LIMIT_FIELDS, PERIODS, limit_violations, periods_of
from api.system.audit import audit_record, diff, snapshot
from api.system.selectors import config_value

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
MAX_REQUEST_LENGTH = timedelta(hours=24)

# Which statuses each action may start from.
ALLOWED_FROM = {
    "edit": (OvertimeStatus.DRAFT,),
    "delete": (OvertimeStatus.DRAFT,),
    "submit": (OvertimeStatus.DRAFT,),
    "approve": (OvertimeStatus.SUBMITTED, OvertimeStatus.PENDING_SECOND_APPROVAL),
    "reject": (OvertimeStatus.SUBMITTED, OvertimeStatus.PENDING_SECOND_APPROVAL),
    "cancel": (OvertimeStatus.DRAFT, OvertimeStatus.SUBMITTED),
}


@dataclass(frozen=True, slots=True)
class BreakInput:
    start_at: datetime
    end_at: datetime
    note: str = ""


# ----------------------------------------------------------------------- setup


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


# ----------------------------------------------------------------------- helpers


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _require(request: OvertimeRequest, action: str) -> None:
    if request.status not in ALLOWED_FROM[action]:
        raise InvalidTransition(
            f"Cannot {action} an overtime request that is {request.status}.",
            current_status=request.status,
        )


def is_owner(user, request: OvertimeRequest) -> bool:
    return request.created_by_id == user.pk or request.employee.user_id == user.pk


def _require_owner_or_global_admin(user, request: OvertimeRequest, action: str) -> None:
    if not (is_owner(user, request) or user.is_global_admin):
        raise PermissionDenied(f"Only the owner of this request may {action} it.")


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
        raise ValidationError({"breaks": errors})
    return sorted(breaks, key=lambda pause: pause.start_at)


def _validate_times(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationError({"end_at": ["The end must be after the start."]})
    if end - start > MAX_REQUEST_LENGTH:
        raise ValidationError({"end_at": ["One overtime request cannot last more than 24 hours."]})


def _validate_minimum(net: Decimal) -> None:
    minimum = int(config_value("overtime-min-minutes", default=30))
    if net * 60 < minimum:
        raise ValidationError(
            {"end_at": [f"Overtime net of breaks must be at least {minimum} minutes."]}
        )


def _apply_times(
    request: OvertimeRequest, start: datetime, end: datetime, breaks: Sequence[BreakInput]
) -> list[BreakInput]:
    _validate_times(start, end)
    ordered = _validated_breaks(start, end, breaks)
    total, break_total, net = split_hours(start, end, [(b.start_at, b.end_at) for b in ordered])
    _validate_minimum(net)
    day = _local_date(start)
    request.start_at, request.end_at = start, end
    request.total_hours, request.break_hours, request.net_hours = total, break_total, net
    request.is_weekend = day.weekday() >= 5
    request.is_holiday = selectors.is_holiday(day)
    return ordered


def _replace_breaks(request: OvertimeRequest, breaks: Sequence[BreakInput]) -> None:
    request.breaks.all().delete()
    OvertimeBreak.objects.bulk_create(
        OvertimeBreak(request=request, start_at=b.start_at, end_at=b.end_at, note=b.note)
        for b in breaks
    )
    rows_changed(OvertimeBreak)  # bulk_create sends no post_save


def _breaks_snapshot(request: OvertimeRequest) -> list[dict]:
    return [
        {"start_at": b.start_at.isoformat(), "end_at": b.end_at.isoformat(), "note": b.note}
        for b in request.breaks.order_by("start_at")
    ]


def _check_no_overlap(request: OvertimeRequest) -> None:
    clash = selectors.overlapping_request(
        employee_id=request.employee_id,
        start=request.start_at,
        end=request.end_at,
        exclude_id=request.pk,
    )
    if clash is not None:
        raise RuleViolation(
            f"Overlaps overtime request #{clash.pk} "
            f"({timezone.localtime(clash.start_at):%Y-%m-%d %H:%M}-"
            f"{timezone.localtime(clash.end_at):%H:%M}, {clash.status}).",
            code="overlapping_request",
            field="start_at",
            conflicting_request_id=clash.pk,
        )


def _check_no_leave(request: OvertimeRequest) -> None:
    leave = selectors.approved_leave_overlapping(
        employee_id=request.employee_id,
        first=_local_date(request.start_at),
        last=_local_date(request.end_at),
    )
    if leave is not None:
        raise RuleViolation(
            f"The employee is on approved {leave.leave_type} leave from {leave.start_date} "
            f"to {leave.end_date}.",
            code="on_leave",
            field="start_at",
            leave_id=leave.pk,
        )


def regulation_check(request: OvertimeRequest) -> dict:
    """Checks the request against the regulation in force; raises on the first breach."""
    day = _local_date(request.start_at)
    regulation = selectors.regulation_in_force(department_id=request.employee.department_id, on=day)
    result: dict = {"checked_at": timezone.now().isoformat(), "date": day.isoformat()}
    if regulation is None:
        result["regulation_id"] = None
        return result
    periods = periods_of(day)
    booked = selectors.booked_hours(
        employee_id=request.employee_id, periods=periods, exclude_id=request.pk
    )
    limits = {name: getattr(regulation, LIMIT_FIELDS[name]) for name in PERIODS}
    violations = limit_violations(
        limits=limits, booked=booked, requested=request.net_hours, periods=periods
    )
    if violations:
        first = violations[0]
        raise RuleViolation(
            first.message(),
            code="regulation_limit_exceeded",
            regulation_id=regulation.pk,
            **first.as_dict(),
            violations=[violation.as_dict() for violation in violations],
        )
    request.regulation = regulation
    threshold = regulation.second_approval_threshold_hours
    request.requires_second_approval = threshold is not None and request.net_hours > threshold
    result.update(
        regulation_id=regulation.pk,
        limits={name: str(limits[name]) for name in PERIODS},
        booked={name: str(booked[name]) for name in PERIODS},
        requested=str(request.net_hours),
        second_approval_threshold=str(threshold) if threshold is not None else None,
    )
    return result


def _employee_for(*, user, employee: Employee | None) -> Employee:
    """Whose overtime this is: one's own, or (for admins) someone they approve for."""
    own = Employee.objects.filter(user_id=user.pk).first()
    if employee is None or (own is not None and employee.pk == own.pk):
        if own is None:
            raise ValidationError(
                {"employee": ["Your account has no employee record; name the employee."]}
            )
        return own
    if not employee.is_active:
        raise ValidationError({"employee": ["This employee is no longer active."]})
    may_file_for_others = user_can(user, Resource.OVERTIME_REQUESTS, Action.APPROVE) and (
        user.is_global_admin or user_department_id(user) == employee.department_id
    )
    if not may_file_for_others:
        raise PermissionDenied("You may only file overtime for yourself.")
    return employee


def _notify(recipients, kind: str, request: OvertimeRequest, title: str, by, message="") -> None:
    notifications_create(
        recipients=recipients,
        kind=kind,
        title=title,
        message=message,
        data={"resource": Resource.OVERTIME_REQUESTS, "id": request.pk, "status": request.status},
        actor=by,
    )


def _audited_save(request: OvertimeRequest, before: dict, action: str, by, **extra) -> None:
    request.save()
    changes = diff(before, snapshot(request)) | extra
    audit_record(user=by, action=action, instance=request, changes=changes)


# ----------------------------------------------------------------------- drafts


@transaction.atomic
def overtime_request_create(
    *,
    by,
    start_at: datetime,
    end_at: datetime,
    reason: str,
    employee: Employee | None = None,
    project=None,
    breaks: Sequence[BreakInput] = (),
    submit: bool = False,
) -> OvertimeRequest:
    request = OvertimeRequest(
        employee=_employee_for(user=by, employee=employee),
        project=project,
        reason=reason,
        created_by=by,
        status=OvertimeStatus.DRAFT,
    )
    ordered = _apply_times(request, start_at, end_at, breaks)
    _check_no_overlap(request)
    request.save()
    _replace_breaks(request, ordered)
    audit_record(
        user=by,
        action="create",
        instance=request,
        changes=snapshot(request) | {"breaks": _breaks_snapshot(request)},
    )
    if submit:
        return overtime_request_submit(request=request, by=by)
    return request


def _locked(request: OvertimeRequest) -> OvertimeRequest:
    return (
        OvertimeRequest.objects.select_for_update(of=("self",))
        .select_related("employee")
        .get(pk=request.pk)
    )


@transaction.atomic
def overtime_request_update(
    *,
    request: OvertimeRequest,
    by,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    reason: str | None = None,
    project=...,
    breaks: Sequence[BreakInput] | None = None,
) -> OvertimeRequest:
    """Edits a draft. Omitted arguments keep their value; `breaks` replaces all breaks."""
    request = _locked(request)
    _require_owner_or_global_admin(by, request, "edit")
    _require(request, "edit")
    before = snapshot(request) | {"breaks": _breaks_snapshot(request)}
    if reason is not None:
        request.reason = reason
    if project is not ...:
        request.project = project
    if breaks is None:
        breaks = [BreakInput(b.start_at, b.end_at, b.note) for b in request.breaks.all()]
    ordered = _apply_times(request, start_at or request.start_at, end_at or request.end_at, breaks)
    _check_no_overlap(request)
    request.save()
    _replace_breaks(request, ordered)
    changes = diff(before, snapshot(request) | {"breaks": _breaks_snapshot(request)})
    if changes:
        audit_record(user=by, action="update", instance=request, changes=changes)
    return request


@transaction.atomic
def overtime_request_delete(*, request: OvertimeRequest, by) -> None:
    request = _locked(request)
    _require_owner_or_global_admin(by, request, "delete")
    _require(request, "delete")
    audit_record(user=by, action="delete", instance=request, changes=snapshot(request))
    request.delete()


# ----------------------------------------------------------------------- workflow


@transaction.atomic
def overtime_request_submit(*, request: OvertimeRequest, by) -> OvertimeRequest:
    request = _locked(request)
    if not is_owner(by, request):
        raise PermissionDenied("Only the owner of this request may submit it.")
    _require(request, "submit")
    # One submit at a time per employee, so two requests cannot both fit the last
    # free hours of a limit.
    Employee.objects.select_for_update().filter(pk=request.employee_id).first()
    before = snapshot(request)
    _check_no_overlap(request)
    _check_no_leave(request)
    request.regulation_check = regulation_check(request)
    request.status = OvertimeStatus.SUBMITTED
    request.submitted_at = timezone.now()
    _audited_save(request, before, "submit", by)
    _notify(
        department_admins(department_id=request.employee.department_id),
        NotificationKind.OVERTIME_SUBMITTED,
        request,
        f"Overtime to approve: {request.employee.full_name}, {request.net_hours} h",
        by,
    )
    return request


def _require_decider(by, request: OvertimeRequest) -> None:
    if not user_can(by, Resource.OVERTIME_REQUESTS, Action.APPROVE):
        raise PermissionDenied("Your permissions do not allow deciding overtime.")
    if is_owner(by, request):
        raise PermissionDenied("Nobody decides on their own overtime.")
    if not by.is_global_admin and user_department_id(by) != request.employee.department_id:
        raise PermissionDenied("You decide only on overtime of your own department.")


@transaction.atomic
def overtime_request_approve(*, request: OvertimeRequest, by, note: str = "") -> OvertimeRequest:
    request = _locked(request)
    _require(request, "approve")
    _require_decider(by, request)
    before = snapshot(request)
    now = timezone.now()
    owner = request.employee.user

    if request.status == OvertimeStatus.PENDING_SECOND_APPROVAL:
        if not by.is_global_admin:
            raise PermissionDenied("The second approval needs a superadmin.")
        if request.first_approved_by_id == by.pk:
            raise PermissionDenied("The second approval needs a different person.")
        request.second_approved_by, request.second_approved_at = by, now
        request.second_approval_note = note
        request.status = OvertimeStatus.APPROVED
    else:
        request.first_approved_by, request.first_approved_at = by, now
        request.first_approval_note = note
        if request.requires_second_approval and not by.is_global_admin:
            request.status = OvertimeStatus.PENDING_SECOND_APPROVAL
        else:
            if request.requires_second_approval:
                # A superadmin approving first is the superadmin the rule asks for.
                request.second_approved_by, request.second_approved_at = by, now
                request.second_approval_note = note
            request.status = OvertimeStatus.APPROVED
    _audited_save(request, before, "approve", by)

    if request.status == OvertimeStatus.PENDING_SECOND_APPROVAL:
        _notify(
            superadmins(),
            NotificationKind.OVERTIME_SECOND_APPROVAL,
            request,
            f"Second approval needed: {request.employee.full_name}, {request.net_hours} h",
            by,
        )
    else:
        _notify(
            [owner],
            NotificationKind.OVERTIME_APPROVED,
            request,
            f"Overtime approved: {timezone.localtime(request.start_at):%Y-%m-%d}",
            by,
            message=note,
        )
    return request


@transaction.atomic
def overtime_request_reject(*, request: OvertimeRequest, by, reason: str) -> OvertimeRequest:
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the request is rejected."]})
    request = _locked(request)
    _require(request, "reject")
    _require_decider(by, request)
    if request.status == OvertimeStatus.PENDING_SECOND_APPROVAL and not by.is_global_admin:
        raise PermissionDenied("At this stage only a superadmin decides.")
    before = snapshot(request)
    request.status = OvertimeStatus.REJECTED
    request.rejected_by, request.rejected_at = by, timezone.now()
    request.rejection_reason = reason.strip()
    _audited_save(request, before, "reject", by)
    _notify(
        [request.employee.user],
        NotificationKind.OVERTIME_REJECTED,
        request,
        f"Overtime rejected: {timezone.localtime(request.start_at):%Y-%m-%d}",
        by,
        message=request.rejection_reason,
    )
    return request


@transaction.atomic
def overtime_request_cancel(*, request: OvertimeRequest, by) -> OvertimeRequest:
    request = _locked(request)
    if not is_owner(by, request):
        raise PermissionDenied("Only the owner of this request may cancel it.")
    _require(request, "cancel")
    before = snapshot(request)
    request.status = OvertimeStatus.CANCELLED
    request.cancelled_at = timezone.now()
    _audited_save(request, before, "cancel", by)
    return request


# ----------------------------------------------------------------------- documents


@transaction.atomic
def regulation_document_upload(
    *, regulation: OvertimeRegulation, title: str, version: str, upload, by
):
    from api.common.uploads import DOCUMENT_TYPES, safe_name, validated_upload
    from api.overtime.models import OvertimeRegulationDocument

    content_type, size = validated_upload(upload, field="file", allowed=DOCUMENT_TYPES)
    if OvertimeRegulationDocument.objects.filter(regulation=regulation, version=version).exists():
        raise ValidationError({"version": [f"Version {version} of this regulation exists."]})
    document = OvertimeRegulationDocument(
        regulation=regulation,
        title=title,
        version=version,
        original_name=safe_name(upload.name),
        content_type=content_type,
        size_bytes=size,
        uploaded_by=by,
    )
    document.file.save(safe_name(upload.name), upload, save=False)
    document.save()
    audit_record(user=by, action="create", instance=document, changes=snapshot(document))
    return document

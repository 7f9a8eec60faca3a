"""Drafts: creating, editing and deleting an overtime request before it is submitted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from api.accounts.models import User
from api.audit.trail import audit_record, diff, snapshot
from api.org.models import Employee
from api.overtime.models import OvertimeRequest, OvertimeStatus
from api.overtime.services.guards import (
    employee_for,
    locked,
    require_owner_or_global_admin,
    require_status,
)
from api.overtime.services.terms import apply_day_terms
from api.overtime.services.times import (
    BreakInput,
    apply_times,
    breaks_snapshot,
    check_no_overlap,
    current_breaks,
    replace_breaks,
)
from api.overtime.services.workflow import overtime_request_submit


@transaction.atomic
def overtime_request_create(
    *,
    by: User,
    start_at: datetime,
    end_at: datetime,
    reason: str,
    employee: Employee | None = None,
    project=None,
    breaks: Sequence[BreakInput] = (),
    submit: bool = False,
) -> OvertimeRequest:
    overtime_request = OvertimeRequest(
        employee=employee_for(user=by, employee=employee),
        project=project,
        reason=reason,
        created_by=by,
        status=OvertimeStatus.DRAFT,
    )
    ordered = apply_times(overtime_request, start_at, end_at, breaks)
    apply_day_terms(overtime_request)
    check_no_overlap(overtime_request)
    overtime_request.save()
    replace_breaks(overtime_request, ordered)
    audit_record(
        user=by,
        action="create",
        instance=overtime_request,
        changes=snapshot(overtime_request) | {"breaks": breaks_snapshot(overtime_request)},
    )
    if submit:
        return overtime_request_submit(overtime_request=overtime_request, by=by)
    return overtime_request


@transaction.atomic
def overtime_request_update(
    *,
    overtime_request: OvertimeRequest,
    by: User,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    reason: str | None = None,
    project=...,
    breaks: Sequence[BreakInput] | None = None,
) -> OvertimeRequest:
    """Edits a draft. Omitted arguments keep their value; `breaks` replaces all breaks."""
    overtime_request = locked(overtime_request)
    require_owner_or_global_admin(by, overtime_request, "edit")
    require_status(overtime_request, "edit")
    before = snapshot(overtime_request) | {"breaks": breaks_snapshot(overtime_request)}
    if reason is not None:
        overtime_request.reason = reason
    if project is not ...:
        overtime_request.project = project
    if breaks is None:
        breaks = current_breaks(overtime_request)
    ordered = apply_times(
        overtime_request,
        start_at or overtime_request.start_at,
        end_at or overtime_request.end_at,
        breaks,
    )
    apply_day_terms(overtime_request)
    check_no_overlap(overtime_request)
    overtime_request.save()
    replace_breaks(overtime_request, ordered)
    after = snapshot(overtime_request) | {"breaks": breaks_snapshot(overtime_request)}
    changes = diff(before, after)
    if changes:
        audit_record(user=by, action="update", instance=overtime_request, changes=changes)
    return overtime_request


@transaction.atomic
def overtime_request_delete(*, overtime_request: OvertimeRequest, by: User) -> None:
    overtime_request = locked(overtime_request)
    require_owner_or_global_admin(by, overtime_request, "delete")
    require_status(overtime_request, "delete")
    audit_record(
        user=by, action="delete", instance=overtime_request, changes=snapshot(overtime_request)
    )
    overtime_request.delete()

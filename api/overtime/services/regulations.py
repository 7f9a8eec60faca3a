"""Regulations: the default one a new install needs, the check of a request against
the one in force, and the versioned documents that state them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.audit.trail import audit_record, snapshot
from api.common.exceptions import InvalidInput, RuleViolation
from api.common.uploads import DOCUMENT_TYPES, safe_name, validated_upload
from api.overtime import selectors
from api.overtime.models import (
    OvertimeRegulation,
    OvertimeRegulationDocument,
    OvertimeRequest,
    RegulationScope,
)
from api.overtime.rules import LIMIT_FIELDS, PERIODS, limit_violations, periods_of
from api.overtime.services.times import local_date

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


def regulation_check(overtime_request: OvertimeRequest) -> dict:
    """Checks the request against the regulation in force; raises on the first breach."""
    day = local_date(overtime_request.start_at)
    regulation = selectors.regulation_in_force(
        department_id=overtime_request.employee.department_id, on=day
    )
    result: dict = {"checked_at": timezone.now().isoformat(), "date": day.isoformat()}
    if regulation is None:
        result["regulation_id"] = None
        return result
    periods = periods_of(day)
    # Rest-day and holiday hours stay out of the daily and weekly limits unless the
    # regulation says they count, both for what is booked and for this request.
    booked = selectors.booked_hours(
        employee_id=overtime_request.employee_id,
        periods=periods,
        exclude_id=overtime_request.pk,
        regulation=regulation,
    )
    limits = {name: getattr(regulation, LIMIT_FIELDS[name]) for name in PERIODS}
    violations = limit_violations(
        limits=limits,
        booked=booked,
        requested=overtime_request.net_hours,
        periods=periods,
        counts=selectors.counts_toward_limits_on(
            employee=overtime_request.employee, regulation=regulation, day=day
        ),
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
    overtime_request.regulation = regulation
    threshold = regulation.second_approval_threshold_hours
    overtime_request.requires_second_approval = (
        threshold is not None and overtime_request.net_hours > threshold
    )
    result.update(
        regulation_id=regulation.pk,
        limits={name: str(limits[name]) for name in PERIODS},
        booked={name: str(booked[name]) for name in PERIODS},
        requested=str(overtime_request.net_hours),
        second_approval_threshold=str(threshold) if threshold is not None else None,
    )
    return result


@transaction.atomic
def regulation_document_upload(
    *, regulation: OvertimeRegulation, title: str, version: str, upload, by: User
) -> OvertimeRegulationDocument:
    content_type, size = validated_upload(upload, field="file", allowed=DOCUMENT_TYPES)
    if OvertimeRegulationDocument.objects.filter(regulation=regulation, version=version).exists():
        raise InvalidInput({"version": [f"Version {version} of this regulation exists."]})
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

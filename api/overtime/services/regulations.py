"""Regulations: the default one a new install needs, the check of a request against
the one in force, and the versioned documents that state them."""

from __future__ import annotations

from dataclasses import dataclass
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
from api.overtime.rules import (
    LIMIT_FIELDS,
    PERIODS,
    LimitViolation,
    limit_violations,
    needs_second_approval,
    periods_of,
)
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


@dataclass(frozen=True, slots=True)
class RegulationReview:
    """What the regulation in force says of a request: the summary kept on it at
    submit (`result`) and the limits it would exceed (empty when it fits)."""

    regulation: OvertimeRegulation | None
    result: dict
    violations: list[LimitViolation]


def regulation_review(overtime_request: OvertimeRequest) -> RegulationReview:
    """Reviews the request against the regulation in force; writes nothing."""
    day = local_date(overtime_request.start_at)
    regulation = selectors.regulation_in_force(
        department_id=overtime_request.employee.department_id, on=day
    )
    result: dict = {"checked_at": timezone.now().isoformat(), "date": day.isoformat()}
    if regulation is None:
        result["regulation_id"] = None
        return RegulationReview(None, result, [])
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
    threshold = regulation.second_approval_threshold_hours
    result.update(
        regulation_id=regulation.pk,
        limits={name: str(limits[name]) for name in PERIODS},
        booked={name: str(booked[name]) for name in PERIODS},
        requested=str(overtime_request.net_hours),
        second_approval_threshold=str(threshold) if threshold is not None else None,
    )
    return RegulationReview(regulation, result, violations)


def regulation_violation(review: RegulationReview) -> RuleViolation:
    """The error a submit refuses an exceeded limit with: the first one described,
    every one listed in `violations`."""
    first = review.violations[0]
    return RuleViolation(
        first.message(),
        code="regulation_limit_exceeded",
        field="end_at",
        regulation_id=review.regulation.pk,
        **first.as_dict(),
        violations=[violation.as_dict() for violation in review.violations],
    )


def regulation_check(overtime_request: OvertimeRequest) -> dict:
    """Checks the request against the regulation in force; raises on a breach."""
    review = regulation_review(overtime_request)
    if review.violations:
        raise regulation_violation(review)
    if review.regulation is not None:
        overtime_request.regulation = review.regulation
        overtime_request.requires_second_approval = needs_second_approval(
            overtime_request.net_hours, review.regulation.second_approval_threshold_hours
        )
    return review.result


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

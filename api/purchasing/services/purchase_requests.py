"""Writes of purchase requests: the workflow, numbering and totals.

    draft ──submit──▶ submitted ──approve──▶ approved ──mark-ordered──▶ ordered
      │                 │  └──reject──▶ rejected                          │
      └──cancel─────────┴──▶ cancelled                        mark-received
                                                                         ▼
                                                                      received

The requester drafts, submits and cancels; the department's admins (or a global
admin) decide, and then record the order and the delivery. Every transition locks
the row, writes the audit log and tells the people concerned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.accounts.models import User
from api.accounts.permissions import user_can
from api.accounts.roles import Action, Resource
from api.accounts.selectors import department_admins, user_department_id
from api.audit.trail import audit_record, diff, snapshot
from api.common.exceptions import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    RuleViolation,
)
from api.notifications.models import NotificationKind
from api.notifications.services import notification_data, notifications_create
from api.purchasing import selectors
from api.purchasing.models import PurchaseRequest, PurchaseStatus

S = PurchaseStatus
ALLOWED_FROM = {
    "edit": (S.DRAFT,),
    "delete": (S.DRAFT,),
    "submit": (S.DRAFT,),
    "approve": (S.SUBMITTED,),
    "reject": (S.SUBMITTED,),
    "mark as ordered": (S.APPROVED,),
    "mark as received": (S.ORDERED,),
    "cancel": (S.DRAFT, S.SUBMITTED),
}
CENT = Decimal("0.01")
MILLI = Decimal("0.001")  # quantities may be fractional (2.5 m of cable), to 3 places
# The largest amount PurchaseRequest.total_amount holds (14 digits, 2 of them decimals).
MAX_TOTAL = Decimal("999999999999.99")
# Concurrent creators can race for the same number; each loss costs one more attempt.
NUMBER_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class PurchaseItem:
    name: str
    quantity: Decimal
    unit_price: Decimal
    note: str = ""

    def as_json(self) -> dict[str, str]:
        """Decimals as fixed-point strings (as the API shows them), so they stay exact."""
        return {
            "name": self.name,
            "quantity": str(self.quantity.quantize(MILLI)),
            "unit_price": str(self.unit_price.quantize(CENT)),
            "note": self.note,
        }


def items_total(items: Sequence[PurchaseItem]) -> Decimal:
    """Sum of quantity x unit price, rounded once at the end (half up) to cents."""
    exact = sum((item.quantity * item.unit_price for item in items), Decimal("0"))
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def _apply_items(purchase: PurchaseRequest, items: Sequence[PurchaseItem]) -> None:
    total = items_total(items)
    if total > MAX_TOTAL:
        raise RuleViolation(
            f"The total {total} exceeds the largest amount a request can hold ({MAX_TOTAL}).",
            code="total_too_large",
            field="items",
        )
    purchase.items = [item.as_json() for item in items]
    purchase.total_amount = total


def _save_with_next_number(purchase: PurchaseRequest) -> None:
    """Numbers the request PR-<year>-<NNNN> (the year's next) and inserts it.

    Two creators may count the same next number; the unique index lets one insert
    win and the other (whose insert waited for the winner's commit) counts again.
    The savepoint keeps the caller's transaction usable after a lost race.
    """
    prefix = f"PR-{timezone.localdate().year}-"
    for _ in range(NUMBER_ATTEMPTS):
        purchase.number = f"{prefix}{selectors.last_purchase_sequence(prefix=prefix) + 1:04d}"
        try:
            with transaction.atomic():
                purchase.save()
            return
        except IntegrityError:
            if not PurchaseRequest.objects.filter(number=purchase.number).exists():
                raise
    raise Conflict("Too many requests numbered at once; try again.", code="number_contention")


def _require(purchase: PurchaseRequest, action: str) -> None:
    if purchase.status not in ALLOWED_FROM[action]:
        raise InvalidTransition(
            f"Cannot {action} a purchase request that is {purchase.status}.",
            current_status=purchase.status,
        )


def _is_requester(user: User, purchase: PurchaseRequest) -> bool:
    return purchase.requester_id == user.pk


def _require_requester(
    user: User, purchase: PurchaseRequest, action: str, *, or_global=False
) -> None:
    if _is_requester(user, purchase) or (or_global and user.is_global_admin):
        return
    raise NotAllowed(f"Only the requester may {action} this purchase request.")


def _manages(user: User, purchase: PurchaseRequest) -> bool:
    """The department's admins and global admins handle its purchases."""
    return user_can(user, Resource.PURCHASE_REQUESTS, Action.APPROVE) and (
        user.is_global_admin or user_department_id(user) == purchase.department_id
    )


def _require_manager(user: User, purchase: PurchaseRequest) -> None:
    if not _manages(user, purchase):
        raise NotAllowed("You handle only purchase requests of your own department.")


def _locked(purchase: PurchaseRequest) -> PurchaseRequest:
    return (
        PurchaseRequest.objects.select_for_update(of=("self",))
        .select_related("requester")
        .get(pk=purchase.pk)
    )


def _notify(
    recipients, kind: str, purchase: PurchaseRequest, title: str, by: User, message=""
) -> None:
    notifications_create(
        recipients=recipients,
        kind=kind,
        title=f"{title}: {purchase.number} {purchase.title}",
        message=message,
        data=notification_data(
            Resource.PURCHASE_REQUESTS, purchase.pk, number=purchase.number, status=purchase.status
        ),
        actor=by,
    )


def _audited_save(purchase: PurchaseRequest, before: dict, action: str, by: User) -> None:
    purchase.full_clean(exclude=("number",))
    purchase.save()
    audit_record(
        user=by, action=action, instance=purchase, changes=diff(before, snapshot(purchase))
    )


# ----------------------------------------------------------------------- drafts


@transaction.atomic
def purchase_request_create(
    *,
    by: User,
    title: str,
    items: Sequence[PurchaseItem],
    description: str = "",
    currency: str | None = None,
    needed_by: date | None = None,
) -> PurchaseRequest:
    """A draft of the requester's department; number and total are computed here."""
    department_id = user_department_id(by)
    if department_id is None:
        raise RuleViolation(
            "Your account has no employee record, so the request would have no department.",
            code="no_department",
        )
    purchase = PurchaseRequest(
        title=title,
        description=description,
        requester=by,
        department_id=department_id,
        currency=currency or settings.DEFAULT_CURRENCY,
        needed_by=needed_by,
        status=S.DRAFT,
    )
    _apply_items(purchase, items)
    purchase.full_clean(exclude=("number",))
    _save_with_next_number(purchase)
    audit_record(user=by, action="create", instance=purchase, changes=snapshot(purchase))
    return purchase


@transaction.atomic
def purchase_request_update(
    *,
    purchase: PurchaseRequest,
    by: User,
    items: Sequence[PurchaseItem] | None = None,
    **fields: Any,
) -> PurchaseRequest:
    """Edits a draft; `fields` holds any of title, description, currency, needed_by, and
    `items` replaces the whole list (the total follows)."""
    purchase = _locked(purchase)
    _require_requester(by, purchase, "edit", or_global=True)
    _require(purchase, "edit")
    before = snapshot(purchase)
    for name, value in fields.items():
        setattr(purchase, name, value)
    if items is not None:
        _apply_items(purchase, items)
    purchase.full_clean(exclude=("number",))
    purchase.save()
    if changes := diff(before, snapshot(purchase)):
        audit_record(user=by, action="update", instance=purchase, changes=changes)
    return purchase


@transaction.atomic
def purchase_request_delete(*, purchase: PurchaseRequest, by: User) -> None:
    purchase = _locked(purchase)
    _require_requester(by, purchase, "delete", or_global=True)
    _require(purchase, "delete")
    audit_record(user=by, action="delete", instance=purchase, changes=snapshot(purchase))
    purchase.delete()


# ----------------------------------------------------------------------- workflow


@transaction.atomic
def purchase_request_submit(*, purchase: PurchaseRequest, by: User) -> PurchaseRequest:
    purchase = _locked(purchase)
    _require_requester(by, purchase, "submit")
    _require(purchase, "submit")
    before = snapshot(purchase)
    purchase.status = S.SUBMITTED
    _audited_save(purchase, before, "submit", by)
    _notify(
        department_admins(department_id=purchase.department_id),
        NotificationKind.PURCHASE_SUBMITTED,
        purchase,
        "Purchase request to approve",
        by,
        message=f"{purchase.total_amount} {purchase.currency}",
    )
    return purchase


def _decide(purchase: PurchaseRequest, *, by: User, approved: bool, note: str) -> PurchaseRequest:
    if _is_requester(by, purchase):
        raise NotAllowed("Nobody decides on their own purchase request.")
    _require_manager(by, purchase)
    before = snapshot(purchase)
    purchase.status = S.APPROVED if approved else S.REJECTED
    purchase.decided_by, purchase.decided_at, purchase.decision_note = by, timezone.now(), note
    _audited_save(purchase, before, "approve" if approved else "reject", by)
    _notify(
        [purchase.requester],
        NotificationKind.PURCHASE_DECIDED,
        purchase,
        f"Purchase request {purchase.status}",
        by,
        message=note,
    )
    return purchase


@transaction.atomic
def purchase_request_approve(
    *, purchase: PurchaseRequest, by: User, note: str = ""
) -> PurchaseRequest:
    purchase = _locked(purchase)
    _require(purchase, "approve")
    return _decide(purchase, by=by, approved=True, note=note.strip())


@transaction.atomic
def purchase_request_reject(*, purchase: PurchaseRequest, by: User, reason: str) -> PurchaseRequest:
    if not reason.strip():
        raise InvalidInput({"reason": ["Say why the purchase request is rejected."]})
    purchase = _locked(purchase)
    _require(purchase, "reject")
    return _decide(purchase, by=by, approved=False, note=reason.strip())


def _advance(purchase: PurchaseRequest, *, by: User, action: str, to: str) -> PurchaseRequest:
    """Ordering and receiving are the department's purchasing steps, not decisions, so
    an admin may record them on their own request too."""
    purchase = _locked(purchase)
    _require(purchase, action)
    _require_manager(by, purchase)
    before = snapshot(purchase)
    purchase.status = to
    _audited_save(purchase, before, f"mark_{to}", by)
    _notify(
        [purchase.requester],
        NotificationKind.PURCHASE_DECIDED,
        purchase,
        f"Purchase request {to}",
        by,
    )
    return purchase


@transaction.atomic
def purchase_request_mark_ordered(*, purchase: PurchaseRequest, by: User) -> PurchaseRequest:
    return _advance(purchase, by=by, action="mark as ordered", to=S.ORDERED)


@transaction.atomic
def purchase_request_mark_received(*, purchase: PurchaseRequest, by: User) -> PurchaseRequest:
    return _advance(purchase, by=by, action="mark as received", to=S.RECEIVED)


@transaction.atomic
def purchase_request_cancel(*, purchase: PurchaseRequest, by: User) -> PurchaseRequest:
    purchase = _locked(purchase)
    _require_requester(by, purchase, "cancel")
    _require(purchase, "cancel")
    before = snapshot(purchase)
    purchase.status = S.CANCELLED
    _audited_save(purchase, before, "cancel", by)
    if before["status"] == S.SUBMITTED:
        _notify(
            department_admins(department_id=purchase.department_id),
            NotificationKind.PURCHASE_WITHDRAWN,
            purchase,
            "Purchase request withdrawn",
            by,
        )
    return purchase

"""Purchase requests in every state and a few assets, through the purchasing services.

Department admins request for their department and the superadmin decides (nobody
decides their own request); the admin then records the order and the delivery, and
the delivered goods become an asset handed to a colleague. In ENG the SSO demo
employee's requests go to demo.admin: one approved, one waiting, one withdrawn.
Every submit and decision notifies whom the workflow notifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.management.demo.actors import DepartmentCrew, colleagues, department_crews, superadmin
from api.management.demo.people import DemoPeople
from api.org.models import Employee
from api.purchasing.models import Asset, AssetStatus, PurchaseRequest, PurchaseStatus
from api.purchasing.services import (
    PurchaseItem,
    asset_create,
    purchase_request_approve,
    purchase_request_cancel,
    purchase_request_create,
    purchase_request_mark_ordered,
    purchase_request_mark_received,
    purchase_request_reject,
    purchase_request_submit,
)

S = PurchaseStatus


@dataclass(frozen=True)
class PurchasePlan:
    title: str
    items: tuple[tuple[str, str, str], ...]  # name, quantity, unit price
    status: str  # how far the workflow got


ADMIN_PLANS = (
    PurchasePlan("Replacement laptops", (("Laptop 14 inch", "2", "15500000"),), S.RECEIVED),
    PurchasePlan("Printer toner", (("Toner cartridge", "6", "850000"),), S.REJECTED),
    PurchasePlan(
        "Conference room headsets",
        (("Wireless headset", "4", "1200000"), ("USB hub", "2", "350000")),
        S.DRAFT,
    ),
)
STAFF_PLANS = (
    PurchasePlan("Ergonomic chair", (("Office chair", "1", "3200000"),), S.ORDERED),
    PurchasePlan("Docking station", (("USB-C dock", "1", "2400000"),), S.SUBMITTED),
    PurchasePlan("Whiteboard markers", (("Marker set", "3", "45000"),), S.CANCELLED),
)


def _items(plan: PurchasePlan) -> list[PurchaseItem]:
    return [
        PurchaseItem(name=name, quantity=Decimal(quantity), unit_price=Decimal(price))
        for name, quantity, price in plan.items
    ]


def _request(plan: PurchasePlan, *, by: User, decider: User, handler: User) -> PurchaseRequest:
    """Walks the request through the workflow as far as the plan says."""
    purchase = purchase_request_create(
        by=by,
        title=plan.title,
        items=_items(plan),
        description=f"{plan.title} for the team.",
        needed_by=timezone.localdate() + timedelta(days=30),
    )
    if plan.status == S.DRAFT:
        return purchase
    purchase = purchase_request_submit(purchase=purchase, by=by)
    if plan.status == S.CANCELLED:
        return purchase_request_cancel(purchase=purchase, by=by)
    if plan.status == S.SUBMITTED:
        return purchase
    if plan.status == S.REJECTED:
        return purchase_request_reject(purchase=purchase, by=decider, reason="Use central stock")
    purchase = purchase_request_approve(purchase=purchase, by=decider, note="Within budget")
    if plan.status == S.APPROVED:
        return purchase
    purchase = purchase_request_mark_ordered(purchase=purchase, by=handler)
    if plan.status == S.ORDERED:
        return purchase
    return purchase_request_mark_received(purchase=purchase, by=handler)


def _assets(crew: DepartmentCrew, received: PurchaseRequest | None) -> int:
    code = crew.department.code
    own = Employee.objects.filter(user__in=[crew.admin, crew.staff]).order_by("employee_code")
    holder = next(iter(own.filter(user=crew.staff)), None) or next(
        iter(colleagues(crew.department, without={e.pk for e in own})), None
    )
    today = timezone.localdate()
    laptop = {
        "asset_tag": f"{code}-LAP-001",
        "serial_number": f"SN-{code}-LAP-001",
        "name": "Laptop 14 inch",
        "category": "Laptop",
        "assigned_to": holder,
        "purchase_request": received,
        "purchase_date": today,
        "purchase_cost": Decimal("15500000"),
        "warranty_until": today + timedelta(days=3 * 365),
    }
    if holder is None:
        laptop["status"] = AssetStatus.IN_STOCK
    asset_create(by=crew.admin, data=laptop)
    asset_create(
        by=crew.admin,
        data={
            "asset_tag": f"{code}-PRJ-001",
            "name": "Meeting room projector",
            "category": "Projector",
            "notes": "Kept in the meeting room cabinet.",
        },
    )
    return 2


def _department_requests(crew: DepartmentCrew, superadmin: User) -> PurchaseRequest | None:
    """The department's requests; returns the delivered one (its goods become an asset)."""
    received = None
    for plan in ADMIN_PLANS:
        purchase = _request(plan, by=crew.admin, decider=superadmin, handler=crew.admin)
        if purchase.status == S.RECEIVED:
            received = purchase
    if crew.staff is not None:
        for plan in STAFF_PLANS:
            _request(plan, by=crew.staff, decider=crew.admin, handler=crew.admin)
    return received


@transaction.atomic
def demo_purchasing_create(people: DemoPeople) -> dict[str, int]:
    """Requests and assets, if there are none of either yet."""
    counts = {"purchase_requests": 0, "assets": 0}
    if PurchaseRequest.objects.exists():
        return counts
    with_assets = not Asset.objects.exists()
    admin = superadmin(people)
    for crew in department_crews(people):
        received = _department_requests(crew, admin)
        if with_assets:
            counts["assets"] += _assets(crew, received)
    counts["purchase_requests"] = PurchaseRequest.objects.count()
    return counts

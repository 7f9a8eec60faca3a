"""Factories for the purchasing domain's models (keyword arguments override defaults)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from api.purchasing.models import Asset, PurchaseRequest
from tests.factories import make_department, make_user

_sequence = itertools.count(1)


def make_purchase_request(**fields) -> PurchaseRequest:
    """A request as the database holds it; its number sits outside the PR-<year>- series."""
    n = next(_sequence)
    fields.setdefault("number", f"TEST-{n:05d}")
    fields.setdefault("title", f"Purchase {n}")
    if "requester" not in fields:
        fields["requester"] = make_user()
    if "department" not in fields:
        employee = getattr(fields["requester"], "employee", None)
        fields["department"] = employee.department if employee else make_department()
    fields.setdefault(
        "items", [{"name": "Cable", "quantity": "1.000", "unit_price": "10.00", "note": ""}]
    )
    fields.setdefault("total_amount", Decimal("10.00"))
    return PurchaseRequest.objects.create(**fields)


def make_asset(**fields) -> Asset:
    n = next(_sequence)
    fields.setdefault("asset_tag", f"AT-{n:05d}")
    fields.setdefault("name", f"Laptop {n}")
    return Asset.objects.create(**fields)

"""Reads of the purchasing domain, each scoped to what the asking user may see."""

from __future__ import annotations

from django.db.models import IntegerField, Max, Q, QuerySet
from django.db.models.functions import Cast, Substr

from api.accounts.roles import Role
from api.accounts.selectors import user_department_id
from api.purchasing.models import Asset, PurchaseRequest


def purchase_requests_visible_to(*, user) -> QuerySet[PurchaseRequest]:
    """Own requests for everyone; the department's for its admins; all for global admins."""
    queryset = PurchaseRequest.objects.select_related("requester", "department", "decided_by")
    if user.is_global_admin:
        return queryset
    own = Q(requester_id=user.pk)
    if user.role == Role.PTB_ADMIN and (department_id := user_department_id(user)):
        return queryset.filter(own | Q(department_id=department_id))
    return queryset.filter(own)


def assets_visible_to(*, user) -> QuerySet[Asset]:
    """Global admins see every asset; everyone else their department's and those they hold.

    Unassigned stock without a department is a global admin's inventory.
    """
    queryset = Asset.objects.select_related(
        "assigned_to__department", "department", "purchase_request"
    )
    if user.is_global_admin:
        return queryset
    scope = Q(assigned_to__user_id=user.pk)
    if department_id := user_department_id(user):
        scope |= Q(department_id=department_id)
    return queryset.filter(scope)


def last_purchase_sequence(*, prefix: str) -> int:
    """The highest sequence number used after `prefix` (numbers are `<prefix><digits>`).

    Compared as integers, not strings, so PR-2026-10000 comes after PR-2026-9999.
    """
    highest = PurchaseRequest.objects.filter(number__startswith=prefix).aggregate(
        highest=Max(Cast(Substr("number", len(prefix) + 1), output_field=IntegerField()))
    )["highest"]
    return highest or 0

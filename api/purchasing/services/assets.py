"""Writes of assets: who holds them, which department owns them, where they came from.

Status and holder are kept consistent here rather than left to the client: giving an
in-stock asset to someone makes it `assigned`; taking it back from its holder returns
it to `in_stock`, unless it is retired, lost or in maintenance, which stay as they are.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from api.accounts.models import User
from api.accounts.roles import Resource
from api.accounts.selectors import user_department_id
from api.common.exceptions import InvalidInput
from api.common.services import instance_create, instance_update
from api.notifications.models import NotificationKind
from api.notifications.services import notification_data, notifications_create
from api.org.models import Department
from api.purchasing import selectors
from api.purchasing.models import Asset, AssetStatus, PurchaseStatus

# A purchase becomes an asset once it is on its way or delivered.
LINKABLE_PURCHASE_STATUSES = (PurchaseStatus.ORDERED, PurchaseStatus.RECEIVED)


def _value(fields: dict[str, Any], current: Asset | None, name: str, default=None):
    if name in fields:
        return fields[name]
    return getattr(current, name) if current is not None else default


def _custody(fields: dict[str, Any], current: Asset | None) -> None:
    """Reconciles status, holder and department in `fields` (changed in place)."""
    holder = _value(fields, current, "assigned_to")
    status = _value(fields, current, "status", AssetStatus.IN_STOCK)
    status_given = "status" in fields
    if holder is None and status == AssetStatus.ASSIGNED:
        if status_given:
            raise InvalidInput(
                {"assigned_to": ["An assigned asset needs the employee who holds it."]}
            )
        fields["status"] = AssetStatus.IN_STOCK  # taken back from its holder
    elif holder is not None and status == AssetStatus.IN_STOCK:
        if status_given:
            raise InvalidInput(
                {"status": ["An asset someone holds is not in stock; clear assigned_to first."]}
            )
        fields["status"] = AssetStatus.ASSIGNED
    if holder is not None and _value(fields, current, "department") is None:
        fields["department"] = holder.department


def _check_scope(by: User, fields: dict[str, Any], current: Asset | None) -> None:
    """Department admins manage their own department's assets only (new ones default to
    it) and hand them to their own department's employees."""
    if by.is_global_admin:
        return
    own = user_department_id(by)
    if own is None:
        raise InvalidInput({"department": ["Your account belongs to no department."]})
    holder = fields.get("assigned_to")
    newly_held = holder is not None and (current is None or holder.pk != current.assigned_to_id)
    if newly_held and holder.department_id != own:
        raise InvalidInput(
            {"assigned_to": ["You may assign assets to employees of your department only."]}
        )
    if "department" in fields or current is None:
        department = fields.get("department")
        department_id = department.pk if department is not None else None
    else:
        department_id = current.department_id
    if department_id is None:
        fields["department"], department_id = Department.objects.get(pk=own), own
    if department_id != own:
        raise InvalidInput({"department": ["You may manage assets of your own department only."]})


def _check_purchase_link(by: User, fields: dict[str, Any], current: Asset | None) -> None:
    purchase = fields.get("purchase_request")
    if purchase is None or (current is not None and current.purchase_request_id == purchase.pk):
        return
    if not selectors.purchase_requests_visible_to(user=by).filter(pk=purchase.pk).exists():
        raise InvalidInput(
            {"purchase_request": [f'Invalid pk "{purchase.pk}" - object does not exist.']}
        )
    if purchase.status not in LINKABLE_PURCHASE_STATUSES:
        raise InvalidInput(
            {
                "purchase_request": [
                    f"Link an ordered or received purchase request; {purchase.number} is "
                    f"{purchase.status}."
                ]
            }
        )


def _check_serial(fields: dict[str, Any], current: Asset | None) -> None:
    serial = fields.get("serial_number")
    if not serial:
        return
    others = Asset.objects.filter(serial_number=serial)
    if current is not None:
        others = others.exclude(pk=current.pk)
    if others.exists():
        raise InvalidInput({"serial_number": ["Another asset has this serial number."]})


def _checked(by: User, data: dict[str, Any], current: Asset | None) -> dict[str, Any]:
    fields = dict(data)
    _custody(fields, current)
    _check_scope(by, fields, current)
    _check_purchase_link(by, fields, current)
    _check_serial(fields, current)
    return fields


def _notify_holder(asset: Asset, previous_holder_id: int | None, by: User) -> None:
    if asset.assigned_to_id is None or asset.assigned_to_id == previous_holder_id:
        return
    # No dedicated notification kind exists for asset hand-overs.
    notifications_create(
        recipients=User.objects.filter(is_active=True, employee__pk=asset.assigned_to_id),
        kind=NotificationKind.ASSET_ASSIGNED,
        title=f"Asset assigned to you: {asset.asset_tag} {asset.name}",
        data=notification_data(Resource.ASSETS, asset.pk),
        actor=by,
    )


@transaction.atomic
def asset_create(*, by: User, data: dict[str, Any]) -> Asset:
    """`data` holds validated model fields (related rows as objects)."""
    asset = instance_create(model=Asset, data=_checked(by, data, None), by=by)
    _notify_holder(asset, None, by)
    return asset


@transaction.atomic
def asset_update(*, asset: Asset, by: User, data: dict[str, Any]) -> Asset:
    """Partial update: omitted fields keep their value."""
    asset = Asset.objects.select_for_update(of=("self",)).get(pk=asset.pk)
    previous_holder_id = asset.assigned_to_id
    asset = instance_update(instance=asset, data=_checked(by, data, asset), by=by)
    _notify_holder(asset, previous_holder_id, by)
    return asset

"""Writes of the purchasing domain: purchase requests (`purchase_requests`) and assets
(`assets`), re-exported so callers import from `api.purchasing.services`."""

from api.purchasing.services.assets import asset_create, asset_update
from api.purchasing.services.purchase_requests import (
    PurchaseItem,
    items_total,
    purchase_request_approve,
    purchase_request_cancel,
    purchase_request_create,
    purchase_request_delete,
    purchase_request_mark_ordered,
    purchase_request_mark_received,
    purchase_request_reject,
    purchase_request_submit,
    purchase_request_update,
)

__all__ = [
    "PurchaseItem",
    "asset_create",
    "asset_update",
    "items_total",
    "purchase_request_approve",
    "purchase_request_cancel",
    "purchase_request_create",
    "purchase_request_delete",
    "purchase_request_mark_ordered",
    "purchase_request_mark_received",
    "purchase_request_reject",
    "purchase_request_submit",
    "purchase_request_update",
]

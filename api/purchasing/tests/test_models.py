from decimal import Decimal

import pytest

from api.purchasing.models import Asset, PurchaseRequest
from tests.db import rejected_by_database
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db


def make_purchase(**fields):
    fields.setdefault("number", "PR-1")
    fields.setdefault("title", "Laptops")
    fields.setdefault("requester", make_user(with_employee=False))
    fields.setdefault("department", make_department())
    return PurchaseRequest.objects.create(**fields)


def test_negative_total_is_refused():
    with rejected_by_database():
        make_purchase(total_amount=Decimal("-0.01"))


def test_duplicate_purchase_number_is_refused():
    make_purchase(number="PR-7")
    with rejected_by_database():
        make_purchase(number="PR-7")


def test_duplicate_asset_tag_and_serial_are_refused_but_blank_serials_are_not():
    Asset.objects.create(asset_tag="A-1", name="Laptop", serial_number="SN1")
    with rejected_by_database():
        Asset.objects.create(asset_tag="A-1", name="Laptop")
    with rejected_by_database():
        Asset.objects.create(asset_tag="A-2", name="Laptop", serial_number="SN1")
    Asset.objects.create(asset_tag="A-3", name="Mouse")
    Asset.objects.create(asset_tag="A-4", name="Mouse")


def test_assigned_asset_needs_a_holder_and_cost_is_not_negative():
    with rejected_by_database():
        Asset.objects.create(asset_tag="A-9", name="Phone", status="assigned")
    with rejected_by_database():
        Asset.objects.create(asset_tag="A-10", name="Phone", purchase_cost=Decimal("-5"))

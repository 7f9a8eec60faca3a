"""What a purchase request's items must look like, how the total is computed, and how
requests are numbered."""

from decimal import Decimal

import pytest
from django.utils import timezone

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.purchasing.models import PurchaseRequest
from api.purchasing.services import PurchaseItem, items_total
from api.purchasing.tests.factories import make_purchase_request
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/purchase-requests/"
GOOD = {"name": "Mouse", "quantity": 1, "unit_price": "15.00"}


@pytest.fixture
def requester(client_for):
    return client_for(make_user(Role.STAFF))


def post(client, **payload):
    return client.post(URL, {"title": "Peripherals", "items": [GOOD], **payload}, format="json")


def error_fields(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("bad_item", "field"),
    [
        ({"unit_price": "10.005"}, "items.1.unit_price"),
        ({"unit_price": "-1.00"}, "items.1.unit_price"),
        ({"unit_price": "ten"}, "items.1.unit_price"),
        ({"unit_price": None}, "items.1.unit_price"),
        ({"quantity": 0}, "items.1.quantity"),
        ({"quantity": "-2"}, "items.1.quantity"),
        ({"quantity": "many"}, "items.1.quantity"),
        ({"quantity": "0.0001"}, "items.1.quantity"),
        ({"quantity": True}, "items.1.quantity"),
        ({"name": ""}, "items.1.name"),
        ({"name": "x" * 201}, "items.1.name"),
        ({"colour": "red"}, "items.1.colour"),
    ],
)
def test_a_bad_item_is_400_naming_its_index_and_field(requester, bad_item, field):
    response = post(requester, items=[GOOD, GOOD | bad_item])

    assert field in error_fields(response)
    assert not PurchaseRequest.objects.exists()
    assert not UserActivityLog.objects.exists()


@pytest.mark.parametrize("missing", ["name", "quantity", "unit_price"])
def test_each_item_needs_name_quantity_and_unit_price(requester, missing):
    item = {key: value for key, value in GOOD.items() if key != missing}

    assert f"items.0.{missing}" in error_fields(post(requester, items=[item]))


@pytest.mark.parametrize("items", [[], "Mouse", [GOOD] * 201, None])
def test_items_must_be_a_list_of_one_to_two_hundred(requester, items):
    assert "items" in error_fields(post(requester, items=items))


def test_an_item_that_is_not_an_object_is_named_by_its_index(requester):
    fields = error_fields(post(requester, items=[GOOD, "Mouse"]))

    assert any(name.startswith("items.1") for name in fields), fields


@pytest.mark.parametrize("currency", ["idr", "EURO", "E1R", ""])
def test_currency_is_three_upper_case_letters(requester, currency):
    assert "currency" in error_fields(post(requester, currency=currency))


def test_a_valid_currency_is_kept(requester):
    response = post(requester, currency="EUR")

    assert response.status_code == 201
    assert response.json()["currency"] == "EUR"


def test_needed_by_cannot_be_in_the_past(requester):
    yesterday = timezone.localdate().toordinal() - 1

    response = post(requester, needed_by=str(timezone.localdate().fromordinal(yesterday)))

    assert "needed_by" in error_fields(response)


def test_a_total_beyond_what_the_column_holds_is_400_naming_items(requester):
    huge = {"name": "Fleet", "quantity": "999999999.999", "unit_price": "9999999999.99"}

    response = post(requester, items=[huge])

    assert "items" in error_fields(response)
    assert not PurchaseRequest.objects.exists()


def test_the_total_is_exact_where_floats_are_not(requester):
    items = [
        {"name": "Washer", "quantity": 3, "unit_price": "0.10"},  # 0.1 * 3 != 0.3 in floats
        {"name": "Cable", "quantity": "1.5", "unit_price": "19.99"},  # 29.985
        {"name": "Screw", "quantity": "0.333", "unit_price": "3.00"},  # 0.999
    ]

    response = post(requester, items=items)

    assert response.status_code == 201, response.content
    assert response.json()["total_amount"] == "31.28"  # 31.284
    assert PurchaseRequest.objects.get().total_amount == Decimal("31.28")


def test_the_total_is_rounded_once_half_up():
    half_cent = [PurchaseItem(name="Pin", quantity=Decimal("0.5"), unit_price=Decimal("0.01"))]
    thirds = [
        PurchaseItem(name="Part", quantity=Decimal("0.333"), unit_price=Decimal("0.01"))
    ] * 3  # three lines of 0.00333: rounding each would give 0.00, the sum rounds to 0.01

    assert items_total(half_cent) == Decimal("0.01")
    assert items_total(thirds) == Decimal("0.01")
    assert items_total([]) == Decimal("0.00")


def test_two_requests_in_a_row_get_consecutive_numbers(requester):
    year = timezone.localdate().year

    first = post(requester).json()["number"]
    second = post(requester).json()["number"]

    assert (first, second) == (f"PR-{year}-0001", f"PR-{year}-0002")


def test_numbering_continues_the_years_highest_and_ignores_other_years(requester):
    year = timezone.localdate().year
    make_purchase_request(number=f"PR-{year - 1}-0042")
    make_purchase_request(number=f"PR-{year}-0009")

    assert post(requester).json()["number"] == f"PR-{year}-0010"


def test_numbering_goes_past_four_digits_in_numeric_order(requester):
    year = timezone.localdate().year
    make_purchase_request(number=f"PR-{year}-9999")
    make_purchase_request(number=f"PR-{year}-10000")

    assert post(requester).json()["number"] == f"PR-{year}-10001"


def test_a_deleted_draft_leaves_no_gap_only_when_it_was_the_last(requester):
    year = timezone.localdate().year
    first = post(requester).json()
    requester.delete(f"{URL}{first['id']}/")

    assert post(requester).json()["number"] == f"PR-{year}-0001"

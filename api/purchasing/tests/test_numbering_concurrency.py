"""Purchase request numbers stay unique and gap-free when people create at the same time.

These tests commit for real (transaction=True) and use one connection per thread, so
they need PostgreSQL: SQLite serialises writers and cannot show the race.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from api.accounts.roles import Role
from api.purchasing.models import PurchaseRequest
from api.purchasing.services import PurchaseItem, purchase_request_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

ITEMS = [PurchaseItem(name="Toner", quantity=Decimal("1"), unit_price=Decimal("80.00"))]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers on separate connections")


def in_thread(target, errors: list) -> threading.Thread:
    def run():
        try:
            target()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_creator_racing_an_uncommitted_one_takes_the_next_number():
    first_user, second_user = make_user(Role.STAFF), make_user(Role.STAFF)
    first_inserted, release = threading.Event(), threading.Event()
    errors: list = []

    def first():
        with transaction.atomic():
            purchase_request_create(by=first_user, title="First", items=ITEMS)
            first_inserted.set()
            release.wait(10)

    def second():
        first_inserted.wait(10)
        # Counts the same next number, then waits on the unique index for `first`.
        purchase_request_create(by=second_user, title="Second", items=ITEMS)

    threads = [in_thread(first, errors), in_thread(second, errors)]
    first_inserted.wait(10)
    time.sleep(0.3)  # let `second` reach its insert and block behind `first`
    release.set()
    for thread in threads:
        thread.join(20)

    assert errors == []
    year = timezone.localdate().year
    numbers = dict(PurchaseRequest.objects.values_list("title", "number"))
    assert numbers == {"First": f"PR-{year}-0001", "Second": f"PR-{year}-0002"}


def test_many_simultaneous_creators_get_distinct_consecutive_numbers():
    users = [make_user(Role.STAFF) for _ in range(6)]
    start = threading.Barrier(len(users))
    errors: list = []

    def create_for(user):
        def create():
            start.wait(10)
            purchase_request_create(by=user, title=user.username, items=ITEMS)

        return create

    threads = [in_thread(create_for(user), errors) for user in users]
    for thread in threads:
        thread.join(30)

    assert errors == []
    year = timezone.localdate().year
    numbers = sorted(PurchaseRequest.objects.values_list("number", flat=True))
    assert numbers == [f"PR-{year}-{n:04d}" for n in range(1, len(users) + 1)]

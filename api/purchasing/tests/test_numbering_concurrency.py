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


def wait_until_a_backend_waits_on_a_lock(timeout: float) -> bool:
    """Polls pg_stat_activity (from this test's own connection) for another backend of
    this database blocked on a lock: the state the race needs, seen by the database."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


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
    assert first_inserted.wait(10)
    # `second` has reached its insert when PostgreSQL shows it waiting on a lock.
    assert wait_until_a_backend_waits_on_a_lock(timeout=20)
    release.set()
    for thread in threads:
        thread.join(20)
        assert not thread.is_alive()

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
        assert not thread.is_alive()

    assert errors == []
    year = timezone.localdate().year
    numbers = sorted(PurchaseRequest.objects.values_list("number", flat=True))
    assert numbers == [f"PR-{year}-{n:04d}" for n in range(1, len(users) + 1)]

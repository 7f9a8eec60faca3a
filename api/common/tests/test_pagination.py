"""Counts of big lists are cached, and any write through the ORM makes them exact again."""

import pytest

from api.accounts.roles import Role
from api.notifications.models import Notification
from api.notifications.services import notifications_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


@pytest.fixture
def small_threshold(settings):
    settings.COUNT_CACHE_MIN_ROWS = 2


def test_a_cached_count_skips_the_count_query(
    client_for, small_threshold, django_assert_num_queries
):
    user = make_user(Role.STAFF)
    notifications_create(recipients=[user], kind="system", title="a")
    Notification.objects.create(recipient=user, kind="system", title="b")
    client = client_for(user)
    assert client.get(URL).json()["count"] == 2

    with django_assert_num_queries(1):  # the page; no COUNT (the caller is cached)
        assert client.get(URL).json()["count"] == 2


def test_writes_through_the_orm_or_services_make_the_count_exact_again(client_for, small_threshold):
    user = make_user(Role.STAFF)
    notifications_create(recipients=[user], kind="system", title="a")
    notifications_create(recipients=[user], kind="system", title="b")
    client = client_for(user)
    assert client.get(URL).json()["count"] == 2

    notifications_create(recipients=[user], kind="system", title="c")  # bulk insert
    assert client.get(URL).json()["count"] == 3
    Notification.objects.create(recipient=user, kind="system", title="d")  # post_save
    assert client.get(URL).json()["count"] == 4


def test_small_counts_are_never_cached(client_for, settings):
    settings.COUNT_CACHE_MIN_ROWS = 1000
    user = make_user(Role.STAFF)
    client = client_for(user)
    assert client.get(URL).json()["count"] == 0

    Notification.objects.bulk_create([Notification(recipient=user, kind="system", title="x")])

    assert client.get(URL).json()["count"] == 1


def test_counts_are_per_user_and_per_filter(client_for, small_threshold):
    alice, bob = make_user(Role.STAFF), make_user(Role.STAFF)
    for title in "abc":
        notifications_create(recipients=[alice], kind="system", title=title)
    notifications_create(recipients=[bob], kind="system", title="z")

    assert client_for(alice).get(URL).json()["count"] == 3
    assert client_for(bob).get(URL).json()["count"] == 1
    assert client_for(alice).get(URL, {"search": "a"}).json()["count"] == 1


def test_a_page_iterates_its_rows_as_the_list_they_are():
    from api.common.pagination import CachedCountPaginator, ListPage

    rows = [{"id": n} for n in range(7)]
    page = CachedCountPaginator(rows, 3, known=7).page(2)
    assert isinstance(page, ListPage)
    assert list(page) == [{"id": 3}, {"id": 4}, {"id": 5}]
    # A lazy object list (a generator's page) is read once and kept, as Page does.
    lazy = ListPage((row for row in rows[:2]), 1, None)
    assert list(lazy) == rows[:2] == list(lazy)

"""/api/v1/notifications/: your own inbox, read flags and counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.notifications.models import Notification, NotificationKind
from api.notifications.tests.factories import make_notification
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


@pytest.fixture
def people():
    return {
        "staff": make_user(Role.STAFF),
        "reader": make_user(Role.USER),
        "superadmin": make_user(Role.SUPERADMIN),
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_list_shows_own_notifications_with_actor(people, client_for):
    mine = make_notification(people["staff"], actor=people["superadmin"], title="Approved")
    make_notification(people["reader"])

    response = client_for(people["staff"]).get(URL)

    assert ids(response) == {mine.pk}
    row = response.json()["results"][0]
    assert row["title"] == "Approved"
    assert row["actor"]["id"] == people["superadmin"].pk
    assert row["is_read"] is False


def test_superadmin_never_sees_someone_elses_notification(people, client_for):
    other = make_notification(people["staff"])
    client = client_for(people["superadmin"])

    assert ids(client.get(URL)) == set()
    assert client.get(f"{URL}{other.pk}/").status_code == 404
    assert client.post(f"{URL}{other.pk}/mark-read/").status_code == 404
    other.refresh_from_db()
    assert other.is_read is False


def test_mark_read_sets_flag_and_time_without_audit_row(people, client_for):
    notification = make_notification(people["reader"])

    response = client_for(people["reader"]).post(f"{URL}{notification.pk}/mark-read/")

    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert response.json()["read_at"]
    assert not UserActivityLog.objects.exists()


def test_unread_count_and_mark_all_read(people, client_for):
    for _ in range(3):
        make_notification(people["staff"])
    make_notification(people["staff"], is_read=True)
    make_notification(people["reader"])
    client = client_for(people["staff"])

    before = client.get(f"{URL}unread-count/").json()
    marked = client.post(f"{URL}mark-all-read/")
    after = client.get(f"{URL}unread-count/").json()

    assert before == {"unread_count": 3}
    assert marked.status_code == 200
    assert marked.json() == {"updated": 3, "unread_count": 0}
    assert after == {"unread_count": 0}
    assert Notification.objects.filter(recipient=people["reader"], is_read=False).count() == 1


def test_filters_by_read_state_kind_and_date(people, client_for):
    user = people["staff"]
    unread = make_notification(user, kind=NotificationKind.TASK_ASSIGNED)
    read = make_notification(user, kind=NotificationKind.SYSTEM, is_read=True)
    old = make_notification(user, kind=NotificationKind.SYSTEM)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    client = client_for(user)
    today = timezone.localdate().isoformat()

    assert ids(client.get(URL, {"is_read": "false"})) == {unread.pk, old.pk}
    assert ids(client.get(URL, {"kind": "task_assigned"})) == {unread.pk}
    assert ids(client.get(URL, {"created_at_from": today})) == {unread.pk, read.pk}
    assert client.get(URL, {"kind": "nonsense"}).status_code == 400


def test_newest_first(people, client_for):
    user = people["staff"]
    first = make_notification(user)
    second = make_notification(user)

    rows = client_for(user).get(URL).json()["results"]

    assert [row["id"] for row in rows] == [second.pk, first.pk]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_notifications_are_not_written_through_the_api(people, client_for, method):
    notification = make_notification(people["superadmin"])
    client = client_for(people["superadmin"])  # has every permission: only the method is wrong

    url = URL if method == "post" else f"{URL}{notification.pk}/"
    response = getattr(client, method)(url, {"title": "x"}, format="json")

    assert response.status_code == 405


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    people, client_for, page_size, django_assert_max_num_queries
):
    user = people["staff"]
    for _ in range(60):
        make_notification(user, actor=people["superadmin"])
    client = client_for(user)
    client.get(URL)  # the session's first request records its activity

    # count + page (actor joined).
    with django_assert_max_num_queries(2) as captured:
        response = client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == 2

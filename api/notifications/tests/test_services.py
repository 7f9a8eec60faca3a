"""notification_data and notifications_create: one `data` shape for every kind."""

import pytest

from api.accounts.roles import Resource, Role
from api.notifications.models import Notification, NotificationKind
from api.notifications.services import (
    notification_data,
    notifications_create,
    notifications_create_for_department_admins,
    notifications_create_for_superadmins,
)
from api.realtime.log import envelope_of
from api.realtime.models import RealtimeEvent
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db


def test_notification_data_names_the_resource_and_id_first_then_the_extras():
    data = notification_data(Resource.TASKS, 42, reminder=7)

    assert data == {"resource": "tasks", "id": 42, "reminder": 7}
    assert type(data["resource"]) is str  # stored as JSON text, not as the enum member


def test_the_inbox_shows_the_data_as_produced(client_for):
    user = make_user(Role.STAFF)
    notifications_create(
        recipients=[user],
        kind=NotificationKind.REPORT_READY,
        title="Report ready",
        data=notification_data(Resource.REPORTS, 5, status="done"),
    )

    (row,) = client_for(user).get("/api/v1/notifications/").json()["results"]

    assert row["data"] == {"resource": "reports", "id": 5, "status": "done"}


def test_a_system_message_about_nothing_has_empty_data():
    user = make_user(Role.STAFF)

    (created,) = notifications_create(recipients=[user], kind="system", title="Maintenance")

    assert created.data == {}


def _live(user) -> list[dict]:
    rows = RealtimeEvent.objects.filter(stream=f"user.{user.pk}").order_by("pk")
    return [envelope_of(row)[0].payload for row in rows]


def test_department_admins_each_get_a_stored_notification_and_its_live_event():
    ops, fin = make_department(code="OPS"), make_department(code="FIN")
    acting, other = (
        make_user(Role.PTB_ADMIN, department=ops),
        make_user(Role.PTB_ADMIN, department=ops),
    )
    outsider = make_user(Role.PTB_ADMIN, department=fin)

    told = notifications_create_for_department_admins(
        department_id=ops.pk,
        kind=NotificationKind.OVERTIME_SUBMITTED,
        title="To approve",
        data=notification_data(Resource.OVERTIME_REQUESTS, 3),
        actor=acting,
    )

    assert told == [other.pk]  # the actor is not told of their own act
    (stored,) = Notification.objects.filter(recipient=other)
    [payload] = _live(other)
    assert payload["notification"]["id"] == stored.pk
    assert payload["notification"]["data"] == {"resource": "overtime_requests", "id": 3}
    assert payload["unread_count"] == 1
    assert not Notification.objects.filter(recipient__in=[acting, outsider]).exists()
    assert _live(acting) == _live(outsider) == []


def test_without_a_department_no_admin_is_told():
    make_user(Role.PTB_ADMIN, department=make_department(code="OPS"))

    assert (
        notifications_create_for_department_admins(
            department_id=None, kind="system", title="Nobody"
        )
        == []
    )
    assert not Notification.objects.exists()


def test_superadmins_are_told_through_their_group():
    active = make_user(Role.SUPERADMIN)
    make_user(Role.SUPERADMIN, is_active=False)
    make_user(Role.DEVELOPER)

    told = notifications_create_for_superadmins(kind="system", title="Second approval")

    assert told == [active.pk]
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [active.pk]
    [payload] = _live(active)
    assert payload["notification"]["title"] == "Second approval"

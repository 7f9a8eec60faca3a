"""notification_data and notifications_create: one `data` shape for every kind."""

import pytest

from api.accounts.roles import Resource, Role
from api.notifications.models import NotificationKind
from api.notifications.services import notification_data, notifications_create
from tests.factories import make_user

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

"""/api/v1/activity-logs/: the audit trail, scoped by role."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.accounts.models import UserPermissionOverride
from api.accounts.roles import Action, Resource, Role
from api.audit.models import UserActivityLog
from api.audit.trail import audit_record
from tests.factories import make_department, make_project, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/activity-logs/"


@pytest.fixture
def org():
    home, away = make_department(code="HOME"), make_department(code="AWAY")
    people = {
        "admin": make_user(Role.PTB_ADMIN, department=home),
        "colleague": make_user(Role.STAFF, department=home),
        "stranger": make_user(Role.STAFF, department=away),
        "superadmin": make_user(Role.SUPERADMIN),
    }
    project = make_project()
    logs = {
        "home": audit_record(
            user=people["colleague"],
            action="update",
            instance=project,
            department_id=home.pk,
            changes={"name": {"old": "A", "new": "B"}},
        ),
        "away": audit_record(
            user=people["stranger"], action="create", instance=project, department_id=away.pk
        ),
        "admin_own": audit_record(user=people["admin"], action="delete", resource="projects"),
    }
    return people, logs


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_global_admin_sees_every_row_with_changes(org, client_for):
    people, logs = org

    response = client_for(people["superadmin"]).get(URL)

    assert ids(response) == {log.pk for log in logs.values()}
    home = next(row for row in response.json()["results"] if row["id"] == logs["home"].pk)
    assert home["changes"] == {"name": {"old": "A", "new": "B"}}
    assert home["user"]["id"] == people["colleague"].pk
    assert home["department"]["code"] == "HOME"


def test_department_admin_sees_their_department_and_their_own_acts(org, client_for):
    people, logs = org
    client = client_for(people["admin"])

    assert ids(client.get(URL)) == {logs["home"].pk, logs["admin_own"].pk}
    assert client.get(f"{URL}{logs['away'].pk}/").status_code == 404


def test_staff_granted_the_log_by_override_sees_only_their_own_rows(org, client_for):
    people, logs = org
    colleague = people["colleague"]
    assert client_for(colleague).get(URL).status_code == 403
    UserPermissionOverride.objects.create(
        user=colleague, resource=Resource.ACTIVITY_LOGS, action=Action.VIEW, allowed=True
    )

    assert ids(client_for(colleague).get(URL)) == {logs["home"].pk}


def test_filters_and_search(org, client_for):
    people, logs = org
    client = client_for(people["superadmin"])
    UserActivityLog.objects.filter(pk=logs["away"].pk).update(
        created_at=timezone.now() - timedelta(days=10), path="/api/v1/projects/"
    )
    today = timezone.localdate().isoformat()

    assert ids(client.get(URL, {"user": people["stranger"].pk})) == {logs["away"].pk}
    assert ids(client.get(URL, {"action": "delete"})) == {logs["admin_own"].pk}
    assert ids(client.get(URL, {"department": logs["home"].department_id})) == {logs["home"].pk}
    assert ids(client.get(URL, {"created_at_from": today})) == {
        logs["home"].pk,
        logs["admin_own"].pk,
    }
    assert ids(client.get(URL, {"search": "/api/v1/projects"})) == {logs["away"].pk}
    assert ids(client.get(URL, {"resource": "projects", "object_id": logs["home"].object_id})) == {
        logs["home"].pk,
        logs["away"].pk,
    }


def test_log_is_read_only(org, client_for):
    people, logs = org
    client = client_for(people["superadmin"])

    assert client.post(URL, {"action": "x"}, format="json").status_code == 405
    assert client.delete(f"{URL}{logs['home'].pk}/").status_code == 405


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    org, client_for, page_size, django_assert_max_num_queries
):
    people, _ = org
    project = make_project()
    for _ in range(60):
        audit_record(user=people["colleague"], action="update", instance=project)
    client = client_for(people["superadmin"])
    client.get(URL)

    # count + page (user and department joined).
    with django_assert_max_num_queries(2) as captured:
        response = client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == 2

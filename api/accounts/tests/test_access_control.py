"""/api/v1/users/access-control/: roles, per-user overrides, local accounts and
deactivation, with the rules that keep people from locking out or promoting themselves."""

import json

import pytest

from api.accounts.models import AuthSource, ExternalUser, User, UserPermissionOverride, UserSession
from api.accounts.roles import Action, Resource, Role
from api.accounts.signals import permissions_changed
from api.audit.models import UserActivityLog
from api.notifications.models import Notification, NotificationKind
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/users/access-control/"
ME = "/api/auth/me/"


@pytest.fixture
def superadmin():
    return make_user(Role.SUPERADMIN)


@pytest.fixture
def developer():
    return make_user(Role.DEVELOPER)


@pytest.fixture
def staff():
    return make_user(Role.STAFF)


@pytest.fixture
def signals():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    permissions_changed.connect(receiver)
    yield received
    permissions_changed.disconnect(receiver)


def grant(resource, action, allowed=True, note=""):
    return {"resource": resource, "action": action, "allowed": allowed, "note": note}


def set_access(client, user, **body):
    return client.patch(f"{URL}{user.pk}/", body, format="json")


def test_list_shows_role_source_employee_overrides_and_effective_permissions(
    client_for, superadmin, staff
):
    UserPermissionOverride.objects.create(
        user=staff, resource=Resource.ASSETS, action=Action.CREATE, allowed=True, note="pilot"
    )
    sso = make_user(Role.USER, with_employee=False)
    ExternalUser.objects.create(user=sso, external_id="X-1", username=sso.username)

    rows = {row["id"]: row for row in client_for(superadmin).get(URL).json()["results"]}

    row = rows[staff.pk]
    assert row["role"] == Role.STAFF
    assert row["auth_source"] == AuthSource.LOCAL
    assert row["employee"]["id"] == staff.employee.pk
    assert row["overrides"] == [
        {
            "resource": "assets",
            "action": "create",
            "allowed": True,
            "note": "pilot",
            "granted_by": None,
        }
    ]
    assert "create" in row["permissions"]["assets"]
    assert rows[sso.pk]["auth_source"] == AuthSource.EXTERNAL
    assert rows[sso.pk]["employee"] is None


def test_grant_then_revoke_changes_what_me_reports(client_for, superadmin, staff):
    admin, own = client_for(superadmin), client_for(staff)
    assert Resource.ACTIVITY_LOGS not in own.get(ME).json()["permissions"]

    granted = set_access(admin, staff, overrides=[grant(Resource.ACTIVITY_LOGS, Action.VIEW)])
    after_grant = own.get(ME).json()["permissions"]
    revoked = set_access(admin, staff, overrides=[grant(Resource.PROJECTS, Action.VIEW, False)])
    after_revoke = own.get(ME).json()["permissions"]

    assert granted.status_code == 200, granted.content
    assert granted.json()["overrides"][0]["granted_by"]["id"] == superadmin.pk
    assert after_grant[Resource.ACTIVITY_LOGS] == ["view"]
    assert revoked.status_code == 200
    assert Resource.ACTIVITY_LOGS not in after_revoke
    assert Resource.PROJECTS not in after_revoke
    assert own.get("/api/v1/activity-logs/").status_code == 403
    listed = admin.get(f"{URL}{staff.pk}/").json()["permissions"]
    assert listed == after_revoke


def test_change_is_audited_signalled_once_and_notified(client_for, superadmin, staff, signals):
    response = set_access(
        client_for(superadmin),
        staff,
        role=Role.PTB_ADMIN,
        overrides=[grant(Resource.ASSETS, Action.DELETE, note="inventory")],
    )

    assert response.status_code == 200, response.content
    assert response.json()["role"] == Role.PTB_ADMIN
    assert signals == [{"signal": permissions_changed, "user": staff, "by": superadmin}]
    log = UserActivityLog.objects.get(resource=Resource.ACCESS_CONTROL, action="update")
    assert log.object_id == str(staff.pk)
    assert log.changes["role"] == {"old": Role.STAFF, "new": Role.PTB_ADMIN}
    assert log.changes["overrides"] == {
        "old": [],
        "new": [{"resource": "assets", "action": "delete", "allowed": True, "note": "inventory"}],
    }
    notice = Notification.objects.get(recipient=staff)
    assert notice.kind == NotificationKind.PERMISSION_CHANGED
    assert notice.actor == superadmin
    assert notice.data == {"resource": "access_control", "id": staff.pk, "role": Role.PTB_ADMIN}


def test_sending_the_same_access_again_changes_nothing(client_for, superadmin, staff, signals):
    client = client_for(superadmin)
    body = {"role": Role.STAFF, "overrides": [grant(Resource.ASSETS, Action.CREATE)]}
    set_access(client, staff, **body)

    again = set_access(client, staff, **body)

    assert again.status_code == 200
    assert len(signals) == 1
    assert UserActivityLog.objects.filter(action="update").count() == 1


def test_empty_override_list_removes_every_override(client_for, superadmin, staff):
    UserPermissionOverride.objects.create(
        user=staff, resource=Resource.ASSETS, action=Action.CREATE, allowed=True
    )

    response = set_access(client_for(superadmin), staff, overrides=[])

    assert response.json()["overrides"] == []
    assert not UserPermissionOverride.objects.filter(user=staff).exists()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        (grant("spaceships", Action.VIEW), "overrides.0.resource"),
        (grant(Resource.ASSETS, "launch"), "overrides.0.action"),
        ({"resource": Resource.ASSETS, "action": Action.VIEW}, "overrides.0.allowed"),
    ],
)
def test_bad_override_is_a_400_naming_the_item(client_for, superadmin, staff, override, field):
    response = set_access(client_for(superadmin), staff, overrides=[override])

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_duplicate_override_is_a_400_naming_the_second_item(client_for, superadmin, staff):
    overrides = [grant(Resource.ASSETS, Action.VIEW), grant(Resource.ASSETS, Action.VIEW, False)]

    response = set_access(client_for(superadmin), staff, overrides=overrides)

    assert response.status_code == 400
    assert "overrides.1.action" in response.json()["error"]["fields"]


def test_superadmin_cannot_make_or_manage_a_developer(client_for, superadmin, staff, developer):
    client = client_for(superadmin)

    promote = set_access(client, staff, role=Role.DEVELOPER)
    demote = set_access(client, developer, role=Role.STAFF)
    restrict = set_access(client, developer, overrides=[grant(Resource.ASSETS, Action.VIEW, False)])
    deactivate = client.delete(f"{URL}{developer.pk}/")

    assert [promote.status_code, demote.status_code, restrict.status_code] == [403, 403, 403]
    assert deactivate.status_code == 403
    staff.refresh_from_db()
    developer.refresh_from_db()
    assert (staff.role, developer.role, developer.is_active) == (Role.STAFF, Role.DEVELOPER, True)


def test_developer_may_grant_the_developer_role(client_for, developer, staff):
    response = set_access(client_for(developer), staff, role=Role.DEVELOPER)

    assert response.status_code == 200
    staff.refresh_from_db()
    assert staff.role == Role.DEVELOPER
    assert staff.is_staff  # the Django admin, through user_set_role


@pytest.mark.parametrize("role", [Role.SUPERADMIN, Role.DEVELOPER])
def test_nobody_changes_their_own_access(client_for, role):
    me = make_user(role)
    client = client_for(me)

    assert set_access(client, me, role=Role.USER).status_code == 403
    assert set_access(client, me, overrides=[]).status_code == 403
    assert client.delete(f"{URL}{me.pk}/").status_code == 403


def test_create_local_user_with_a_role(client_for, superadmin):
    response = client_for(superadmin).post(
        URL,
        {
            "username": "new.hire",
            "email": "new.hire@example.com",
            "first_name": "New",
            "last_name": "Hire",
            "password": "Tangerine-Kettle-93",
            "role": Role.STAFF,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["username"], body["role"], body["auth_source"]) == ("new.hire", "staff", "local")
    assert "password" not in body
    user = User.objects.get(username="new.hire")
    assert user.check_password("Tangerine-Kettle-93")
    log = UserActivityLog.objects.get(action="create", resource=Resource.ACCESS_CONTROL)
    assert "Tangerine-Kettle-93" not in json.dumps(log.changes)
    assert "Tangerine-Kettle-93" not in response.content.decode()


@pytest.mark.parametrize("password", ["short", "password123", "new.hire.x"])
def test_weak_password_is_a_400_naming_password(client_for, superadmin, password):
    response = client_for(superadmin).post(
        URL, {"username": "new.hire.x", "password": password}, format="json"
    )

    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]
    assert not User.objects.filter(username="new.hire.x").exists()


def test_taken_username_is_a_400_naming_it(client_for, superadmin, staff):
    response = client_for(superadmin).post(
        URL, {"username": staff.username.upper(), "password": "Tangerine-Kettle-93"}, format="json"
    )

    assert response.status_code == 400
    assert "username" in response.json()["error"]["fields"]


def test_superadmin_cannot_create_a_developer(client_for, superadmin):
    response = client_for(superadmin).post(
        URL,
        {"username": "dev2", "password": "Tangerine-Kettle-93", "role": Role.DEVELOPER},
        format="json",
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="dev2").exists()


def test_delete_deactivates_and_ends_the_users_sessions(client_for, superadmin, staff):
    users_client = client_for(staff)
    assert users_client.get(ME).status_code == 200

    response = client_for(superadmin).delete(f"{URL}{staff.pk}/")

    assert response.status_code == 204
    staff.refresh_from_db()
    assert staff.is_active is False
    assert not UserSession.objects.filter(user=staff, logout_at__isnull=True).exists()
    assert users_client.get(ME).status_code == 401
    assert client_for(superadmin).get(f"{URL}{staff.pk}/").json()["is_active"] is False
    log = UserActivityLog.objects.get(action="deactivate")
    assert log.changes["is_active"] == {"old": True, "new": False}
    assert log.changes["sessions_closed"] == 1


def test_filters_and_search(client_for, superadmin):
    department = make_department(code="FIN")
    accountant = make_user(Role.STAFF, department=department, first_name="Priya")
    sso = make_user(Role.USER, with_employee=False)
    ExternalUser.objects.create(user=sso, external_id="X-2", username=sso.username)
    gone = make_user(Role.USER, is_active=False)
    client = client_for(superadmin)

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(department=department.pk) == {accountant.pk}
    assert ids(auth_source="external") == {sso.pk}
    assert sso.pk not in ids(auth_source="local")
    assert ids(is_active="false") == {gone.pk}
    assert ids(search="priya") == {accountant.pk}
    assert ids(role=Role.SUPERADMIN) == {superadmin.pk}


def test_department_admin_granted_access_control_sees_only_their_department(client_for):
    department = make_department()
    admin = make_user(Role.PTB_ADMIN, department=department)
    colleague = make_user(Role.STAFF, department=department)
    outsider = make_user(Role.STAFF)
    UserPermissionOverride.objects.create(
        user=admin, resource=Resource.ACCESS_CONTROL, action=Action.VIEW, allowed=True
    )

    client = client_for(admin)
    listed = {row["id"] for row in client.get(URL).json()["results"]}

    assert listed == {admin.pk, colleague.pk}
    assert client.get(f"{URL}{outsider.pk}/").status_code == 404


def test_other_roles_have_no_access(client_for, staff):
    assert client_for(staff).get(URL).status_code == 403


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    client_for, superadmin, page_size, django_assert_max_num_queries
):
    for _ in range(55):
        user = make_user(Role.STAFF)
        UserPermissionOverride.objects.create(
            user=user, resource=Resource.ASSETS, action=Action.CREATE, allowed=True
        )
    client = client_for(superadmin)
    client.get(URL)

    # count + page (employee, department, SSO identity joined) + overrides prefetch
    # (granted_by joined); the caller (user row, own overrides) is cached by then.
    with django_assert_max_num_queries(3) as captured:
        response = client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == 3


def test_nobody_grants_an_action_they_lack_themselves(client_for, superadmin, developer, staff):
    config_change = [grant(Resource.SYSTEM_CONFIG, Action.CHANGE)]

    by_superadmin = set_access(client_for(superadmin), staff, overrides=config_change)
    by_developer = set_access(client_for(developer), staff, overrides=config_change)
    kept_by_superadmin = set_access(
        client_for(superadmin),
        staff,
        overrides=[*config_change, grant(Resource.ASSETS, Action.CREATE)],
    )

    assert by_superadmin.status_code == 403
    assert by_developer.status_code == 200
    assert kept_by_superadmin.status_code == 200  # an existing grant is not re-judged
    assert len(kept_by_superadmin.json()["overrides"]) == 2


def test_a_department_admin_granted_access_control_cannot_promote_above_themselves(client_for):
    department = make_department()
    admin = make_user(Role.PTB_ADMIN, department=department)
    colleague = make_user(Role.STAFF, department=department)
    boss = make_user(Role.SUPERADMIN, department=department)
    for action in (Action.VIEW, Action.CHANGE):
        UserPermissionOverride.objects.create(
            user=admin, resource=Resource.ACCESS_CONTROL, action=action, allowed=True
        )
    client = client_for(admin)

    assert set_access(client, colleague, role=Role.SUPERADMIN).status_code == 403
    assert set_access(client, boss, role=Role.STAFF).status_code == 403
    assert set_access(client, colleague, role=Role.PTB_ADMIN).status_code == 200

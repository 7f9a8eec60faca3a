"""The role matrix, per-user overrides and the Django admin agreeing with the API."""

import itertools

import pytest

from api.accounts.models import UserPermissionOverride
from api.accounts.permissions import effective_permissions, user_can
from api.accounts.roles import DEFAULT_PERMISSIONS, Action, Resource, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_user_role_is_read_only_on_shared_data():
    shared = DEFAULT_PERMISSIONS[Role.USER]
    personal = {Resource.PERSONAL_NOTES, Resource.NOTIFICATIONS, Resource.USER_REPORTS}
    for resource, actions in shared.items():
        if resource not in personal:
            assert actions == {Action.VIEW}, resource


def test_each_role_can_do_at_least_what_the_one_below_can():
    order = [Role.USER, Role.STAFF, Role.PTB_ADMIN, Role.SUPERADMIN, Role.DEVELOPER]
    for lower, higher in itertools.pairwise(order):
        for resource, actions in DEFAULT_PERMISSIONS[lower].items():
            assert actions <= DEFAULT_PERMISSIONS[higher].get(resource, frozenset()), (
                lower,
                higher,
                resource,
            )


def test_only_admins_approve_overtime_and_only_developers_change_system_config():
    approvers = {r for r in Role if user_can_default(r, Resource.OVERTIME_REQUESTS, "approve")}
    config_editors = {r for r in Role if user_can_default(r, Resource.SYSTEM_CONFIG, "change")}

    assert approvers == {Role.PTB_ADMIN, Role.SUPERADMIN, Role.DEVELOPER}
    assert config_editors == {Role.DEVELOPER}


def user_can_default(role, resource, action) -> bool:
    return action in DEFAULT_PERMISSIONS[role].get(resource, frozenset())


def test_grant_override_adds_one_action_for_one_user():
    user, colleague = make_user(Role.STAFF), make_user(Role.STAFF)
    UserPermissionOverride.objects.create(
        user=user, resource=Resource.ASSETS, action=Action.CREATE, allowed=True
    )

    assert user_can(user, Resource.ASSETS, Action.CREATE)
    assert not user_can(colleague, Resource.ASSETS, Action.CREATE)


def test_revoke_override_removes_a_default_action():
    admin = make_user(Role.PTB_ADMIN)
    UserPermissionOverride.objects.create(
        user=admin, resource=Resource.OVERTIME_REQUESTS, action=Action.APPROVE, allowed=False
    )

    assert not user_can(admin, Resource.OVERTIME_REQUESTS, Action.APPROVE)
    assert user_can(admin, Resource.OVERTIME_REQUESTS, Action.VIEW)


def test_effective_permissions_cost_one_query_per_request(django_assert_num_queries):
    user = make_user(Role.STAFF)

    with django_assert_num_queries(1):
        effective_permissions(user)
        user_can(user, Resource.TASKS, Action.CREATE)
        user_can(user, Resource.ASSETS, Action.DELETE)


def test_inactive_user_has_no_permissions():
    user = make_user(Role.SUPERADMIN)
    user.is_active = False

    assert effective_permissions(user) == {}


def test_django_admin_permissions_follow_the_same_matrix():
    staff, superadmin, developer = (
        make_user(Role.STAFF),
        make_user(Role.SUPERADMIN),
        make_user(Role.DEVELOPER),
    )

    assert staff.has_perm("api.view_overtimerequest")
    assert not staff.has_perm("api.delete_employee")
    assert superadmin.has_perm("api.delete_overtimerequest")
    assert not superadmin.has_perm("api.change_systemconfiguration")
    assert developer.has_perm("api.change_systemconfiguration")
    assert not superadmin.has_perm("token_blacklist.delete_outstandingtoken")
    assert developer.has_perm("token_blacklist.delete_outstandingtoken")


def test_role_change_sets_admin_site_access():
    from api.accounts.services import user_set_role

    user = make_user(Role.STAFF)
    assert not user.is_staff

    user_set_role(user=user, role=Role.SUPERADMIN)
    assert user.is_staff
    user_set_role(user=user, role=Role.PTB_ADMIN)
    assert not user.is_staff


def test_createsuperuser_makes_a_developer():
    from api.accounts.models import User

    root = User.objects.create_superuser("root", "root@example.com", "Root-Password-1")

    assert root.role == Role.DEVELOPER
    assert user_can(root, Resource.SYSTEM_CONFIG, Action.CHANGE)

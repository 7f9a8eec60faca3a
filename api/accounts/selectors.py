"""Reads of the accounts domain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from api.accounts.models import User, UserPermissionOverride
from api.accounts.permissions import effective_permissions
from api.accounts.roles import DEFAULT_PERMISSIONS, Action, Role
from api.org.models import Employee

_ACTION_ORDER = {action: index for index, action in enumerate(Action.values)}


def user_department_id(user: User) -> int | None:
    """The department a user acts for (through their Employee), cached on the object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if "_department_id" not in user.__dict__:
        user._department_id = (
            Employee.objects.filter(user_id=user.pk).values_list("department_id", flat=True).first()
        )
    return user._department_id


def user_profile(*, user: User, auth_source: str) -> dict[str, Any]:
    """What `/api/auth/me/` and the login responses say about the signed-in person."""
    employee = Employee.objects.select_related("department").filter(user_id=user.pk).first()
    permissions = permissions_listed(effective_permissions(user))
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "role_level": user.role_level,
        "is_global_admin": user.is_global_admin,
        "auth_source": auth_source,
        "employee": (
            {
                "id": employee.pk,
                "employee_code": employee.employee_code,
                "full_name": employee.full_name,
                "position": employee.position,
                "department": {
                    "id": employee.department.pk,
                    "code": employee.department.code,
                    "name": employee.department.name,
                },
            }
            if employee
            else None
        ),
        "permissions": permissions,
    }


def permissions_listed(permissions: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """{resource: [actions]} in a stable order (resources by name, actions as in Action)."""
    return {
        resource: sorted(actions, key=_ACTION_ORDER.__getitem__)
        for resource, actions in sorted(permissions.items())
        if actions
    }


def permissions_with_overrides(
    *, role: str, is_active: bool, overrides: Iterable[UserPermissionOverride]
) -> dict[str, list[str]]:
    """What `effective_permissions` computes, from overrides already loaded (lists of
    users would otherwise pay one query per user)."""
    if not is_active:
        return {}
    granted = {
        resource: set(actions) for resource, actions in DEFAULT_PERMISSIONS.get(role, {}).items()
    }
    for override in overrides:
        actions = granted.setdefault(override.resource, set())
        if override.allowed:
            actions.add(override.action)
        else:
            actions.discard(override.action)
    return permissions_listed(granted)


def override_rows(user: User) -> list[dict[str, Any]]:
    """A user's overrides as plain values, in a stable order (for audit diffs)."""
    return [
        {"resource": o.resource, "action": o.action, "allowed": o.allowed, "note": o.note}
        for o in sorted(user.permission_overrides.all(), key=lambda o: (o.resource, o.action))
    ]


def users_access_visible_to(*, user) -> QuerySet[User]:
    """Accounts with what the access-control serializer shows, in a constant number of
    queries: employee and SSO identity joined, overrides (and who granted them) prefetched.

    Global admins see every account; a department admin granted the resource sees their
    department's people; anyone else only themselves.
    """
    users = User.objects.select_related(
        "employee__department", "external_identity"
    ).prefetch_related(
        Prefetch(
            "permission_overrides",
            queryset=UserPermissionOverride.objects.select_related("granted_by").order_by(
                "resource", "action"
            ),
        )
    )
    if user.is_global_admin:
        return users
    if user.role == Role.PTB_ADMIN and (department_id := user_department_id(user)):
        return users.filter(Q(pk=user.pk) | Q(employee__department_id=department_id))
    return users.filter(pk=user.pk)


# Who is told of what concerns a department or everyone (notifications, live events).
def ptb_admins():
    """Active department admins (`ptb_admin`), of every department."""
    return User.objects.filter(is_active=True, role=Role.PTB_ADMIN)


def department_admins(*, department_id: int | None):
    """Active `ptb_admin` users of a department (through their Employee record)."""
    if department_id is None:
        return User.objects.none()
    return ptb_admins().filter(employee__department_id=department_id)


def superadmins():
    return User.objects.filter(is_active=True, role=Role.SUPERADMIN)


def global_admins():
    """Active superadmins and developers: the people who triage what concerns everyone."""
    return User.objects.filter(is_active=True, role__in=(Role.SUPERADMIN, Role.DEVELOPER))

"""Reads of the accounts domain."""

from __future__ import annotations

from typing import Any

from api.accounts.models import User
from api.accounts.permissions import effective_permissions
from api.accounts.roles import Action


def user_department_id(user: User) -> int | None:
    """The department a user acts for (through their Employee), cached on the object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if "_department_id" not in user.__dict__:
        from api.org.models import Employee

        user._department_id = (
            Employee.objects.filter(user_id=user.pk).values_list("department_id", flat=True).first()
        )
    return user._department_id


def user_profile(*, user: User, auth_source: str) -> dict[str, Any]:
    """What `/api/auth/me/` and the login responses say about the signed-in person."""
    from api.org.models import Employee

    employee = Employee.objects.select_related("department").filter(user_id=user.pk).first()
    action_order = {action: index for index, action in enumerate(Action.values)}
    permissions = {
        resource: sorted(actions, key=action_order.__getitem__)
        for resource, actions in sorted(effective_permissions(user).items())
    }
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

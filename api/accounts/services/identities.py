"""SSO identities: the user, ExternalUser and Employee behind a profile of the company
sign-in service, created on first sign-in and refreshed on every later one."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.accounts.models import ExternalUser, User
from api.common.exceptions import Conflict
from api.org.models import Department, Employee


def _department_for(code: str, name: str):
    """The department named by an SSO profile; codes follow the API's rule (upper case,
    case-insensitively unique), so 'eng' from the SSO is the ENG department."""
    code = code.strip().upper()
    department = Department.objects.filter(code__iexact=code).first()
    if department is None:
        department = Department.objects.create(code=code, name=name or code, is_active=True)
    return department


def _employee_for(user: User, profile: dict):
    """The Employee of an SSO profile, created or refreshed, linked to `user`."""
    code = (profile.get("employee_code") or "").strip()
    if not code:
        return None
    department_code = (profile.get("department_code") or "").strip()
    if not department_code:
        return None
    department = _department_for(department_code, profile.get("department_name", ""))
    employee = Employee.objects.select_for_update().filter(employee_code=code).first() or Employee(
        employee_code=code
    )
    employee.first_name = profile.get("first_name") or employee.first_name or user.username
    employee.last_name = profile.get("last_name", employee.last_name)
    employee.email = profile.get("email", employee.email)
    employee.position = profile.get("position", employee.position)
    employee.department = department
    employee.external_id = profile.get("external_id") or employee.external_id
    employee.is_active = True
    employee.user = user
    employee.synced_at = timezone.now()
    employee.save()
    return employee


@transaction.atomic
def external_identity_upsert(*, profile: dict, claims: dict | None = None) -> User:
    """Creates or refreshes the user, ExternalUser and Employee of an SSO profile."""
    external_id = str(profile.get("external_id") or "").strip()
    username = str(profile.get("username") or "").strip()
    if not external_id or not username:
        raise Conflict("The sign-in service returned a profile without id or username.")

    identity = (
        ExternalUser.objects.select_for_update()
        .select_related("user")
        .filter(external_id=external_id)
        .first()
    )
    if identity is None:
        if User.objects.filter(username=username).exists():
            raise Conflict(
                f"A local account already uses the username '{username}'. "
                "An administrator must link or rename it before SSO sign-in works.",
                code="username_taken",
            )
        user = User(username=username, role=settings.EXTERNAL_DEFAULT_ROLE)
        user.set_unusable_password()
        identity = ExternalUser(external_id=external_id, user=user)
    else:
        user = identity.user

    user.first_name = profile.get("first_name", user.first_name)[:150]
    user.last_name = profile.get("last_name", user.last_name)[:150]
    user.email = profile.get("email", user.email)
    user.is_active = bool(profile.get("is_active", True))
    user.save()

    now = timezone.now()
    identity.user = user
    identity.username = username
    identity.employee = _employee_for(user, profile)
    identity.raw_claims = claims or identity.raw_claims
    identity.last_synced_at = now
    identity.last_login_at = now
    identity.save()
    return user

"""Who the demo signs in as: a named local superadmin and, per department, a PTB admin
who decides its overtime. `demo.admin` (the SSO's manager of ENG) is that admin for
ENG, so signing in through the reference SSO lands on a user who can approve."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from api.accounts.models import ExternalUser, User
from api.accounts.roles import Role
from api.accounts.services import superadmin_ensure, user_set_role
from api.org.models import Department, Employee

LOCAL_ADMIN = "admin"
SSO_ADMIN = "demo.admin"
SSO_ADMIN_EMPLOYEE = "E00002"
SSO_EMPLOYEE = "demo.employee"
SSO_EMPLOYEE_CODE = "E00001"


@dataclass(frozen=True)
class DemoPeople:
    superadmin: User
    department_admins: dict[int, User]  # department id -> its PTB admin


@transaction.atomic
def local_admin_ensure(password: str) -> User:
    user = User.objects.filter(username=LOCAL_ADMIN).first()
    if user is None:
        user = User.objects.create_user(
            LOCAL_ADMIN,
            "admin@ptb.example.com",
            password,
            first_name="Alex",
            last_name="Administrator",
        )
    elif not (user.first_name or user.last_name):
        # Older demo databases created the admin without a name.
        user.first_name, user.last_name = "Alex", "Administrator"
        user.save(update_fields=["first_name", "last_name"])
    superadmin_ensure(username=LOCAL_ADMIN, email=user.email, password=password)
    return user


def _sso_user_ensure(*, employee: Employee, role: str) -> User | None:
    """The user an SSO sign-in of this employee will find (ExternalUser keyed by the
    HR external_id), created if nobody holds the employee yet."""
    if employee.user_id is not None:
        return employee.user
    identity = ExternalUser.objects.filter(external_id=employee.external_id).first()
    if identity is not None:
        return identity.user
    username = {SSO_ADMIN_EMPLOYEE: SSO_ADMIN, SSO_EMPLOYEE_CODE: SSO_EMPLOYEE}.get(
        employee.employee_code, f"demo.{employee.employee_code.lower()}"
    )
    if User.objects.filter(username=username).exists():
        return None  # a local account holds the name: leave it to an administrator
    user = User(
        username=username,
        email=employee.email,
        first_name=employee.first_name,
        last_name=employee.last_name,
    )
    user.set_unusable_password()  # signs in through the SSO only
    user.save()
    user_set_role(user=user, role=role)
    ExternalUser.objects.create(
        user=user,
        external_id=employee.external_id,
        username=username,
        employee=employee,
        last_synced_at=timezone.now(),
    )
    employee.user = user
    employee.save(update_fields=["user", "updated_at"])
    return user


@transaction.atomic
def demo_people_ensure(*, superadmin: User) -> DemoPeople:
    """A PTB admin per department with employees (its manager, set if it has none)."""
    admins: dict[int, User] = {}
    employee = Employee.objects.filter(employee_code=SSO_EMPLOYEE_CODE).first()
    if employee is not None and employee.external_id:
        _sso_user_ensure(employee=employee, role=Role.STAFF)
    for department in Department.objects.filter(is_active=True).order_by("code"):
        manager = department.manager or _manager_candidate(department)
        if manager is None or not manager.external_id:
            continue
        user = _sso_user_ensure(employee=manager, role=Role.PTB_ADMIN)
        if user is None or user.role != Role.PTB_ADMIN:
            continue  # someone made it otherwise: the demo respects it
        if department.manager_id is None:
            department.manager = manager
            department.save(update_fields=["manager", "updated_at"])
        admins[department.pk] = user
    return DemoPeople(superadmin=superadmin, department_admins=admins)


def _manager_candidate(department: Department) -> Employee | None:
    if department.code == "ENG":
        found = Employee.objects.filter(employee_code=SSO_ADMIN_EMPLOYEE).first()
        if found is not None:
            return found
    return (
        Employee.objects.filter(department=department, is_active=True)
        .exclude(employee_code=SSO_EMPLOYEE_CODE)
        .order_by("employee_code")
        .first()
    )

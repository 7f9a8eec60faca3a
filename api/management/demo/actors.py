"""Who writes the demo's records: people who hold an account and the role to do it.

Only the department admins, the SSO demo employee and the local superadmin can sign
in, so every record the demo makes through a service is made by one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from api.accounts.models import User
from api.management.demo.people import SSO_EMPLOYEE_CODE, DemoPeople
from api.org.models import Department, Employee


@dataclass(frozen=True)
class DepartmentCrew:
    department: Department
    admin: User
    staff: User | None  # a staff member with an account (the SSO demo employee's ENG)


def department_crews(people: DemoPeople) -> list[DepartmentCrew]:
    """The departments that have a demo admin, in code order."""
    staff = (
        Employee.objects.filter(employee_code=SSO_EMPLOYEE_CODE)
        .exclude(user=None)
        .select_related("user")
        .first()
    )
    departments = Department.objects.filter(pk__in=people.department_admins).order_by("code")
    staff_department = staff.department_id if staff is not None else None
    return [
        DepartmentCrew(
            department=department,
            admin=people.department_admins[department.pk],
            staff=staff.user if department.pk == staff_department else None,
        )
        for department in departments
    ]


def colleagues(department: Department, *, without: set[int] = frozenset()) -> list[Employee]:
    """Active employees of the department, the accounts' own records left out."""
    return list(
        Employee.objects.filter(department=department, is_active=True)
        .exclude(pk__in=without)
        .order_by("employee_code")
    )


def monday(weeks: int) -> date:
    """The Monday `weeks` weeks from this one (negative: in the past)."""
    today = timezone.localdate()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def superadmin(people: DemoPeople) -> User:
    """The local superadmin as stored: on the run that creates the account, the object
    in `people` predates the role given to it, and the services check the role."""
    return User.objects.get(pk=people.superadmin.pk)

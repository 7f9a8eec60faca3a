"""Small factories for tests: one function per model, keyword arguments override defaults."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from api.accounts.models import User
from api.accounts.roles import Role
from api.accounts.services import user_set_role
from api.org.models import Department, Employee, Project
from api.overtime.models import OvertimeRegulation, OvertimeRequest, RegulationScope
from api.overtime.services.terms import apply_day_terms

_sequence = itertools.count(1)
PASSWORD = "Correct-Horse-42"


def _n() -> int:
    return next(_sequence)


def make_department(**fields) -> Department:
    n = _n()
    fields.setdefault("code", f"D{n:03d}")
    fields.setdefault("name", f"Department {n}")
    return Department.objects.create(**fields)


def make_user(
    role: str = Role.STAFF,
    *,
    department: Department | None = None,
    with_employee: bool = True,
    password: str = PASSWORD,
    **fields,
) -> User:
    """A user with `role`; by default also an Employee in `department` (or a new one)."""
    n = _n()
    fields.setdefault("username", f"user{n}")
    fields.setdefault("email", f"user{n}@example.com")
    fields.setdefault("first_name", f"First{n}")
    fields.setdefault("last_name", f"Last{n}")
    user = User.objects.create_user(password=password, **fields)
    user_set_role(user=user, role=role)
    if with_employee:
        make_employee(department=department or make_department(), user=user)
    return user


def make_employee(**fields) -> Employee:
    n = _n()
    fields.setdefault("employee_code", f"E{n:05d}")
    fields.setdefault("first_name", f"Emp{n}")
    fields.setdefault("last_name", "Tester")
    if "department" not in fields:
        fields["department"] = make_department()
    return Employee.objects.create(**fields)


def make_project(**fields) -> Project:
    n = _n()
    fields.setdefault("code", f"PRJ-{n:03d}")
    fields.setdefault("name", f"Project {n}")
    return Project.objects.create(**fields)


def make_regulation(**fields) -> OvertimeRegulation:
    fields.setdefault("name", f"Regulation {_n()}")
    fields.setdefault("scope", RegulationScope.DEPARTMENT if "department" in fields else "global")
    fields.setdefault("max_hours_per_day", Decimal("4"))
    fields.setdefault("max_hours_per_week", Decimal("18"))
    fields.setdefault("max_hours_per_month", Decimal("72"))
    fields.setdefault("max_hours_per_year", Decimal("720"))
    fields.setdefault("effective_from", datetime(2020, 1, 1).date())
    return OvertimeRegulation.objects.create(**fields)


DAY_TERM_FIELDS = {"day_category", "compensation_hours", "meal_due", "requires_second_approval"}


def make_overtime(**fields) -> OvertimeRequest:
    employee = fields.pop("employee", None) or make_employee()
    start = fields.pop("start_at", None) or timezone.now().replace(microsecond=0)
    fields.setdefault("end_at", start + timedelta(hours=2))
    fields.setdefault("reason", "Release preparation")
    if "created_by" not in fields:
        fields["created_by"] = employee.user or make_user(with_employee=False)
    request = OvertimeRequest(employee=employee, start_at=start, **fields)
    # The regulation's terms of its day, as a create through the services sets them;
    # what a test names explicitly wins.
    apply_day_terms(request)
    for name in DAY_TERM_FIELDS & fields.keys():
        setattr(request, name, fields[name])
    request.save()
    return request

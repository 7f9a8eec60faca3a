"""Writes of the organisation domain: departments, employees, projects, the HR sync.

Everyone reads the whole organisation (see selectors); writes are narrower. Global
admins change anything the role matrix lets them. Anybody else who holds a write
permission (a `ptb_admin` by default) acts only inside their own department: their
department's employees and projects, never another department's rows, never
department-less (company-wide) projects. Those rows are visible, so a refusal is a
403 that says why, not a 404.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from api.accounts.models import User
from api.accounts.roles import role_level
from api.accounts.selectors import user_department_id
from api.audit.trail import audit_record
from api.common.exceptions import InvalidInput, NotAllowed
from api.common.services import instance_create, instance_delete, instance_update
from api.org import selectors
from api.org.hr_sync import SuspiciousFeed, SyncCounts, SyncResult, hr_directory_sync
from api.org.models import Department, Employee, Project

__all__ = [
    "SuspiciousFeed",
    "SyncCounts",
    "SyncResult",
    "department_create",
    "department_update",
    "employee_create",
    "employee_delete",
    "employee_update",
    "hr_directory_sync",
    "project_create",
    "project_delete",
    "project_update",
]


def _require_own_department(by: User, department_id: int | None, refusal: str) -> None:
    if by.is_global_admin:
        return
    own = user_department_id(by)
    if own is None or department_id != own:
        raise NotAllowed(refusal)


def _require_active_department(department: Department | None, field: str = "department") -> None:
    if department is not None and not department.is_active:
        raise InvalidInput({field: [f"Department {department.code} is inactive."]})


# ----------------------------------------------------------------------- departments


def _check_parent(department: Department | None, parent: Department | None) -> None:
    """A department may not sit below itself: the parent chain must stay a tree."""
    if parent is None:
        return
    _require_active_department(parent, "parent")
    if department is None or department.pk is None:
        return
    if parent.pk == department.pk or department.pk in selectors.department_ancestor_ids(
        department_id=parent.pk
    ):
        raise InvalidInput(
            {"parent": [f"{parent.code} is {department.code} itself or one of its sub-units."]}
        )


def _check_manager(data: dict[str, Any]) -> None:
    manager = data.get("manager")
    if manager is not None and not manager.is_active:
        raise InvalidInput({"manager": ["The manager must be an active employee."]})


@transaction.atomic
def department_create(*, data: dict[str, Any], by: User) -> Department:
    _check_parent(None, data.get("parent"))
    _check_manager(data)
    return instance_create(model=Department, data=data, by=by)


@transaction.atomic
def department_update(*, department: Department, data: dict[str, Any], by: User) -> Department:
    department = Department.objects.select_for_update().get(pk=department.pk)
    if "parent" in data and data["parent"] != department.parent:
        _check_parent(department, data["parent"])
    if "manager" in data and data["manager"] != department.manager:
        _check_manager(data)
    return instance_update(instance=department, data=data, by=by)


# ----------------------------------------------------------------------- employees


def _require_may_manage(by: User, employee: Employee) -> None:
    """Department admins may not edit the record that carries a stronger account."""
    account = employee.user
    if by.is_global_admin or account is None:
        return
    if role_level(account.role) > role_level(by.role):
        raise NotAllowed("This employee's account has a higher role than yours.")


def _require_may_change_employment(by: User, employee: Employee, data: dict[str, Any]) -> None:
    """Ending (or resuming) employment locks (or unlocks) the employee's login, so it
    follows the rules for accounts whatever the caller's role: not one's own, and not
    an account above one's own (only developers lock developers)."""
    account = employee.user
    if account is None or "is_active" not in data or data["is_active"] == employee.is_active:
        return
    if account.pk == by.pk:
        raise NotAllowed("You cannot end your own employment: it would lock your login.")
    if role_level(account.role) > role_level(by.role):
        raise NotAllowed("This employee's account has a higher role than yours.")


def _require_may_link(by: User, data: dict[str, Any], employee: Employee | None) -> None:
    """Linking an account to an employee decides the account's department scope."""
    if "user" not in data or by.is_global_admin:
        return
    current = employee.user if employee is not None else None
    if data["user"] != current:
        raise NotAllowed("Only superadmins link login accounts to employees.")


def _follow_employment(employee: Employee, *, was_active: bool, by: User) -> None:
    """An employee's login follows their employment: leaving locks it, returning unlocks it."""
    account = employee.user
    if account is None or was_active == employee.is_active:
        return
    if account.is_active == employee.is_active:
        return
    account.is_active = employee.is_active
    account.save(update_fields=["is_active"])
    audit_record(
        user=by,
        action="update",
        instance=account,
        changes={"is_active": {"old": not employee.is_active, "new": employee.is_active}},
        department_id=employee.department_id,
    )


@transaction.atomic
def employee_create(*, data: dict[str, Any], by: User) -> Employee:
    department = data["department"]
    _require_own_department(by, department.pk, "You may only add employees to your own department.")
    _require_active_department(department)
    _require_may_link(by, data, None)
    return instance_create(model=Employee, data=data, by=by)


@transaction.atomic
def employee_update(*, employee: Employee, data: dict[str, Any], by: User) -> Employee:
    employee = (
        Employee.objects.select_for_update(of=("self",))
        .select_related("department", "user")
        .get(pk=employee.pk)
    )
    _require_own_department(
        by, employee.department_id, "You may only change employees of your own department."
    )
    _require_may_manage(by, employee)
    _require_may_change_employment(by, employee, data)
    _require_may_link(by, data, employee)
    target = data.get("department", employee.department)
    if target.pk != employee.department_id:
        _require_own_department(by, target.pk, "You may not move employees to another department.")
        _require_active_department(target)
    was_active = employee.is_active
    employee = instance_update(instance=employee, data=data, by=by)
    _follow_employment(employee, was_active=was_active, by=by)
    return employee


@transaction.atomic
def employee_delete(*, employee: Employee, by: User) -> None:
    """Only for records entered by mistake: history (overtime, leave) makes it a 409."""
    _require_own_department(
        by, employee.department_id, "You may only delete employees of your own department."
    )
    _require_may_manage(by, employee)
    instance_delete(instance=employee, by=by)


# ----------------------------------------------------------------------- projects


def _require_project_scope(by: User, department: Department | None, refusal: str) -> None:
    if department is None and not by.is_global_admin:
        raise NotAllowed("Only superadmins manage company-wide projects (no department).")
    _require_own_department(by, department.pk if department else None, refusal)


@transaction.atomic
def project_create(*, data: dict[str, Any], by: User) -> Project:
    department = data.get("department")
    _require_project_scope(by, department, "You may only create projects for your own department.")
    _require_active_department(department)
    return instance_create(model=Project, data=data, by=by)


@transaction.atomic
def project_update(*, project: Project, data: dict[str, Any], by: User) -> Project:
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=project.pk)
    )
    _require_project_scope(
        by, project.department, "You may only change projects of your own department."
    )
    target = data.get("department", project.department)
    if target != project.department:
        _require_project_scope(by, target, "You may not move projects to another department.")
        _require_active_department(target)
    return instance_update(instance=project, data=data, by=by)


@transaction.atomic
def project_delete(*, project: Project, by: User) -> None:
    """Projects with booked overtime or tasks are protected (409): deactivate them."""
    _require_project_scope(
        by, project.department, "You may only delete projects of your own department."
    )
    instance_delete(instance=project, by=by)

"""Reads of the organisation domain.

Departments, employees and projects are the company's shared reference data: the
org chart, the directory people pick colleagues from, the projects overtime is booked
against. Every signed-in user reads all of them; who may *change* which row is
decided by the services (department scope for non-global admins).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from api.org.models import Department, Employee, Project


def departments_visible_to(*, user) -> QuerySet[Department]:
    """All departments, with their parent, manager and head count in the same query."""
    return Department.objects.select_related("parent", "manager__department").annotate(
        employee_count=Count("employees", filter=Q(employees__is_active=True))
    )


def employees_visible_to(*, user) -> QuerySet[Employee]:
    """The company directory: everyone, active or not (history refers to former staff)."""
    return Employee.objects.select_related("department")


def projects_visible_to(*, user) -> QuerySet[Project]:
    return Project.objects.select_related("department")


def department_ancestor_ids(*, department_id: int) -> list[int]:
    """The chain of parents above a department, nearest first, in one query.

    Reads the whole (small) parent map rather than one row per level, and stops at
    a repeated id so a corrupt chain cannot loop forever.
    """
    parents = dict(Department.objects.values_list("id", "parent_id"))
    chain: list[int] = []
    current = parents.get(department_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain

"""The HR feed as rows we can trust: trimmed, codes normalised, bad rows reported."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from api.org.models import Department, Employee


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    external_id: str
    code: str
    name: str
    parent_code: str | None
    manager_code: str | None


@dataclass(frozen=True, slots=True)
class EmployeeRow:
    external_id: str
    employee_code: str
    first_name: str
    last_name: str
    email: str
    department_code: str
    position: str
    is_active: bool


def text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _code(value: str) -> str:
    """Department codes are stored upper-case, whoever typed them (API or HR)."""
    return value.strip().upper()


def _too_long(model: type[models.Model], values: dict[str, Any]) -> str | None:
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if isinstance(value, str) and limit is not None and len(value) > limit:
            return f"{name} longer than {limit} characters"
    return None


def _unique_rows(rows: Iterable, code_field: str, kind: str, warnings: list[str]) -> list:
    """Rows with an id and a code, each id and code once (later duplicates dropped)."""
    kept, external_ids, codes = [], set(), set()
    for row in rows:
        code = getattr(row, code_field)
        problem = None
        if not row.external_id or not code:
            problem = "no external_id or code"
        elif row.external_id in external_ids or code in codes:
            problem = "duplicate external_id or code"
        if problem:
            warnings.append(f"{kind} {row.external_id or code or '?'} skipped: {problem}")
            continue
        external_ids.add(row.external_id)
        codes.add(code)
        kept.append(row)
    return kept


def department_rows(feed: list[dict[str, Any]], warnings: list[str]) -> list[DepartmentRow]:
    rows = []
    for raw in feed:
        code = _code(text(raw, "code"))
        parent = _code(text(raw, "parent_code")) or None
        row = DepartmentRow(
            external_id=text(raw, "external_id"),
            code=code,
            name=text(raw, "name") or code,
            parent_code=parent,
            manager_code=text(raw, "manager_employee_code") or None,
        )
        problem = _too_long(Department, {"external_id": row.external_id, "code": code})
        problem = problem or _too_long(Department, {"name": row.name})
        if problem:
            warnings.append(f"department {code} skipped: {problem}")
            continue
        rows.append(row)
    return _unique_rows(rows, "code", "department", warnings)


def employee_rows(feed: Iterable[dict[str, Any]], warnings: list[str]) -> list[EmployeeRow]:
    rows = []
    for raw in feed:
        code = text(raw, "employee_code")
        row = EmployeeRow(
            external_id=text(raw, "external_id"),
            employee_code=code,
            # The first name may not be blank; HR always knows a login name or a code.
            first_name=text(raw, "first_name") or text(raw, "username") or code,
            last_name=text(raw, "last_name"),
            email=text(raw, "email"),
            department_code=_code(text(raw, "department_code")),
            position=text(raw, "position"),
            is_active=raw.get("is_active", True) is not False,
        )
        values = {
            name: getattr(row, name)
            for name in ("external_id", "employee_code", "first_name", "last_name", "email")
        }
        if problem := _too_long(Employee, values | {"position": row.position}):
            warnings.append(f"employee {code} skipped: {problem}")
            continue
        rows.append(row)
    return _unique_rows(rows, "employee_code", "employee", warnings)

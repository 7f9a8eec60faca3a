"""The served directory (departments and employees): validated, indexed, immutable."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from generate_data.directory import DEMO_PASSWORD

JsonObject = dict[str, Any]


class ApiError(Exception):
    """An expected failure that becomes a JSON error response."""

    def __init__(
        self, status: HTTPStatus, payload: JsonObject, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(payload.get("message", status.phrase))
        self.status = status
        self.payload = payload
        self.headers = dict(headers or {})


def invalid_request(message: str) -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, {"error": "invalid_request", "message": message})


def invalid_token(message: str) -> ApiError:
    return ApiError(
        HTTPStatus.UNAUTHORIZED,
        {"active": False, "error": "invalid_token", "message": message},
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


@dataclass(frozen=True)
class DirectorySnapshot:
    """Validated, indexed directory data. Immutable, so readers never need the lock."""

    departments: tuple[JsonObject, ...]
    employees: tuple[JsonObject, ...]  # public objects: never contain the password
    by_username: Mapping[str, JsonObject]  # lower-cased username -> employee
    by_external_id: Mapping[str, JsonObject]
    passwords: Mapping[str, str]  # employee external_id -> password
    department_names: Mapping[str, str]  # department code -> name


_EMPLOYEE_DEFAULTS: JsonObject = {
    "last_name": "",
    "email": "",
    "department_code": None,
    "position": "",
    "is_active": True,
}


def _require_str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: '{key}' must be a non-empty string")
    return value


def _check_unique(values: list[str], what: str) -> None:
    duplicates = sorted(value for value, n in Counter(values).items() if n > 1)
    if duplicates:
        raise ValueError(f"duplicate {what}: {', '.join(duplicates)}")


def _validate_department(raw: Any, index: int) -> JsonObject:
    where = f"departments[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object")
    _require_str(raw, "code", where)
    _require_str(raw, "name", where)
    _require_str(raw, "external_id", where)
    department = dict(raw)
    department.setdefault("parent_code", None)
    department.setdefault("manager_employee_code", None)
    return department


def _validate_employee(raw: Any, index: int) -> tuple[JsonObject, str]:
    where = f"employees[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object")
    for key in ("external_id", "employee_code", "username", "first_name"):
        _require_str(raw, key, where)
    password = raw.get("password", DEMO_PASSWORD)
    if not isinstance(password, str) or not password:
        raise ValueError(f"{where}: 'password' must be a non-empty string when given")
    if not isinstance(raw.get("is_active", True), bool):
        raise ValueError(f"{where}: 'is_active' must be a boolean")
    public = {key: value for key, value in raw.items() if key != "password"}
    for key, default in _EMPLOYEE_DEFAULTS.items():
        public.setdefault(key, default)
    return public, password


def load_directory(data: Any) -> DirectorySnapshot:
    """Validate a ``{"departments": [...], "employees": [...]}`` document and index it.

    Only what the server itself relies on is checked (types and unique keys). References
    such as an employee's ``department_code`` are served as given, so tests can feed the
    backend inconsistent HR data on purpose. Raises ``ValueError`` with a readable reason.
    """
    if not isinstance(data, dict):
        raise ValueError("directory must be an object with 'departments' and 'employees'")
    raw_departments, raw_employees = data.get("departments"), data.get("employees")
    if not isinstance(raw_departments, list) or not isinstance(raw_employees, list):
        raise ValueError("'departments' and 'employees' must both be lists")

    departments = [_validate_department(d, i) for i, d in enumerate(raw_departments)]
    validated = [_validate_employee(e, i) for i, e in enumerate(raw_employees)]
    employees = [public for public, _ in validated]
    _check_unique([d["code"] for d in departments], "department codes")
    _check_unique([d["external_id"] for d in departments], "department external_ids")
    _check_unique([e["username"].lower() for e in employees], "usernames")
    _check_unique([e["external_id"] for e in employees], "employee external_ids")
    _check_unique([e["employee_code"] for e in employees], "employee codes")

    return DirectorySnapshot(
        departments=tuple(departments),
        employees=tuple(employees),
        by_username={e["username"].lower(): e for e in employees},
        by_external_id={e["external_id"]: e for e in employees},
        passwords={public["external_id"]: pw for public, pw in validated},
        department_names={d["code"]: d["name"] for d in departments},
    )


def user_object(employee: Mapping[str, Any], snapshot: DirectorySnapshot) -> JsonObject:
    """The ``user`` object of login and verify responses."""
    department_code = employee.get("department_code")
    return {
        "external_id": employee["external_id"],
        "username": employee["username"],
        "email": employee["email"],
        "first_name": employee["first_name"],
        "last_name": employee["last_name"],
        "employee_code": employee["employee_code"],
        "department_code": department_code,
        "department_name": snapshot.department_names.get(department_code or ""),
        "position": employee["position"],
        "is_active": employee["is_active"],
    }

"""A deterministic fake company directory: the data behind the reference SSO/HR server.

The same builder feeds three consumers, so they always agree with each other:

* ``scripts/external_api_server.py`` serves it as the company's SSO + HR API;
* ``generate_data/generate_employee.py`` turns it into a Django fixture;
* tests build small directories from it with a fixed seed.

Only the standard library is used (no Django, no Faker) so the reference server and the
generators run from a bare checkout. Randomness comes from ``random.Random(seed)`` only:
the same seed always yields byte-identical output.
"""

from __future__ import annotations

import random
from typing import Any, TypedDict

# Demo-only credential of the bundled reference server; every generated person signs in
# with it. It is not a secret of any real system and must never be reused for one.
DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential

EMAIL_DOMAIN = "ptb.example.com"

# Fixed creation time for fixture rows: loaddata saves raw, so auto_now_add is not applied.
FIXTURE_TIMESTAMP = "2026-01-01T00:00:00Z"

# The two people every doc and demo refers to; always employees 1 and 2, both in ENG.
DEMO_EMPLOYEE_USERNAME = "demo.employee"
DEMO_ADMIN_USERNAME = "demo.admin"


class Department(TypedDict):
    external_id: str
    code: str
    name: str
    parent_code: str | None
    manager_employee_code: str | None


class Employee(TypedDict):
    external_id: str
    employee_code: str
    username: str
    first_name: str
    last_name: str
    email: str
    department_code: str
    position: str
    is_active: bool


class Directory(TypedDict):
    departments: list[Department]
    employees: list[Employee]


# (code, name, parent_code). A two-level tree: the company root and its divisions.
DEPARTMENTS: tuple[tuple[str, str, str | None], ...] = (
    ("PTB", "PTB Company", None),
    ("ENG", "Engineering", "PTB"),
    ("OPS", "Operations", "PTB"),
    ("FIN", "Finance", "PTB"),
    ("HR", "Human Resources", "PTB"),
    ("QA", "Quality Assurance", "PTB"),
)

# Rough head-count shares, so Engineering is the biggest department as in real life.
DEPARTMENT_WEIGHTS: dict[str, int] = {"PTB": 1, "ENG": 6, "OPS": 4, "FIN": 2, "HR": 2, "QA": 3}

POSITIONS: dict[str, tuple[str, ...]] = {
    "PTB": ("Chief Executive Officer", "Chief Operating Officer", "Executive Assistant"),
    "ENG": (
        "Software Engineer",
        "Senior Software Engineer",
        "Backend Developer",
        "Frontend Developer",
        "DevOps Engineer",
        "Engineering Manager",
    ),
    "OPS": ("Operations Specialist", "Shift Supervisor", "Logistics Coordinator", "Technician"),
    "FIN": ("Accountant", "Financial Analyst", "Payroll Specialist", "Controller"),
    "HR": ("HR Specialist", "Recruiter", "HR Business Partner", "HR Manager"),
    "QA": ("QA Engineer", "Test Automation Engineer", "Quality Inspector", "QA Lead"),
}

FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Ben", "Carla", "David", "Elena", "Frank", "Grace", "Henry", "Irene", "Jack",
    "Karen", "Leo", "Maria", "Nick", "Olga", "Paul", "Quinn", "Rita", "Sam", "Tina",
    "Umar", "Vera", "Walter", "Xenia", "Yuri", "Zoe", "Adam", "Bella", "Chris", "Diana",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Adams", "Baker", "Clark", "Davis", "Evans", "Foster", "Garcia", "Harris", "Ivanov",
    "Jones", "King", "Lewis", "Miller", "Nelson", "Owens", "Parker", "Quinn", "Roberts",
    "Smith", "Turner", "Underwood", "Vance", "Walker", "Young", "Zimmer", "Novak", "Meyer",
    "Brown", "Wilson", "Moore",
)  # fmt: skip

# Employees 1 and 2: fixed so docs can say "sign in as demo.employee / demo-password".
_DEMO_PEOPLE: tuple[tuple[str, str, str, str], ...] = (
    (DEMO_EMPLOYEE_USERNAME, "Demo", "Employee", "Software Engineer"),
    (DEMO_ADMIN_USERNAME, "Demo", "Admin", "Engineering Manager"),
)


def employee_code(number: int) -> str:
    return f"E{number:05d}"


def employee_external_id(number: int) -> str:
    return f"emp-{number:05d}"


def department_external_id(code: str) -> str:
    return f"dept-{code}"


def _unique_username(first_name: str, last_name: str, taken: set[str]) -> str:
    """``jdoe``, then ``jdoe2``, ``jdoe3``... so usernames stay short yet unique."""
    base = f"{first_name[0]}{last_name}".lower()
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def _make_employee(
    number: int, username: str, first: str, last: str, department: str, position: str
) -> Employee:
    return {
        "external_id": employee_external_id(number),
        "employee_code": employee_code(number),
        "username": username,
        "first_name": first,
        "last_name": last,
        "email": f"{username}@{EMAIL_DOMAIN}",
        "department_code": department,
        "position": position,
        "is_active": True,
    }


def _department_for(number: int, rng: random.Random) -> str:
    """Give every department one person first (so each can have a manager), then weight."""
    codes = [code for code, _, _ in DEPARTMENTS]
    first_random = len(_DEMO_PEOPLE) + 1
    if number - first_random < len(codes):
        return codes[number - first_random]
    return rng.choices(codes, weights=[DEPARTMENT_WEIGHTS[c] for c in codes])[0]


def _build_employees(rng: random.Random, count: int) -> list[Employee]:
    taken: set[str] = set()
    employees: list[Employee] = []
    for number, (username, first, last, position) in enumerate(_DEMO_PEOPLE, start=1):
        taken.add(username)
        employees.append(_make_employee(number, username, first, last, "ENG", position))
    for number in range(len(_DEMO_PEOPLE) + 1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        department = _department_for(number, rng)
        position = rng.choice(POSITIONS[department])
        username = _unique_username(first, last, taken)
        employees.append(_make_employee(number, username, first, last, department, position))
    return employees


def _pick_manager(code: str, employees: list[Employee], rng: random.Random) -> str | None:
    """demo.admin manages ENG (so the demo admin approves ENG overtime); others are random."""
    if code == "ENG":
        return employee_code(2)
    members = [e["employee_code"] for e in employees if e["department_code"] == code]
    return rng.choice(members) if members else None


def build_directory(seed: int = 42, employees: int = 60) -> Directory:
    """Build the departments and employees of the fake company.

    ``employees`` is the total head count including the two demo users, so it must be at
    least 2. The result is JSON-serialisable and identical for identical arguments.
    """
    if employees < len(_DEMO_PEOPLE):
        raise ValueError(f"employees must be at least {len(_DEMO_PEOPLE)} (the demo users)")
    rng = random.Random(seed)
    people = _build_employees(rng, employees)
    departments: list[Department] = [
        {
            "external_id": department_external_id(code),
            "code": code,
            "name": name,
            "parent_code": parent,
            "manager_employee_code": _pick_manager(code, people, rng),
        }
        for code, name, parent in DEPARTMENTS
    ]
    return {"departments": departments, "employees": people}


def departments_parents_first(departments: list[Any]) -> list[Any]:
    """Order departments so every parent precedes its children (needed by loaddata)."""
    by_code = {d["code"]: d for d in departments}
    ordered: list[Any] = []
    placed: set[str] = set()

    def place(department: Any, trail: tuple[str, ...] = ()) -> None:
        code = department["code"]
        if code in placed:
            return
        if code in trail:
            raise ValueError(f"department cycle through {code}")
        parent = department.get("parent_code")
        if parent is not None and parent in by_code:
            place(by_code[parent], (*trail, code))
        placed.add(code)
        ordered.append(department)

    for department in departments:
        place(department)
    return ordered

"""The generators that feed the reference SSO/HR server and the fixtures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generate_data import generate_employee, generate_project
from generate_data.directory import DEPARTMENTS, build_directory
from scripts.tests.support import (
    REPO_ROOT,
)

# --------------------------------------------------------------------------- generators


def test_build_directory_is_deterministic_per_seed() -> None:
    assert build_directory(seed=3) == build_directory(seed=3)
    assert build_directory(seed=3) != build_directory(seed=4)


def test_build_directory_shape_and_demo_users() -> None:
    directory = build_directory(seed=42, employees=60)
    employees, departments = directory["employees"], directory["departments"]

    assert len(employees) == 60
    assert [(e["username"], e["department_code"]) for e in employees[:2]] == [
        ("demo.employee", "ENG"),
        ("demo.admin", "ENG"),
    ]
    usernames = [e["username"] for e in employees]
    assert len(set(usernames)) == len(usernames)
    assert all(re.fullmatch(r"[a-z][a-z0-9.]*", u) for u in usernames)
    assert all(e["email"] == f"{e['username']}@ptb.example.com" for e in employees)
    assert all(e["first_name"].isascii() and e["last_name"].isascii() for e in employees)

    members = {(e["department_code"], e["employee_code"]) for e in employees}
    parents = {d["code"]: d["parent_code"] for d in departments}
    for department in departments:
        manager = department["manager_employee_code"]
        assert manager is None or (department["code"], manager) in members
        parent = department["parent_code"]
        assert parent is None or parents[parent] is None  # at most two levels


def test_build_directory_needs_room_for_the_demo_users() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        build_directory(employees=1)


def test_generate_employee_writes_natural_key_fixture(tmp_path: Path) -> None:
    output = tmp_path / "employees.json"

    assert generate_employee.main(["--seed", "1", "--count", "10", "--output", str(output)]) == 0

    rows = json.loads(output.read_text())
    assert all(set(row) == {"model", "fields"} for row in rows)  # natural keys, no pk
    departments = [r["fields"] for r in rows if r["model"] == "api.department"]
    employees = [r["fields"] for r in rows if r["model"] == "api.employee"]
    assert len(departments) + len(employees) == len(rows)
    assert rows[: len(departments)] == [r for r in rows if r["model"] == "api.department"]
    seen: set[str] = set()
    for department in departments:  # parents first, as loaddata needs
        assert department["parent"] is None or department["parent"][0] in seen
        seen.add(department["code"])
        assert department["manager"] is None
    assert len(employees) == 10
    assert all(e["department"][0] in seen for e in employees)
    assert all(e["user"] is None for e in employees)
    assert {"created_at", "updated_at"} <= set(employees[0])


def test_generate_project_writes_natural_key_fixture(tmp_path: Path) -> None:
    output = tmp_path / "projects.json"

    assert generate_project.main(["--seed", "1", "--output", str(output)]) == 0

    rows = json.loads(output.read_text())
    department_codes = {code for code, _, _ in DEPARTMENTS}
    assert len(rows) == 12
    assert all(set(row) == {"model", "fields"} and row["model"] == "api.project" for row in rows)
    projects = [row["fields"] for row in rows]
    assert [p["code"] for p in projects] == [f"PRJ-{n:03d}" for n in range(1, 13)]
    for project in projects:
        assert project["department"] is None or project["department"][0] in department_codes
        assert project["end_date"] is None or project["end_date"] >= project["start_date"]
        assert {"created_at", "updated_at"} <= set(project)


@pytest.mark.parametrize(
    ("module", "filename"),
    [(generate_employee, "employees.json"), (generate_project, "projects.json")],
)
def test_committed_fixtures_match_their_generators(module: Any, filename: str) -> None:
    committed = json.loads((REPO_ROOT / "generate_data" / filename).read_text())
    assert committed == module.build_fixture(), f"regenerate {filename} with defaults"


def test_generator_scripts_run_standalone(tmp_path: Path) -> None:
    for script in ("generate_employee.py", "generate_project.py"):
        output = tmp_path / script.replace(".py", ".json")
        subprocess.run(
            [sys.executable, f"generate_data/{script}", "--output", str(output)],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
        assert isinstance(json.loads(output.read_text()), list)

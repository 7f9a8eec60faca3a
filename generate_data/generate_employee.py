"""Write the departments + employees Django fixture from the fake company directory.

Usage (from the repository root)::

    python generate_data/generate_employee.py [--seed 42] [--count 60] \
        [--output generate_data/employees.json]
    python manage.py loaddata generate_data/employees.json

Rows use natural keys (department ``code``, employee ``employee_code``) and no ``pk``, so
loading the fixture twice updates the same rows instead of duplicating them, and it loads
into any database regardless of its id sequences. Django is deliberately not imported:
the fixture is plain JSON built from ``generate_data.directory``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# Running as `python generate_data/generate_employee.py` puts generate_data/ (not the
# repository root) on sys.path; add the root so the package import below works.
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from generate_data.directory import (  # noqa: E402 - needs the sys.path fix above
    FIXTURE_TIMESTAMP,
    Directory,
    build_directory,
    departments_parents_first,
)

DEFAULT_OUTPUT = REPO_ROOT / "generate_data" / "employees.json"


def _department_rows(directory: Directory) -> list[dict[str, Any]]:
    # The manager (an employee) is left null: employees are loaded after departments,
    # and the HR sync fills managers from the live service anyway.
    return [
        {
            "model": "api.department",
            "fields": {
                "code": d["code"],
                "name": d["name"],
                "parent": [d["parent_code"]] if d["parent_code"] else None,
                "is_active": True,
                "external_id": d["external_id"],
                "manager": None,
                "created_at": FIXTURE_TIMESTAMP,
                "updated_at": FIXTURE_TIMESTAMP,
            },
        }
        for d in departments_parents_first(directory["departments"])
    ]


def _employee_rows(directory: Directory) -> list[dict[str, Any]]:
    return [
        {
            "model": "api.employee",
            "fields": {
                "employee_code": e["employee_code"],
                "first_name": e["first_name"],
                "last_name": e["last_name"],
                "email": e["email"],
                "department": [e["department_code"]],
                "position": e["position"],
                "is_active": e["is_active"],
                "external_id": e["external_id"],
                "user": None,
                "created_at": FIXTURE_TIMESTAMP,
                "updated_at": FIXTURE_TIMESTAMP,
            },
        }
        for e in directory["employees"]
    ]


def build_fixture(seed: int = 42, count: int = 60) -> list[dict[str, Any]]:
    """Departments (parents first) followed by employees, ready for ``loaddata``."""
    directory = build_directory(seed=seed, employees=count)
    return _department_rows(directory) + _employee_rows(directory)


def write_fixture(rows: list[dict[str, Any]], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(rows, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--count", type=int, default=60, help="employees, incl. 2 demo users")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="fixture path")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.count < 2:
        print("--count must be at least 2 (the demo users)", file=sys.stderr)
        return 2
    rows = build_fixture(seed=args.seed, count=args.count)
    write_fixture(rows, args.output)
    print(f"wrote {len(rows)} objects to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

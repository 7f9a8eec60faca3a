"""Write the projects Django fixture (overtime and tasks are booked against projects).

Usage (from the repository root)::

    python generate_data/generate_project.py [--seed 42] [--count 12] \
        [--output generate_data/projects.json]
    python manage.py loaddata generate_data/employees.json generate_data/projects.json

Projects reference departments by natural key (their ``code``), so load the employees
fixture (which holds the departments) first or in the same command. Django is not
imported: the fixture is plain JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from generate_data.directory import FIXTURE_TIMESTAMP  # noqa: E402 - needs sys.path fix

DEFAULT_OUTPUT = REPO_ROOT / "generate_data" / "projects.json"
FIRST_START = dt.date(2026, 1, 1)

# (name, description, department code or None for company-wide work).
PROJECTS: tuple[tuple[str, str, str | None], ...] = (
    ("Overtime Portal", "Internal portal for overtime requests and approvals.", "ENG"),
    ("Billing Platform Migration", "Move invoicing to the new billing platform.", "ENG"),
    ("Mobile App Refresh", "Redesign of the field-staff mobile application.", "ENG"),
    ("Warehouse Automation", "Conveyor and scanner rollout in the main warehouse.", "OPS"),
    ("Night Shift Coverage", "Staffing plan for the 24/7 operations desk.", "OPS"),
    ("Fleet Maintenance Program", "Preventive maintenance schedule for the fleet.", "OPS"),
    ("Year-End Closing", "Annual closing of the books and audit preparation.", "FIN"),
    ("Payroll System Upgrade", "Upgrade of the payroll engine and tax tables.", "FIN"),
    ("Recruitment Drive", "Hiring campaign for engineering and operations.", "HR"),
    ("Onboarding Handbook", "New onboarding handbook and training materials.", "HR"),
    ("Regression Test Suite", "Automated regression tests for the core products.", "QA"),
    ("ISO 9001 Certification", "Quality-management certification audit.", None),
)


def _project_dates(rng: random.Random) -> tuple[dt.date, dt.date | None]:
    """Starts spread over the first half of 2026; about a third are open-ended."""
    start = FIRST_START + dt.timedelta(days=rng.randrange(0, 180))
    if rng.random() < 1 / 3:
        return start, None
    return start, start + dt.timedelta(days=rng.randrange(30, 366))


def build_fixture(seed: int = 42, count: int = 12) -> list[dict[str, Any]]:
    """``count`` projects ``PRJ-001``...; the catalogue repeats as later phases if needed."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for index in range(count):
        name, description, department = PROJECTS[index % len(PROJECTS)]
        phase = index // len(PROJECTS) + 1
        if phase > 1:
            name = f"{name} (phase {phase})"
        start, end = _project_dates(rng)
        rows.append(
            {
                "model": "api.project",
                "fields": {
                    "code": f"PRJ-{index + 1:03d}",
                    "name": name,
                    "description": description,
                    "department": [department] if department else None,
                    "is_active": True,
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat() if end else None,
                    "created_at": FIXTURE_TIMESTAMP,
                    "updated_at": FIXTURE_TIMESTAMP,
                },
            }
        )
    return rows


def write_fixture(rows: list[dict[str, Any]], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(rows, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--count", type=int, default=12, help="number of projects")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="fixture path")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not 1 <= args.count <= 999:
        print("--count must be between 1 and 999 (codes are PRJ-001..PRJ-999)", file=sys.stderr)
        return 2
    rows = build_fixture(seed=args.seed, count=args.count)
    write_fixture(rows, args.output)
    print(f"wrote {len(rows)} objects to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The periodic schedule as documented: every beat entry's task exists and runs when
the README's table says, and the table lists nothing beat does not run."""

import importlib
import re

from celery.schedules import crontab

from backend.celery import TASK_PACKAGES, app
from conftest import REPO_ROOT

ROW = re.compile(
    r"^\| (?P<job>[^|]+) \| `(?P<task>[\w.]+)`(?: \((?P<kind>\w+)\))? \| (?P<when>[^|]+) \|$"
)


def documented() -> set[tuple[str, str | None, str]]:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("Periodic jobs (") :]
    rows = {
        (m["task"], m["kind"], m["when"].strip())
        for m in map(ROW.match, section.splitlines()[:20])
        if m
    }
    assert rows, "the README has no table of periodic jobs"
    return rows


def when(schedule) -> str:
    if isinstance(schedule, crontab):
        fields = (
            schedule._orig_minute,
            schedule._orig_hour,
            schedule._orig_day_of_month,
            schedule._orig_month_of_year,
            schedule._orig_day_of_week,
        )
        return "cron `" + " ".join(str(field) for field in fields) + "`"
    return f"every {int(float(schedule))} s"


def test_every_beat_entry_is_in_the_readme_with_its_time():
    scheduled = {
        (entry["task"], entry.get("kwargs", {}).get("kind"), when(entry["schedule"]))
        for entry in app.conf.beat_schedule.values()
    }

    assert scheduled == documented()


def test_every_scheduled_task_is_a_registered_task():
    for package in TASK_PACKAGES:
        importlib.import_module(f"{package}.tasks")
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"{name}: {entry['task']} is not a task"

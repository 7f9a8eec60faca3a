"""The file (api/system/config_transfer/document.py): a file that is not one
config_export wrote, or that a model refuses, is a clear error and changes nothing."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from django.core.management.base import CommandError

from api.system.config_transfer.tests.helpers import (
    changed_target,
    exported,
    importing,
    state,
)
from conftest import REPO_ROOT

pytestmark = pytest.mark.django_db


def broken(document: dict, how: str) -> dict | str:
    document = copy.deepcopy(document)
    match how:
        case "not-json":
            return '{"format": 1, "system_configuration": ['
        case "not-an-object":
            return "[1, 2]"
        case "no-format":
            del document["format"]
        case "future-format":
            document["format"] = 2
        case "unknown-section":
            document["holidays"] = []
        case "unknown-field":
            document["board_columns"][0]["colour"] = "#fff"
        case "unknown-department":
            document["overtime_regulations"][1]["department"] = "NOPE"
        case "unknown-user":
            document["permission_overrides"][0]["user"] = "nobody"
        case "refused-value":
            document["overtime_regulations"][0]["max_hours_per_day"] = "30.00"
        case "duplicate":
            document["system_configuration"].append(document["system_configuration"][0])
    return document


PROBLEMS = {
    "not-json": "not valid JSON",
    "not-an-object": "expected a JSON object",
    "no-format": 'no "format"',
    "future-format": "format 2 is not one this version reads",
    "unknown-section": "unknown section(s) holidays",
    "unknown-field": "board_columns[0]: unknown field(s) colour",
    "unknown-department": "department: no department 'NOPE' here",
    "unknown-user": "user: no user 'nobody' here",
    "refused-value": "regulation_limits_ordered",
    "duplicate": "company-name: appears twice in the file",
}


@pytest.mark.parametrize("how", list(PROBLEMS))
def test_a_bad_file_is_a_clear_error_and_changes_nothing(configured, tmp_path, how):
    document = exported()
    changed_target()  # so that a good part of the file would change something
    before = state()

    with pytest.raises(CommandError) as excinfo:
        importing(broken(document, how), tmp_path=tmp_path)

    assert "nothing was changed" in str(excinfo.value)
    assert PROBLEMS[how] in str(excinfo.value)
    assert state() == before


def test_a_bad_file_exits_non_zero(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"format": 99}))

    # The format is checked before the database is read: any database will do.
    done = subprocess.run(
        [sys.executable, "manage.py", "config_import", str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 1
    assert "format 99 is not one this version reads" in done.stderr
    assert "nothing was changed" in done.stderr


def test_every_problem_is_reported_at_once(configured, tmp_path):
    document = exported()
    document["overtime_regulations"][1]["department"] = "NOPE"
    document["permission_overrides"][0]["user"] = "nobody"

    with pytest.raises(CommandError) as excinfo:
        importing(document, tmp_path=tmp_path)

    assert "no department 'NOPE'" in str(excinfo.value)
    assert "no user 'nobody'" in str(excinfo.value)

"""manage.py config_import (api/system/config_transfer/importer.py): a file from one
environment rebuilds the same configuration in another; a dry run and a second import
change nothing; a write refused half way changes nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management.base import CommandError
from django.db import connection

from api.audit.models import UserActivityLog
from api.kanban.models import TaskGroup
from api.overtime.models import OvertimeRegulation, RegulationScope
from api.system.config_transfer.tests.helpers import (
    SECRET,
    changed_target,
    configuration,
    exported,
    importing,
    state,
    wipe,
)
from api.system.models import SMBConfiguration

pytestmark = pytest.mark.django_db


def test_export_wipe_import_gives_the_same_configuration(configured, tmp_path):
    document = exported()
    for entry in document["smb_configurations"]:
        if entry["name"] == "reports":
            entry["password"] = SECRET  # the export has none; the operator adds it
    wipe()

    report = importing(document, tmp_path=tmp_path)

    assert configuration(exported()) == configuration(document) | {
        "smb_configurations": [
            {k: v for k, v in entry.items() if k != "password"}
            for entry in document["smb_configurations"]
        ]
    }
    reports = SMBConfiguration.objects.get(name="reports")
    assert reports.get_password() == SECRET
    assert reports.is_active
    assert report[-1] == "13 change(s): 13 created, 0 updated, 0 unchanged"
    assert SECRET not in "\n".join(report)
    assert '      password: "(set)"' in report
    audit = json.dumps(list(UserActivityLog.objects.values_list("changes", flat=True)))
    assert SECRET not in audit
    assert UserActivityLog.objects.filter(path="manage.py config_import").count() == 13


def test_dry_run_writes_nothing_and_says_field_by_field_what_would_change(configured, tmp_path):
    document = exported()
    changed_target()
    before = state()

    report = importing(document, "--dry-run", tmp_path=tmp_path)

    assert state() == before
    assert report[0] == "Dry run: nothing was changed. The import would:"
    assert "  company-name: updated" in report
    assert '      value: "PTB (staging)" -> "PTB"' in report
    assert "  Company limits (scope=global): updated" in report
    assert '      max_hours_per_day: "3.00" -> "4.00"' in report
    assert '      description: "Old text" -> "PP 35/2021"' in report
    assert "  Engineering release weeks (scope=department, department=ENG): unchanged" in report
    assert "  alice (resource=projects, action=delete): created" in report
    assert "      allowed: false" in report
    assert "  Done: created" in report
    assert "      wip_limit: null -> 5" in report
    assert report[-1] == (
        "5 change(s): 2 created, 3 updated, 8 unchanged (dry run: nothing was changed)"
    )


def test_importing_the_same_file_twice_changes_nothing_the_second_time(configured, tmp_path):
    document = exported()
    changed_target()
    TaskGroup.objects.create(name="Blocked", position=5)  # only this board has it

    first = importing(document, tmp_path=tmp_path)
    after_first = state()
    second = importing(document, tmp_path=tmp_path)

    assert first[-1].startswith("6 change(s)")
    assert second[-1] == "0 change(s): 0 created, 0 updated, 13 unchanged"
    assert state() == after_first
    assert list(TaskGroup.objects.values_list("name", "position")) == [
        ("Backlog", 0),
        ("Doing", 1),
        ("Done", 2),
        ("Blocked", 3),  # behind the imported columns
    ]
    assert configuration(exported()) == configuration(document) | {
        "board_columns": [
            *document["board_columns"],
            {
                "name": "Blocked",
                "position": 3,
                "wip_limit": None,
                "color": "",
                "is_done_column": False,
            },
        ]
    }


def test_a_write_the_database_refuses_half_way_changes_nothing(configured, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the refusal is a PL/pgSQL trigger")
    document = exported()
    changed_target()
    before = state()
    # Board columns are written after configuration and regulations: refuse them.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_columns() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RAISE EXCEPTION 'no new columns today'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse_columns BEFORE INSERT ON {TaskGroup._meta.db_table}"
            " FOR EACH ROW EXECUTE FUNCTION refuse_columns()"
        )

    with pytest.raises(CommandError) as excinfo:
        importing(document, tmp_path=tmp_path)

    assert "no new columns today" in str(excinfo.value)
    assert "nothing was changed" in str(excinfo.value)
    assert state() == before


def test_a_file_may_hold_only_some_sections(configured, tmp_path):
    document = exported()
    only = {"format": 1, "overtime_regulations": document["overtime_regulations"]}
    only["overtime_regulations"].append(
        {
            "name": "Night shift",
            "scope": "global",
            "department": None,
            "max_hours_per_day": "2.00",
            "max_hours_per_week": "10.00",
            "max_hours_per_month": "40.00",
            "max_hours_per_year": "400.00",
            "effective_from": "2027-01-01",
        }
    )

    report = importing(only, tmp_path=tmp_path)

    assert report[-1] == "1 change(s): 1 created, 0 updated, 2 unchanged"
    night = OvertimeRegulation.objects.get(name="Night shift")
    assert night.scope == RegulationScope.GLOBAL
    assert night.is_active  # the model's default for a field the file leaves out
    assert night.effective_from == date(2027, 1, 1)

"""manage.py config_export / config_import (api/system/config_transfer.py): a file
from one environment rebuilds the same configuration in another, matched by natural
keys; a dry run and a second import change nothing; a bad file changes nothing; no
SMB password ever leaves the server."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from api.accounts.models import UserPermissionOverride
from api.accounts.roles import Action, Resource, Role
from api.kanban.models import TaskGroup
from api.overtime.models import OvertimeRegulation, RegulationScope
from api.system.config_transfer import SECTIONS
from api.system.models import SMBConfiguration, SystemConfiguration, UserActivityLog
from api.system.services import system_config_ensure_defaults
from api.system.tests.factories import make_smb_config
from conftest import REPO_ROOT
from tests.factories import make_department, make_regulation, make_user

pytestmark = pytest.mark.django_db

SECRET = "Sh4re-Pa55word-XYZ"
MODELS = (SystemConfiguration, OvertimeRegulation, UserPermissionOverride, TaskGroup)


@pytest.fixture
def configured():
    """One environment's configuration, something of every kind."""
    system_config_ensure_defaults()
    SystemConfiguration.objects.create(
        key="report-retention-days", value="30", value_type="integer", description="Days kept"
    )
    engineering = make_department(code="ENG", name="Engineering")
    make_regulation(
        name="Company limits",
        description="PP 35/2021",
        second_approval_threshold_hours=Decimal("3.00"),
    )
    make_regulation(
        name="Engineering release weeks",
        department=engineering,
        max_hours_per_day=Decimal("6.50"),
        effective_from=date(2026, 1, 1),
        effective_to=date(2026, 12, 31),
    )
    alice = make_user(Role.STAFF, username="alice")
    admin = make_user(Role.SUPERADMIN, username="boss")
    UserPermissionOverride.objects.create(
        user=alice,
        resource=Resource.OVERTIME_REQUESTS,
        action=Action.APPROVE,
        allowed=True,
        note="Acting lead",
        granted_by=admin,
    )
    UserPermissionOverride.objects.create(
        user=alice, resource=Resource.PROJECTS, action=Action.DELETE, allowed=False
    )
    for position, (name, done) in enumerate([("Backlog", False), ("Doing", False), ("Done", True)]):
        TaskGroup.objects.create(
            name=name,
            position=position,
            is_done_column=done,
            wip_limit=5 if name == "Doing" else None,
        )
    make_smb_config(
        password=SECRET,
        name="reports",
        server="files.example.com",
        username="svc-reports",
        client="smbprotocol",
        require_encryption=True,
        is_active=True,
        last_test_result={"connect": True},
    )
    make_smb_config(name="guest-share", server="nas.local", share_name="public")


def exported() -> dict:
    out = io.StringIO()
    call_command("config_export", stdout=out)
    return json.loads(out.getvalue())


def importing(document: dict | str, *args: str, tmp_path) -> list[str]:
    path = tmp_path / "config.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    out = io.StringIO()
    call_command("config_import", str(path), *args, stdout=out)
    return out.getvalue().splitlines()


def configuration(document: dict) -> dict:
    """The sections of an export, without when and by what it was written."""
    return {key: value for key, value in document.items() if key not in ("exported_at", "app")}


def state() -> tuple:
    """Everything an import could change, rows and values."""
    smb = list(SMBConfiguration.objects.order_by("name").values())
    return (
        configuration(exported()),
        [model.objects.count() for model in MODELS],
        smb,
        UserActivityLog.objects.count(),
    )


def wipe() -> None:
    for model in (*MODELS, SMBConfiguration):
        model.objects.all().delete()


def test_export_holds_every_kind_of_configuration(configured):
    document = exported()

    assert document["format"] == 1
    assert {"version", "commit"} <= set(document["app"])
    assert [entry["key"] for entry in document["system_configuration"]] == [
        "company-name",
        "overtime-min-minutes",
        "report-retention-days",
        "support-email",
    ]
    department_rule = next(
        entry for entry in document["overtime_regulations"] if entry["scope"] == "department"
    )
    assert department_rule["department"] == "ENG"  # by code, not by id
    assert department_rule["max_hours_per_day"] == "6.50"
    assert department_rule["effective_to"] == "2026-12-31"
    approve = document["permission_overrides"][0]
    assert approve["user"] == "alice"
    assert "granted_by" not in approve
    assert [(c["name"], c["position"]) for c in document["board_columns"]] == [
        ("Backlog", 0),
        ("Doing", 1),
        ("Done", 2),
    ]
    reports = next(entry for entry in document["smb_configurations"] if entry["name"] == "reports")
    assert reports["username"] == "svc-reports"
    assert "last_test_result" not in reports
    for entries in configuration(document).values():
        if isinstance(entries, list):
            for entry in entries:
                assert "id" not in entry
                assert "created_at" not in entry
                assert "updated_at" not in entry


def test_regulations_export_every_field_of_the_model(configured):
    """A field added to OvertimeRegulation moves without a change to the transfer code."""
    (entry, *_) = exported()["overtime_regulations"]
    expected = {
        field.name
        for field in OvertimeRegulation._meta.concrete_fields
        if field.name not in ("id", "created_at", "updated_at")
    }
    assert set(entry) == expected


def test_no_smb_password_in_the_export(configured, tmp_path):
    out = io.StringIO()
    call_command("config_export", stdout=out)
    text = out.getvalue()
    stored = SMBConfiguration.objects.get(name="reports").password_encrypted

    assert SECRET not in text
    assert stored not in text
    assert "password" not in text

    call_command("config_export", "--output", str(tmp_path / "config.json"), stderr=io.StringIO())
    assert json.loads((tmp_path / "config.json").read_text())["smb_configurations"]


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


def test_without_its_password_an_smb_configuration_is_imported_inactive(configured, tmp_path):
    document = exported()
    SMBConfiguration.objects.filter(name="reports").delete()
    other_active = make_smb_config(password="x", name="local-share", is_active=True)

    report = importing(document, tmp_path=tmp_path)

    reports = SMBConfiguration.objects.get(name="reports")
    assert not reports.is_active
    assert reports.password_encrypted == ""
    assert "  reports: created" in report
    assert any("imported INACTIVE: a password must be set" in line for line in report)
    other_active.refresh_from_db()
    assert other_active.is_active  # still the one reports go to
    # A guest share needs no password.
    assert not [line for line in report if "guest-share" in line and "password" in line]


def test_an_smb_configuration_without_password_in_the_file_keeps_its_own(configured, tmp_path):
    document = exported()
    entry = next(e for e in document["smb_configurations"] if e["name"] == "reports")
    entry["port"] = 1445

    report = importing(document, tmp_path=tmp_path)

    reports = SMBConfiguration.objects.get(name="reports")
    assert reports.port == 1445
    assert reports.get_password() == SECRET
    assert reports.is_active
    assert "  reports: updated" in report
    assert "      port: 445 -> 1445" in report


def test_activating_a_configuration_deactivates_the_active_one(configured, tmp_path):
    document = exported()
    SMBConfiguration.objects.filter(name="reports").update(is_active=False)
    elsewhere = make_smb_config(password="x", name="old-share", is_active=True)

    report = importing(document, tmp_path=tmp_path)

    elsewhere.refresh_from_db()
    assert not elsewhere.is_active
    assert SMBConfiguration.objects.get(name="reports").is_active
    assert "  old-share (not in the file): updated" in report
    assert "      is_active: true -> false" in report


def changed_target() -> None:
    """The target differs from the file in every way an import repairs."""
    rule = OvertimeRegulation.objects.get(name="Company limits")
    rule.max_hours_per_day = Decimal("3.00")
    rule.description = "Old text"
    rule.save()
    SystemConfiguration.objects.filter(key="company-name").update(value="PTB (staging)")
    UserPermissionOverride.objects.filter(action=Action.DELETE).delete()
    TaskGroup.objects.filter(name="Done").delete()
    doing = TaskGroup.objects.get(name="Doing")
    doing.wip_limit = None
    doing.save()


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


def test_board_columns_take_the_order_of_the_file(configured, tmp_path):
    document = exported()
    for column in document["board_columns"]:
        column["position"] = {"Backlog": 2, "Doing": 0, "Done": 1}[column["name"]]

    report = importing(document, tmp_path=tmp_path)

    assert list(TaskGroup.objects.values_list("name", flat=True)) == ["Doing", "Done", "Backlog"]
    assert "      position: 0 -> 2" in report


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


def test_rows_an_import_could_not_tell_apart_stop_the_export(configured):
    make_regulation(name="Company limits")  # global too: the same natural key

    with pytest.raises(CommandError, match="two rows share Company limits"):
        call_command("config_export", stdout=io.StringIO())


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


def test_sections_cover_what_the_issue_lists():
    assert [section.name for section in SECTIONS] == [
        "system_configuration",
        "overtime_regulations",
        "permission_overrides",
        "board_columns",
        "smb_configurations",
    ]

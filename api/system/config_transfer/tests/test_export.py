"""manage.py config_export (api/system/config_transfer/export.py): every kind of
configuration, matched by natural keys, no id, no timestamp, no SMB password."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from api.overtime.models import OvertimeRegulation
from api.system.config_transfer.tests.helpers import SECRET, configuration, exported
from api.system.models import SMBConfiguration
from tests.factories import make_regulation

pytestmark = pytest.mark.django_db


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


def test_rows_an_import_could_not_tell_apart_stop_the_export(configured):
    make_regulation(name="Company limits")  # global too: the same natural key

    with pytest.raises(CommandError, match="two rows share Company limits"):
        call_command("config_export", stdout=io.StringIO())

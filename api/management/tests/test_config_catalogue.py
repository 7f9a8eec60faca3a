"""What moves (api/management/config_catalogue.py), and the rules of the sections
that have their own: SMB passwords and the one active share, board column order."""

from __future__ import annotations

import pytest

from api.kanban.models import TaskGroup
from api.management.config_catalogue import SECTIONS
from api.system.config_transfer.tests.helpers import SECRET, exported, importing
from api.system.models import SMBConfiguration
from api.system.tests.factories import make_smb_config

pytestmark = pytest.mark.django_db


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


def test_board_columns_take_the_order_of_the_file(configured, tmp_path):
    document = exported()
    for column in document["board_columns"]:
        column["position"] = {"Backlog": 2, "Doing": 0, "Done": 1}[column["name"]]

    report = importing(document, tmp_path=tmp_path)

    assert list(TaskGroup.objects.values_list("name", flat=True)) == ["Doing", "Done", "Backlog"]
    assert "      position: 0 -> 2" in report


def test_the_sections_are_every_kind_of_configuration_in_import_order():
    assert [section.name for section in SECTIONS] == [
        "system_configuration",
        "overtime_regulations",
        "permission_overrides",
        "board_columns",
        "smb_configurations",
    ]

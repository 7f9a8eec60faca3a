"""What the config transfer tests share: one environment's configuration, running
the two commands, and everything an import could change."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

from django.core.management import call_command

from api.accounts.models import UserPermissionOverride
from api.accounts.roles import Action, Resource, Role
from api.audit.models import UserActivityLog
from api.kanban.models import TaskGroup
from api.overtime.models import OvertimeRegulation
from api.system.models import SMBConfiguration, SystemConfiguration
from api.system.services import system_config_ensure_defaults
from api.system.tests.factories import make_smb_config
from tests.factories import make_department, make_regulation, make_user

SECRET = "Sh4re-Pa55word-XYZ"

MODELS = (SystemConfiguration, OvertimeRegulation, UserPermissionOverride, TaskGroup)


def configure() -> None:
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

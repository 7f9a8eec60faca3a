"""What moves between environments: the sections of the file, in the order an import
writes them, and the rules of the two that have their own (board column positions;
SMB passwords and the one active configuration).

It names models of every domain, so it lives with the commands that put them together
(`config_export`, `config_import`), which hand it to api.system.config_transfer."""

from __future__ import annotations

from django.db import models

from api.accounts.models import UserPermissionOverride
from api.common.crypto import SecretUnreadable
from api.kanban.models import TaskGroup
from api.overtime.models import OvertimeRegulation
from api.system.config_transfer.sections import Section
from api.system.models import SMBConfiguration, SystemConfiguration


class ColumnsSection(Section):
    """Board columns are numbered 0..n-1: the file's columns take the file's order,
    columns only this board has follow them in their present order."""

    def rows(self) -> list[models.Model]:
        return list(TaskGroup.objects.order_by("position", "pk"))

    def adjust(self, drafts, others, problems):
        ordered = sorted(
            enumerate(drafts),
            key=lambda pair: (
                pair[1].obj.position if pair[1].obj.position is not None else float("inf"),
                pair[0],
            ),
        )
        extra = [self.other_draft(obj) for obj in others]
        for position, draft in enumerate([draft for _, draft in ordered] + extra):
            draft.obj.position = position
        drafts.extend(draft for draft in extra if draft.obj.position != draft.before["position"])
        for draft in extra:
            draft.notes.append("moved behind the imported columns")


class SMBSection(Section):
    def read_extras(self, draft, entry, problems):
        if "password" not in entry:
            return
        password = entry["password"]
        if not isinstance(password, str):
            problems.append(f"{self.title} {draft.label}: password: expected a string")
            return
        if not password:
            return
        try:
            unchanged = draft.before is not None and draft.obj.get_password() == password
        except SecretUnreadable:  # encrypted with a key this server lacks: replace it
            unchanged = False
        if not unchanged:
            draft.password = password
            draft.obj.set_password(password)

    def adjust(self, drafts, others, problems):
        for draft in drafts:
            config = draft.obj
            if not config.username or config.password_encrypted:
                continue  # a guest share, or a password is (or will be) stored
            if config.is_active:
                config.is_active = False
                draft.notes.append(
                    "imported INACTIVE: a password must be set (admin or API), then activate it"
                )
            else:
                draft.notes.append("a password must be set before it can be activated")
        active = [draft for draft in drafts if draft.obj.is_active]
        if len(active) > 1:
            names = ", ".join(draft.label for draft in active)
            problems.append(f"{self.title}: only one can be active, the file activates {names}")
            return
        if not active:
            return
        for obj in others:
            if obj.is_active:
                draft = self.other_draft(obj)
                obj.is_active = False
                draft.notes.append(f"deactivated: {active[0].label} is the active one now")
                drafts.append(draft)

    def save_order(self, changes):
        # Deactivations first: at most one row may be active at any moment.
        return sorted(changes, key=lambda change: change.instance.is_active)


SECTIONS: tuple[Section, ...] = (
    Section(
        name="system_configuration",
        title="system configuration",
        heading="system configuration",
        model=SystemConfiguration,
        key=("key",),
        local_fields=frozenset({"updated_by"}),
    ),
    Section(
        name="overtime_regulations",
        title="overtime regulation",
        heading="overtime regulations",
        model=OvertimeRegulation,
        key=("name", "scope", "department"),
    ),
    Section(
        name="permission_overrides",
        title="permission override",
        heading="permission overrides",
        model=UserPermissionOverride,
        key=("user", "resource", "action"),
        local_fields=frozenset({"granted_by"}),
    ),
    ColumnsSection(
        name="board_columns",
        title="board column",
        heading="board columns",
        model=TaskGroup,
        key=("name",),
        unvalidated=("position",),
    ),
    SMBSection(
        name="smb_configurations",
        title="SMB configuration",
        heading="SMB configurations",
        model=SMBConfiguration,
        key=("name",),
        local_fields=frozenset({"last_tested_at", "last_test_result"}),
        unvalidated=("is_active",),
        extra_keys=frozenset({"password"}),
    ),
)

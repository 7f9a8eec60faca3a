"""Configuration that moves between environments (staging -> production, an old
server -> a new one): `manage.py config_export` writes it as JSON, `manage.py
config_import` applies such a file (`--dry-run`: only says what it would do).

What moves: system configuration, overtime regulations, per-user permission
overrides, the board's columns and SMB configurations — never a password or other
secret. Objects are matched by natural keys, never by database ids (those differ
between environments):

    system_configuration   key
    overtime_regulations   name, scope, department (by code)
    permission_overrides   user (by username), resource, action
    board_columns          name
    smb_configurations     name

Each model's fields are read from its `_meta`, so a field added to a model moves
without a change here; only ids, automatic timestamps, secrets and the few fields
that describe one environment rather than its configuration (who last edited an
entry, who granted an override, the last connection test) stay behind. Foreign keys
are written as the natural key of the row they point at.

An import creates and updates, never deletes: objects only the target has are left
alone (board columns only the target has move behind the imported ones). It is one
transaction: a problem anywhere — a malformed file, an unknown department or user, a
value the model refuses — changes nothing, and every problem is reported at once. An
SMB configuration without a password in the file keeps the password it has; one
that has none and needs one (it names a user) is imported inactive, and the report
says that a password must be set. A file may carry a `password` for an SMB
configuration (the export never writes one); it is stored encrypted and never shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from api.accounts.models import UserPermissionOverride
from api.common.crypto import SecretUnreadable
from api.kanban.models import TaskGroup
from api.overtime.models import OvertimeRegulation
from api.system.audit import REDACTED, audit_record
from api.system.models import SMBConfiguration, SystemConfiguration

FORMAT = 1
_DOCUMENT_KEYS = frozenset({"format", "exported_at", "app"})
_SECRET_MARKERS = ("password", "secret", "token")
# What reports show in place of a password.
_CONCEALED = "(set)"


class ConfigTransferError(Exception):
    """The file cannot be exported or imported; `problems` says why, one per line."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# ----------------------------------------------------------------------- values


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _natural_key_of(row: models.Model) -> Any:
    if not hasattr(row, "natural_key"):
        raise ConfigTransferError(
            [
                f"{row._meta.label} has no natural key, so a reference to it cannot move "
                "between environments: give it natural_key() and get_by_natural_key(), or "
                "list the field in the section's local_fields"
            ]
        )
    key = row.natural_key()
    return key[0] if len(key) == 1 else list(key)


def _exported(model_field: models.Field, obj: models.Model) -> Any:
    """The file's value of one field: JSON-safe, foreign keys as natural keys."""
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        return None if related is None else _natural_key_of(related)
    return _jsonable(model_field.value_from_object(obj))


def _comparable(model_field: models.Field, obj: models.Model) -> Any:
    return getattr(obj, model_field.attname)


class _Refused(Exception):
    pass


def _imported(model_field: models.Field, raw: Any) -> Any:
    """The Python value of one field from the file (foreign keys: the row itself)."""
    if model_field.is_relation:
        if raw is None:
            return None
        key = raw if isinstance(raw, list) else [raw]
        manager = model_field.related_model._default_manager
        if not hasattr(manager, "get_by_natural_key"):
            raise _Refused(f"{model_field.name}: its model has no natural key")
        try:
            return manager.get_by_natural_key(*key)
        except ObjectDoesNotExist:
            name = model_field.related_model._meta.verbose_name
            raise _Refused(f"{model_field.name}: no {name} {raw!r} here") from None
        except (TypeError, ValueError) as exc:
            raise _Refused(f"{model_field.name}: {raw!r} is not a natural key") from exc
    try:
        return model_field.to_python(raw)
    except ValidationError as exc:
        raise _Refused(f"{model_field.name}: {' '.join(exc.messages)}") from None


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{name}: {' '.join(ValidationError(errors).messages)}"
            if name != "__all__"
            else " ".join(ValidationError(errors).messages)
            for name, errors in error.error_dict.items()
        ]
    return list(error.messages)


# ----------------------------------------------------------------------- sections


@dataclass
class _Draft:
    """One object as the import would leave it, next to what it is now."""

    label: str
    obj: models.Model
    before: dict[str, Any] | None  # comparable values; None: a new object
    shown_before: dict[str, Any] | None
    in_file: bool = True
    password: str | None = None  # SMB: a new password from the file
    notes: list[str] = field(default_factory=list)


@dataclass
class ObjectChange:
    section: str  # the section's heading
    label: str
    action: str  # "created" | "updated" | "unchanged"
    fields: dict[str, tuple[Any, Any]]  # name -> (old, new), as in the file
    notes: list[str]
    instance: models.Model = field(repr=False)
    password: str | None = field(default=None, repr=False)


@dataclass
class Section:
    name: str  # key in the file
    title: str  # one object, in messages
    heading: str  # the section, in reports
    model: type[models.Model]
    key: tuple[str, ...]
    # Fields that describe an environment, not its configuration.
    local_fields: frozenset[str] = frozenset()
    # Left to the section's own rules rather than model validation (see `adjust`).
    unvalidated: tuple[str, ...] = ()
    extra_keys: frozenset[str] = frozenset()  # accepted in the file, not model fields

    def fields(self) -> list[models.Field]:
        """Every concrete field that moves: model order, natural key first."""
        moving = [
            model_field
            for model_field in self.model._meta.concrete_fields
            if not model_field.primary_key
            and not getattr(model_field, "auto_now", False)
            and not getattr(model_field, "auto_now_add", False)
            and model_field.name not in self.local_fields
            and not any(marker in model_field.name for marker in _SECRET_MARKERS)
        ]
        return sorted(moving, key=lambda f: (f.name not in self.key, self._key_index(f.name)))

    def _key_index(self, name: str) -> int:
        return self.key.index(name) if name in self.key else 0

    def rows(self) -> list[models.Model]:
        return list(self.model._default_manager.all())

    def label(self, values: dict[str, Any]) -> str:
        main, *rest = self.key
        details = ", ".join(
            f"{name}={values[name]}" for name in rest if values.get(name) not in (None, "")
        )
        return f"{values.get(main)} ({details})" if details else str(values.get(main))

    def key_of(self, obj: models.Model) -> tuple:
        return tuple(_comparable(self.model._meta.get_field(name), obj) for name in self.key)

    # --------------------------------------------------------------- export

    def export(self, problems: list[str]) -> list[dict[str, Any]]:
        entries, seen = [], {}
        for obj in self.rows():
            entry = {f.name: _exported(f, obj) for f in self.fields()}
            key = self.key_of(obj)
            if key in seen:
                problems.append(
                    f"{self.title}: two rows share {self.label(entry)} (ids {seen[key]} and "
                    f"{obj.pk}); an import could not tell them apart — rename one"
                )
            seen[key] = obj.pk
            entries.append(entry)
        return entries

    # --------------------------------------------------------------- import

    def plan(self, entries: Any, problems: list[str]) -> list[ObjectChange]:
        if not isinstance(entries, list):
            problems.append(f"{self.name}: expected a list of objects")
            return []
        by_name = {f.name: f for f in self.fields()}
        existing: dict[tuple, list[models.Model]] = {}
        rows = self.rows()
        for obj in rows:
            existing.setdefault(self.key_of(obj), []).append(obj)
        drafts, seen = [], set()
        for index, entry in enumerate(entries):
            where = f"{self.name}[{index}]"
            if not isinstance(entry, dict):
                problems.append(f"{where}: expected an object, not {type(entry).__name__}")
                continue
            unknown = sorted(set(entry) - set(by_name) - self.extra_keys)
            if unknown:
                problems.append(
                    f"{where}: unknown field(s) {', '.join(unknown)} "
                    f"(this version moves {', '.join(by_name)})"
                )
                continue
            missing = [name for name in self.key if name not in entry]
            if missing:
                problems.append(f"{where}: the natural key needs {', '.join(missing)}")
                continue
            label = self.label(entry)
            values, refused = {}, []
            for name, raw in entry.items():
                if name in by_name:
                    try:
                        values[name] = _imported(by_name[name], raw)
                    except _Refused as exc:
                        refused.append(str(exc))
            if refused:
                problems.extend(f"{self.title} {label}: {reason}" for reason in refused)
                continue
            key = tuple(
                values[name].pk if by_name[name].is_relation and values[name] else values[name]
                for name in self.key
            )
            if key in seen:
                problems.append(f"{self.title} {label}: appears twice in the file")
                continue
            seen.add(key)
            matches = existing.get(key, [])
            if len(matches) > 1:
                problems.append(
                    f"{self.title} {label}: {len(matches)} rows here match it "
                    f"(ids {', '.join(str(m.pk) for m in matches)}); rename all but one"
                )
                continue
            obj = matches[0] if matches else self.model()
            draft = _Draft(
                label=label,
                obj=obj,
                before={f.name: _comparable(f, obj) for f in by_name.values()} if matches else None,
                shown_before={f.name: _exported(f, obj) for f in by_name.values()}
                if matches
                else None,
            )
            for name, value in values.items():
                setattr(obj, name, value)
            self.read_extras(draft, entry, problems)
            drafts.append(draft)
        in_file = {id(draft.obj) for draft in drafts}
        others = [obj for obj in rows if id(obj) not in in_file]
        self.adjust(drafts, others, problems)
        return [change for draft in drafts if (change := self._change(draft, problems))]

    def read_extras(self, draft: _Draft, entry: dict, problems: list[str]) -> None:
        """Keys of the file that are not model fields."""

    def adjust(self, drafts: list[_Draft], others: list[models.Model], problems: list[str]):
        """Rules across objects (positions, the one active configuration); may add
        drafts for objects the file does not name."""

    def other_draft(self, obj: models.Model) -> _Draft:
        values = {f.name: _exported(f, obj) for f in self.fields()}
        return _Draft(
            label=f"{self.label(values)} (not in the file)",
            obj=obj,
            before={f.name: _comparable(f, obj) for f in self.fields()},
            shown_before=values,
            in_file=False,
        )

    def _change(self, draft: _Draft, problems: list[str]) -> ObjectChange | None:
        obj = draft.obj
        try:
            obj.full_clean(exclude=list(self.unvalidated))
        except ValidationError as error:
            problems.extend(f"{self.title} {draft.label}: {m}" for m in _messages(error))
            return None
        fields = self.fields()
        if draft.before is None:
            changed = {f.name: (None, _exported(f, obj)) for f in fields}
            action = "created"
        else:
            changed = {
                f.name: (draft.shown_before[f.name], _exported(f, obj))
                for f in fields
                if draft.before[f.name] != _comparable(f, obj)
            }
            action = "updated" if changed or draft.password is not None else "unchanged"
        if draft.password is not None:
            changed["password"] = (_CONCEALED if draft.before else None, _CONCEALED)
        return ObjectChange(
            section=self.heading,
            label=draft.label,
            action=action,
            fields=changed,
            notes=draft.notes,
            instance=obj,
            password=draft.password,
        )

    def save_order(self, changes: list[ObjectChange]) -> list[ObjectChange]:
        return changes


class _ColumnsSection(Section):
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


class _SMBSection(Section):
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
    _ColumnsSection(
        name="board_columns",
        title="board column",
        heading="board columns",
        model=TaskGroup,
        key=("name",),
        unvalidated=("position",),
    ),
    _SMBSection(
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


# ----------------------------------------------------------------------- export


def export_config() -> dict[str, Any]:
    """The configuration of this environment, as `config_import` reads it."""
    problems: list[str] = []
    document: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "app": {"version": settings.APP_VERSION, "commit": settings.GIT_COMMIT},
    }
    for section in SECTIONS:
        document[section.name] = section.export(problems)
    if problems:
        raise ConfigTransferError(problems)
    return document


def dump_config(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------- import


@dataclass
class ImportPlan:
    changes: list[ObjectChange]
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(change.action == action for change in self.changes)

    @property
    def change_count(self) -> int:
        return self.count("created") + self.count("updated")

    def report(self) -> list[str]:
        """What the import did (or would do), object by object and field by field."""
        lines = [] if self.applied else ["Dry run: nothing was changed. The import would:"]
        current = None
        for change in self.changes:
            if change.section != current:
                current = change.section
                lines.append(f"{current}:")
            lines.append(f"  {change.label}: {change.action}")
            for name, (old, new) in change.fields.items():
                shown_new = json.dumps(new, ensure_ascii=False)
                if change.action == "created":
                    lines.append(f"      {name}: {shown_new}")
                else:
                    lines.append(
                        f"      {name}: {json.dumps(old, ensure_ascii=False)} -> {shown_new}"
                    )
            lines.extend(f"      note: {note}" for note in change.notes)
        lines.append(
            f"{self.change_count} change(s): {self.count('created')} created, "
            f"{self.count('updated')} updated, {self.count('unchanged')} unchanged"
            + ("" if self.applied else " (dry run: nothing was changed)")
        )
        return lines


def load_document(text: str) -> dict[str, Any]:
    """The parsed file; ConfigTransferError when it is not one `config_export` wrote."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigTransferError(
            [f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None
    if not isinstance(document, dict):
        raise ConfigTransferError(["expected a JSON object, as config_export writes"])
    if "format" not in document:
        raise ConfigTransferError(['no "format": not a file written by config_export'])
    version = document["format"]
    if type(version) is not int or version != FORMAT:
        raise ConfigTransferError(
            [f"format {version!r} is not one this version reads (it reads format {FORMAT})"]
        )
    known = _DOCUMENT_KEYS | {section.name for section in SECTIONS}
    unknown = sorted(set(document) - known)
    if unknown:
        raise ConfigTransferError(
            [f"unknown section(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"]
        )
    return document


def plan_import(document: dict[str, Any]) -> ImportPlan:
    """What importing `document` would change; reads only. ConfigTransferError lists
    every problem found."""
    problems: list[str] = []
    changes: list[ObjectChange] = []
    for section in SECTIONS:
        if section.name in document:
            changes += section.plan(document[section.name], problems)
    if problems:
        raise ConfigTransferError(problems)
    return ImportPlan(changes)


def _audit_changes(change: ObjectChange) -> dict[str, Any]:
    if change.action == "created":
        values = {name: new for name, (_, new) in change.fields.items()}
        if "password" in values:
            values["password"] = REDACTED
        return values
    changes = {name: {"old": old, "new": new} for name, (old, new) in change.fields.items()}
    if "password" in changes:
        changes["password"] = {"old": REDACTED, "new": REDACTED}
    return changes


def import_config(document: dict[str, Any], *, dry_run: bool = False) -> ImportPlan:
    """Applies `document` in one transaction (nothing at all with `dry_run`)."""
    if dry_run:
        return plan_import(document)
    with transaction.atomic():
        plan = plan_import(document)
        for section in SECTIONS:
            pending = [
                change
                for change in plan.changes
                if change.section == section.heading and change.action != "unchanged"
            ]
            for change in section.save_order(pending):
                change.instance.save()
                audit_record(
                    user=None,
                    action="create" if change.action == "created" else "update",
                    instance=change.instance,
                    changes=_audit_changes(change),
                )
        if connection.vendor == "postgresql":
            # Column positions are checked at commit; fail here, inside the import.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        plan.applied = True
    return plan

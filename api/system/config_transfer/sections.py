"""A section of the file: one model, matched by its natural key. It exports its rows
and plans an import of its entries (what would be created, updated, left alone);
api/management/config_catalogue.py lists the sections and holds the rules particular to some."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from api.system.config_transfer.values import (
    Refused,
    comparable,
    exported,
    imported,
    messages,
)

_SECRET_MARKERS = ("password", "secret", "token")
# What reports show in place of a password.
CONCEALED = "(set)"


@dataclass
class Draft:
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
        return tuple(comparable(self.model._meta.get_field(name), obj) for name in self.key)

    # --------------------------------------------------------------- export

    def export(self, problems: list[str]) -> list[dict[str, Any]]:
        entries, seen = [], {}
        for obj in self.rows():
            entry = {f.name: exported(f, obj) for f in self.fields()}
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
                        values[name] = imported(by_name[name], raw)
                    except Refused as exc:
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
            draft = Draft(
                label=label,
                obj=obj,
                before={f.name: comparable(f, obj) for f in by_name.values()} if matches else None,
                shown_before={f.name: exported(f, obj) for f in by_name.values()}
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

    def read_extras(self, draft: Draft, entry: dict, problems: list[str]) -> None:
        """Keys of the file that are not model fields."""

    def adjust(self, drafts: list[Draft], others: list[models.Model], problems: list[str]):
        """Rules across objects (positions, the one active configuration); may add
        drafts for objects the file does not name."""

    def other_draft(self, obj: models.Model) -> Draft:
        values = {f.name: exported(f, obj) for f in self.fields()}
        return Draft(
            label=f"{self.label(values)} (not in the file)",
            obj=obj,
            before={f.name: comparable(f, obj) for f in self.fields()},
            shown_before=values,
            in_file=False,
        )

    def _change(self, draft: Draft, problems: list[str]) -> ObjectChange | None:
        obj = draft.obj
        try:
            obj.full_clean(exclude=list(self.unvalidated))
        except ValidationError as error:
            problems.extend(f"{self.title} {draft.label}: {m}" for m in messages(error))
            return None
        fields = self.fields()
        if draft.before is None:
            changed = {f.name: (None, exported(f, obj)) for f in fields}
            action = "created"
        else:
            changed = {
                f.name: (draft.shown_before[f.name], exported(f, obj))
                for f in fields
                if draft.before[f.name] != comparable(f, obj)
            }
            action = "updated" if changed or draft.password is not None else "unchanged"
        if draft.password is not None:
            changed["password"] = (CONCEALED if draft.before else None, CONCEALED)
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

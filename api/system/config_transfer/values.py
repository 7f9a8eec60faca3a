"""One field's value in the file and back: JSON-safe values, foreign keys as the
natural key of the row they point at, and the error that says why a file cannot move."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models


class ConfigTransferError(Exception):
    """The file cannot be exported or imported; `problems` says why, one per line."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def natural_key_of(row: models.Model) -> Any:
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


def exported(model_field: models.Field, obj: models.Model) -> Any:
    """The file's value of one field: JSON-safe, foreign keys as natural keys."""
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        return None if related is None else natural_key_of(related)
    return jsonable(model_field.value_from_object(obj))


def comparable(model_field: models.Field, obj: models.Model) -> Any:
    return getattr(obj, model_field.attname)


class Refused(Exception):
    pass


def imported(model_field: models.Field, raw: Any) -> Any:
    """The Python value of one field from the file (foreign keys: the row itself)."""
    if model_field.is_relation:
        if raw is None:
            return None
        key = raw if isinstance(raw, list) else [raw]
        manager = model_field.related_model._default_manager
        if not hasattr(manager, "get_by_natural_key"):
            raise Refused(f"{model_field.name}: its model has no natural key")
        try:
            return manager.get_by_natural_key(*key)
        except ObjectDoesNotExist:
            name = model_field.related_model._meta.verbose_name
            raise Refused(f"{model_field.name}: no {name} {raw!r} here") from None
        except (TypeError, ValueError) as exc:
            raise Refused(f"{model_field.name}: {raw!r} is not a natural key") from exc
    try:
        return model_field.to_python(raw)
    except ValidationError as exc:
        raise Refused(f"{model_field.name}: {' '.join(exc.messages)}") from None


def messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [
            f"{name}: {' '.join(ValidationError(errors).messages)}"
            if name != "__all__"
            else " ".join(ValidationError(errors).messages)
            for name, errors in error.error_dict.items()
        ]
    return list(error.messages)

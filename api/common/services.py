"""Generic writes for resources whose create/update/delete carry no business rule.

Every write is atomic, validated by the model (constraints become 400s naming the
problem, not IntegrityErrors), and audited with its field changes. Resources with
rules (overtime, board moves, approvals) have their own services instead.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction

from api.audit.trail import audit_record, diff, snapshot

M = TypeVar("M", bound=models.Model)


def _split_m2m(model: type[models.Model], data: dict[str, Any]) -> tuple[dict, dict]:
    m2m_names = {field.name for field in model._meta.many_to_many}
    plain = {key: value for key, value in data.items() if key not in m2m_names}
    m2m = {key: value for key, value in data.items() if key in m2m_names}
    return plain, m2m


def _m2m_snapshot(instance: models.Model, names) -> dict[str, list]:
    return {name: sorted(getattr(instance, name).values_list("pk", flat=True)) for name in names}


@transaction.atomic
def instance_create[M: models.Model](
    *, model: type[M], data: dict[str, Any], by: AbstractBaseUser
) -> M:
    plain, m2m = _split_m2m(model, data)
    instance = model(**plain)
    instance.full_clean()
    instance.save()
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    created = snapshot(instance) | _m2m_snapshot(instance, m2m)
    audit_record(user=by, action="create", instance=instance, changes=created)
    return instance


@transaction.atomic
def instance_update[M: models.Model](
    *, instance: M, data: dict[str, Any], by: AbstractBaseUser
) -> M:
    plain, m2m = _split_m2m(type(instance), data)
    before = snapshot(instance) | _m2m_snapshot(instance, m2m)
    for name, value in plain.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    changes = diff(before, snapshot(instance) | _m2m_snapshot(instance, m2m))
    if changes:
        audit_record(user=by, action="update", instance=instance, changes=changes)
    return instance


@transaction.atomic
def instance_delete(*, instance: models.Model, by: AbstractBaseUser) -> None:
    gone = snapshot(instance)
    object_id, object_repr = str(instance.pk), str(instance)
    audit_record(
        user=by,
        action="delete",
        instance=instance,
        object_id=object_id,
        object_repr=object_repr,
        changes=gone,
    )
    instance.delete()  # ProtectedError → 409 with what still refers to it

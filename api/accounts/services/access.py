"""Roles and access control: who holds which role and which per-resource overrides,
and who may change that."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from api.accounts.models import User, UserPermissionOverride
from api.accounts.permissions import forget_effective_permissions, user_can
from api.accounts.roles import Action, Resource, Role, role_level
from api.accounts.selectors import override_rows, user_department_id
from api.accounts.services.sessions import session_close
from api.accounts.signals import access_changed, permissions_changed
from api.audit.trail import audit_record, snapshot
from api.common.exceptions import InvalidInput, NotAllowed

logger = logging.getLogger("api.accounts")


@transaction.atomic
def user_set_role(*, user: User, role: str, by: User | None = None) -> User:
    if role not in Role.values:
        raise InvalidInput({"role": [f"Unknown role {role!r}."]}, code="invalid_choice")
    previous = user.role
    user.role = role
    # The Django admin is for the roles that administer everything.
    user.is_staff = role_level(role) >= role_level(Role.SUPERADMIN)
    user.save(update_fields=["role", "is_staff"])
    forget_effective_permissions(user)
    logger.info("role of %s changed from %s to %s by %s", user.pk, previous, role, by)
    return user


@transaction.atomic
def superadmin_ensure(*, username: str, email: str, password: str) -> tuple[User, bool]:
    """The first superadmin (from the environment). Never resets an existing password."""
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User.objects.create_user(username=username, email=email, password=password)
    if user.role != Role.SUPERADMIN and user.role != Role.DEVELOPER:
        user_set_role(user=user, role=Role.SUPERADMIN)
    elif not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user, created


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Repairs role data after code changes: unknown roles, admin flags, stale overrides."""
    unknown = User.objects.exclude(role__in=Role.values).update(role=Role.USER)
    staff_roles = [r for r in Role.values if role_level(r) >= role_level(Role.SUPERADMIN)]
    made_staff = User.objects.filter(role__in=staff_roles, is_staff=False).update(is_staff=True)
    unmade_staff = (
        User.objects.exclude(role__in=staff_roles)
        .filter(is_staff=True, is_superuser=False)
        .update(is_staff=False)
    )
    stale_overrides, _ = (
        UserPermissionOverride.objects.exclude(resource__in=Resource.values)
        | UserPermissionOverride.objects.exclude(action__in=Action.values)
    ).delete()
    return {
        "unknown_roles_reset": unknown,
        "admin_flag_granted": made_staff,
        "admin_flag_removed": unmade_staff,
        "stale_overrides_removed": stale_overrides,
    }


# ----------------------------------------------------------------------- access control


def _require_role_within_reach(*, role: str | None, by: User) -> None:
    """Nobody grants a role above their own: only developers make developers."""
    if role is None or role_level(role) <= role_level(by.role):
        return
    if role == Role.DEVELOPER:
        raise NotAllowed("Only a developer may grant the developer role.")
    raise NotAllowed(f"You cannot grant the role '{role}', which is above your own.")


def _require_may_manage(*, user: User, by: User, new_role: str | None = None) -> None:
    """Nobody edits their own access (lock-out, self-promotion) or the access of someone
    above them (only developers touch developers)."""
    if user.pk == by.pk:
        raise NotAllowed("You cannot change your own role, permissions or account.")
    if role_level(user.role) > role_level(by.role):
        raise NotAllowed(
            "Only a developer may manage a developer."
            if user.role == Role.DEVELOPER
            else "You cannot manage an account whose role is above your own."
        )
    _require_role_within_reach(role=new_role, by=by)


def _require_grantable(*, resource: str, action: str, by: User) -> None:
    """A grant never exceeds the granter's own permissions (e.g. system configuration
    changes stay the developers' unless a developer grants them)."""
    if not user_can(by, resource, action):
        raise NotAllowed(f"You cannot grant '{action}' on {resource}: you lack it yourself.")


def _overrides_replace(*, user: User, overrides: list[dict[str, Any]], by: User) -> None:
    """The given list becomes the user's overrides; unchanged rows keep their granter."""
    wanted = {(row["resource"], row["action"]): row for row in overrides}
    existing = {(o.resource, o.action): o for o in user.permission_overrides.all()}
    stale = [o.pk for key, o in existing.items() if key not in wanted]
    UserPermissionOverride.objects.filter(pk__in=stale).delete()
    for key, row in wanted.items():
        current = existing.get(key)
        note = row.get("note", "")
        if row["allowed"] and not (current and current.allowed):
            _require_grantable(resource=row["resource"], action=row["action"], by=by)
        if current is None:
            UserPermissionOverride.objects.create(
                user=user,
                resource=row["resource"],
                action=row["action"],
                allowed=row["allowed"],
                note=note,
                granted_by=by,
            )
        elif (current.allowed, current.note) != (row["allowed"], note):
            current.allowed, current.note, current.granted_by = row["allowed"], note, by
            current.save(update_fields=["allowed", "note", "granted_by", "updated_at"])


def _announce_permissions_changed(*, user: User, by: User, changes: dict[str, Any]) -> None:
    # Inside the transaction: the realtime receiver defers its push to on_commit.
    permissions_changed.send(sender=User, user=user, by=by)
    # → api/notifications/receivers.py: notify_access_changed (notifications sit above
    # accounts, so they listen rather than being called).
    access_changed.send(sender=User, user=user, by=by, changes=changes)


@transaction.atomic
def user_access_update(
    *,
    user: User,
    role: str | None = None,
    overrides: list[dict[str, Any]] | None = None,
    by: User,
) -> User:
    """Sets a user's role and/or replaces their permission overrides, audited with the
    before/after lists; the user is told (signal for the live push, a notification)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_may_manage(user=user, by=by, new_role=role)
    changes: dict[str, Any] = {}
    if role is not None and role != user.role:
        changes["role"] = {"old": user.role, "new": role}
        user_set_role(user=user, role=role, by=by)
    if overrides is not None:
        before = override_rows(user)
        _overrides_replace(user=user, overrides=overrides, by=by)
        after = override_rows(user)  # no prefetch on the locked row: read afresh
        if before != after:
            changes["overrides"] = {"old": before, "new": after}
    if not changes:
        return user
    forget_effective_permissions(user)
    audit_record(
        user=by,
        action="update",
        instance=user,
        changes=changes,
        department_id=user_department_id(user),
    )
    _announce_permissions_changed(user=user, by=by, changes=changes)
    return user


@transaction.atomic
def user_local_create(
    *,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role: str = Role.USER,
    by: User,
) -> User:
    """A local account (password sign-in). The password was validated by the caller
    against AUTH_PASSWORD_VALIDATORS; it is stored hashed and audited as redacted."""
    _require_role_within_reach(role=role, by=by)
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user_set_role(user=user, role=role, by=by)
    audit_record(user=by, action="create", instance=user, changes=snapshot(user))
    return user


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    """Accounts are never deleted (audit trails and requests point at them): the user is
    deactivated and every open session ends, so their tokens stop working at once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_may_manage(user=user, by=by)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    open_sessions = user.sessions.filter(logout_at__isnull=True).values_list(
        "session_id", flat=True
    )
    closed = sum(session_close(session_id=str(sid)) for sid in list(open_sessions))
    forget_effective_permissions(user)
    audit_record(
        user=by,
        action="deactivate",
        instance=user,
        changes={"is_active": {"old": True, "new": False}, "sessions_closed": closed},
        department_id=user_department_id(user),
    )
    # Effective permissions are now empty: live sockets must learn it like any change.
    permissions_changed.send(sender=User, user=user, by=by)
    return user

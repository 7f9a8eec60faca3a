"""Writes of the accounts domain: sessions, SSO identities, roles, access control."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from api.accounts.models import ExternalUser, User, UserPermissionOverride, UserSession
from api.accounts.permissions import forget_effective_permissions, user_can
from api.accounts.roles import Action, Resource, Role, role_level
from api.accounts.selectors import override_rows, user_department_id
from api.accounts.signals import permissions_changed, sessions_ended
from api.common.cache import CACHE_ERRORS, cache_unavailable
from api.common.client import ClientInfo
from api.common.exceptions import Conflict
from api.notifications.models import NotificationKind
from api.notifications.services import notifications_create
from api.system.audit import audit_record, snapshot

logger = logging.getLogger("api.accounts")

# last_activity_at is refreshed at most this often per session: a write per request
# would make every API call a database write.
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)


def session_state_key(session_id: str) -> str:
    """Cache copy of a session's state: "open" or "closed". Only a copy: when it is
    missing (evicted, flushed, Redis restarted) the session row decides."""
    return f"session-state:{session_id}"


SESSION_OPEN = "open"
SESSION_CLOSED = "closed"
# How long "open" may be believed without asking the row. A logout overwrites it at
# once; this bounds only a logout whose cache write failed (Redis down at that moment).
SESSION_OPEN_CACHE_SECONDS = 60


def session_touch_key(session_or_jti: str) -> str:
    """Cache marker of a session whose activity time was written recently."""
    return f"session-touch:{session_or_jti}"


def session_start(
    *,
    user: User,
    source: str,
    client: ClientInfo,
    token_jti: str = "",
    expires_at: datetime | None = None,
) -> UserSession:
    now = timezone.now()
    session = UserSession.objects.create(
        user=user,
        auth_source=source,
        token_jti=token_jti,
        ip_address=client.ip_address,
        user_agent=client.user_agent,
        login_at=now,
        last_activity_at=now,
        expires_at=expires_at,
    )
    try:
        cache.add(
            session_state_key(str(session.session_id)),
            SESSION_OPEN,
            timeout=SESSION_OPEN_CACHE_SECONDS,
        )
    except CACHE_ERRORS as exc:
        cache_unavailable("session start", exc)
    return session


def session_touch(*, session_id: str | None = None, token_jti: str | None = None) -> None:
    marker = session_touch_key(session_id or token_jti)
    try:
        if not cache.add(marker, 1, timeout=int(SESSION_TOUCH_INTERVAL.total_seconds())):
            return
    except CACHE_ERRORS as exc:
        cache_unavailable("session touch", exc)
        return  # activity time is a convenience; skip it rather than write every request
    sessions = UserSession.objects.filter(logout_at__isnull=True)
    if session_id:
        sessions = sessions.filter(session_id=session_id)
    elif token_jti:
        sessions = sessions.filter(token_jti=token_jti)
    else:
        return
    sessions.update(last_activity_at=timezone.now())


def session_is_closed(session_id: str, cached_state: str | None = None) -> bool:
    """Is the session logged out? The cached state when there is one, else the row.

    `cached_state` is what the caller already read from the cache (one round trip for
    all of a request's identity facts); without it the cache is asked here.
    """
    key = session_state_key(session_id)
    try:
        state = cached_state if cached_state is not None else cache.get(key)
    except CACHE_ERRORS as exc:
        cache_unavailable("session check", exc)
        state = None
    if state in (SESSION_OPEN, SESSION_CLOSED):
        return state == SESSION_CLOSED
    closed = UserSession.objects.filter(session_id=session_id, logout_at__isnull=False).exists()
    try:
        if closed:
            cache.set(key, SESSION_CLOSED, timeout=_closed_marker_seconds())
        else:
            # add, not set: a logout that wrote "closed" meanwhile must win.
            cache.add(key, SESSION_OPEN, timeout=SESSION_OPEN_CACHE_SECONDS)
    except CACHE_ERRORS as exc:
        cache_unavailable("session check", exc)
    return closed


def _closed_marker_seconds() -> int:
    # Outlive every access token that could still carry this session id; after that a
    # token of the session is refused for its expiry anyway.
    return int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()) + 60


def session_close(*, session_id: str | None = None, token_jti: str | None = None) -> int:
    """Ends the session; access tokens that carry it are refused from now on."""
    sessions = UserSession.objects.filter(logout_at__isnull=True)
    if session_id:
        sessions = sessions.filter(session_id=session_id)
    elif token_jti:
        sessions = sessions.filter(token_jti=token_jti)
    else:
        return 0
    closed = [(user_id, str(sid)) for user_id, sid in sessions.values_list("user_id", "session_id")]
    closed_ids = [sid for _, sid in closed]
    count = sessions.update(logout_at=timezone.now())
    if closed:
        sessions_ended.send(sender=UserSession, sessions=closed)
    try:
        cache.set_many(
            {session_state_key(sid): SESSION_CLOSED for sid in closed_ids},
            timeout=_closed_marker_seconds(),
        )
    except CACHE_ERRORS as exc:
        # An "open" copy may then be believed for SESSION_OPEN_CACHE_SECONDS at most.
        cache_unavailable("session close", exc)
    return count


# ----------------------------------------------------------------------- SSO identities


def _department_for(code: str, name: str):
    """The department named by an SSO profile; codes follow the API's rule (upper case,
    case-insensitively unique), so 'eng' from the SSO is the ENG department."""
    from api.org.models import Department

    code = code.strip().upper()
    department = Department.objects.filter(code__iexact=code).first()
    if department is None:
        department = Department.objects.create(code=code, name=name or code, is_active=True)
    return department


def _employee_for(user: User, profile: dict):
    """The Employee of an SSO profile, created or refreshed, linked to `user`."""
    from api.org.models import Employee

    code = (profile.get("employee_code") or "").strip()
    if not code:
        return None
    department_code = (profile.get("department_code") or "").strip()
    if not department_code:
        return None
    department = _department_for(department_code, profile.get("department_name", ""))
    employee = Employee.objects.select_for_update().filter(employee_code=code).first() or Employee(
        employee_code=code
    )
    employee.first_name = profile.get("first_name") or employee.first_name or user.username
    employee.last_name = profile.get("last_name", employee.last_name)
    employee.email = profile.get("email", employee.email)
    employee.position = profile.get("position", employee.position)
    employee.department = department
    employee.external_id = profile.get("external_id") or employee.external_id
    employee.is_active = True
    employee.user = user
    employee.synced_at = timezone.now()
    employee.save()
    return employee


@transaction.atomic
def external_identity_upsert(*, profile: dict, claims: dict | None = None) -> User:
    """Creates or refreshes the user, ExternalUser and Employee of an SSO profile."""
    external_id = str(profile.get("external_id") or "").strip()
    username = str(profile.get("username") or "").strip()
    if not external_id or not username:
        raise Conflict("The sign-in service returned a profile without id or username.")

    identity = (
        ExternalUser.objects.select_for_update()
        .select_related("user")
        .filter(external_id=external_id)
        .first()
    )
    if identity is None:
        if User.objects.filter(username=username).exists():
            raise Conflict(
                f"A local account already uses the username '{username}'. "
                "An administrator must link or rename it before SSO sign-in works.",
                code="username_taken",
            )
        user = User(username=username, role=settings.EXTERNAL_DEFAULT_ROLE)
        user.set_unusable_password()
        identity = ExternalUser(external_id=external_id, user=user)
    else:
        user = identity.user

    user.first_name = profile.get("first_name", user.first_name)[:150]
    user.last_name = profile.get("last_name", user.last_name)[:150]
    user.email = profile.get("email", user.email)
    user.is_active = bool(profile.get("is_active", True))
    user.save()

    now = timezone.now()
    identity.user = user
    identity.username = username
    identity.employee = _employee_for(user, profile)
    identity.raw_claims = claims or identity.raw_claims
    identity.last_synced_at = now
    identity.last_login_at = now
    identity.save()
    return user


def token_expiry(claims: dict) -> datetime | None:
    exp = claims.get("exp")
    return datetime.fromtimestamp(exp, tz=UTC) if isinstance(exp, int | float) else None


# ----------------------------------------------------------------------- roles


@transaction.atomic
def user_set_role(*, user: User, role: str, by: User | None = None) -> User:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
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
        raise PermissionDenied("Only a developer may grant the developer role.")
    raise PermissionDenied(f"You cannot grant the role '{role}', which is above your own.")


def _require_may_manage(*, user: User, by: User, new_role: str | None = None) -> None:
    """Nobody edits their own access (lock-out, self-promotion) or the access of someone
    above them (only developers touch developers)."""
    if user.pk == by.pk:
        raise PermissionDenied("You cannot change your own role, permissions or account.")
    if role_level(user.role) > role_level(by.role):
        raise PermissionDenied(
            "Only a developer may manage a developer."
            if user.role == Role.DEVELOPER
            else "You cannot manage an account whose role is above your own."
        )
    _require_role_within_reach(role=new_role, by=by)


def _require_grantable(*, resource: str, action: str, by: User) -> None:
    """A grant never exceeds the granter's own permissions (e.g. system configuration
    changes stay the developers' unless a developer grants them)."""
    if not user_can(by, resource, action):
        raise PermissionDenied(f"You cannot grant '{action}' on {resource}: you lack it yourself.")


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
    if "role" in changes:
        message = f"Your role is now {user.get_role_display()}."
    else:
        message = "An administrator changed what you may do in the app."
    notifications_create(
        recipients=[user],
        kind=NotificationKind.PERMISSION_CHANGED,
        title="Your permissions changed",
        message=message,
        data={"resource": Resource.ACCESS_CONTROL, "id": user.pk, "role": user.role},
        actor=by,
    )


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

"""Writes of the accounts domain: sessions, SSO identities, roles."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from api.accounts.models import ExternalUser, User, UserSession
from api.accounts.permissions import forget_effective_permissions
from api.accounts.roles import Role, role_level
from api.common.client import ClientInfo
from api.common.exceptions import Conflict

logger = logging.getLogger("api.accounts")

# last_activity_at is refreshed at most this often per session: a write per request
# would make every API call a database write.
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)


def _closed_key(session_id: str) -> str:
    return f"session-closed:{session_id}"


def session_start(
    *,
    user: User,
    source: str,
    client: ClientInfo,
    token_jti: str = "",
    expires_at: datetime | None = None,
) -> UserSession:
    now = timezone.now()
    return UserSession.objects.create(
        user=user,
        auth_source=source,
        token_jti=token_jti,
        ip_address=client.ip_address,
        user_agent=client.user_agent,
        login_at=now,
        last_activity_at=now,
        expires_at=expires_at,
    )


def session_rotated(*, session_id: str, token_jti: str) -> None:
    """A refresh rotated the token: the session continues under the new jti."""
    UserSession.objects.filter(session_id=session_id, logout_at__isnull=True).update(
        token_jti=token_jti, last_activity_at=timezone.now()
    )


def session_touch(*, session_id: str | None = None, token_jti: str | None = None) -> None:
    marker = f"session-touch:{session_id or token_jti}"
    if not cache.add(marker, 1, timeout=int(SESSION_TOUCH_INTERVAL.total_seconds())):
        return
    sessions = UserSession.objects.filter(logout_at__isnull=True)
    if session_id:
        sessions = sessions.filter(session_id=session_id)
    elif token_jti:
        sessions = sessions.filter(token_jti=token_jti)
    else:
        return
    sessions.update(last_activity_at=timezone.now())


def session_is_closed(session_id: str) -> bool:
    """Cheap check on every request: logout leaves a marker in the cache."""
    return bool(cache.get(_closed_key(session_id)))


def session_close(*, session_id: str | None = None, token_jti: str | None = None) -> int:
    """Ends the session; access tokens that carry it are refused from now on."""
    sessions = UserSession.objects.filter(logout_at__isnull=True)
    if session_id:
        sessions = sessions.filter(session_id=session_id)
    elif token_jti:
        sessions = sessions.filter(token_jti=token_jti)
    else:
        return 0
    closed_ids = [str(sid) for sid in sessions.values_list("session_id", flat=True)]
    count = sessions.update(logout_at=timezone.now())
    # Outlive every access token that could still carry this session id.
    ttl = int(settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()) + 60
    for sid in closed_ids:
        cache.set(_closed_key(sid), 1, timeout=ttl)
    return count


# ----------------------------------------------------------------------- SSO identities


def _department_for(code: str, name: str):
    from api.org.models import Department

    department, _ = Department.objects.get_or_create(
        code=code, defaults={"name": name or code, "is_active": True}
    )
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
    from api.accounts.models import UserPermissionOverride
    from api.accounts.roles import Action, Resource

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

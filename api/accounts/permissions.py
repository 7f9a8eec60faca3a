"""Effective permissions (role defaults + per-user overrides) and the DRF classes
every endpoint uses.

A viewset names its `resource`; the DRF action (list, create, approve...) maps to a
permission action. Object scope (own / department / everything) is not decided
here but by the selectors that build each queryset.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.cache import cache
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.accounts.models import UserPermissionOverride
from api.accounts.roles import DEFAULT_PERMISSIONS, GLOBAL_ROLES, Action, Role, role_level
from api.common.cache import CACHE_ERRORS, cache_unavailable

# A safety net only: every change through the ORM drops the entry at once.
OVERRIDES_CACHE_SECONDS = 300

_VIEWSET_ACTIONS = {
    "list": Action.VIEW,
    "retrieve": Action.VIEW,
    "create": Action.CREATE,
    "update": Action.CHANGE,
    "partial_update": Action.CHANGE,
    "destroy": Action.DELETE,
}
_METHOD_ACTIONS = {"POST": Action.CREATE, "PUT": Action.CHANGE, "PATCH": Action.CHANGE}


def effective_permissions(user) -> Mapping[str, frozenset[str]]:
    """{resource: actions} for this user; computed once per request (one query)."""
    cached = getattr(user, "_effective_permissions", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}

    granted = {
        resource: set(actions)
        for resource, actions in DEFAULT_PERMISSIONS.get(user.role, {}).items()
    }
    overrides = user.__dict__.pop("_prefetched_overrides", None)
    if overrides is None:
        overrides = user_overrides(user.pk)
    for resource, action, allowed in overrides:
        actions = granted.setdefault(resource, set())
        if allowed:
            actions.add(action)
        else:
            actions.discard(action)
    result = {resource: frozenset(actions) for resource, actions in granted.items() if actions}
    user._effective_permissions = result
    return result


def overrides_key(user_id: int) -> str:
    return f"perm-overrides:{user_id}"


def prefetch_overrides(user, rows: list) -> None:
    """Overrides read from the cache along with the rest of the caller's identity
    (api.accounts.auth.identity): this request need not ask again."""
    user.__dict__["_prefetched_overrides"] = rows


def user_overrides(user_id: int) -> list[tuple[str, str, bool]]:
    """(resource, action, allowed) rows of one user, cached: every request of every
    endpoint needs them and they change rarely (receivers drop the cache entry on
    any change, see api.accounts.receivers)."""
    key = overrides_key(user_id)
    try:
        cached = cache.get(key)
    except CACHE_ERRORS as exc:
        cache_unavailable("permission overrides", exc)
        cached = None
    if cached is not None:
        return cached
    rows = list(
        UserPermissionOverride.objects.filter(user_id=user_id).values_list(
            "resource", "action", "allowed"
        )
    )
    try:
        cache.set(key, rows, timeout=OVERRIDES_CACHE_SECONDS)
    except CACHE_ERRORS as exc:
        cache_unavailable("permission overrides", exc)
    return rows


def forget_user_overrides(user_id: int) -> None:
    try:
        cache.delete(overrides_key(user_id))
    except CACHE_ERRORS as exc:
        cache_unavailable("permission overrides", exc)


def forget_effective_permissions(user) -> None:
    """After a role or override change on this very object."""
    user.__dict__.pop("_effective_permissions", None)


def user_can(user, resource: str, action: str) -> bool:
    return action in effective_permissions(user).get(resource, frozenset())


def permission_action_for(request, view) -> str:
    """The permission action a request needs: viewset actions first, HTTP method next."""
    explicit = getattr(view, "permission_actions", {}) or {}
    view_action = getattr(view, "action", None)
    if view_action in explicit:
        return explicit[view_action]
    if view_action in _VIEWSET_ACTIONS:
        return _VIEWSET_ACTIONS[view_action]
    if request.method in SAFE_METHODS:
        return Action.VIEW
    if request.method == "DELETE":
        return Action.DELETE
    # A custom POST action on an existing object (e.g. /tasks/1/move/) changes it.
    if view_action and getattr(view, "detail", False):
        return Action.CHANGE
    return _METHOD_ACTIONS.get(request.method, Action.CHANGE)


class HasResourcePermission(BasePermission):
    """The role's defaults plus the user's overrides allow this action on `view.resource`."""

    message = "You do not have permission to perform this action."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        resource = view.resource
        action = permission_action_for(request, view)
        if user_can(user, resource, action):
            return True
        self.message = f"Your permissions do not allow '{action}' on {resource}."
        return False


class IsGlobalAdmin(BasePermission):
    """Superadmins and developers."""

    message = "Only superadmins may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in GLOBAL_ROLES)


class IsDeveloper(BasePermission):
    message = "Only developers may do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.DEVELOPER)


def role_at_least(user, role: str) -> bool:
    return bool(user and user.is_authenticated and role_level(user.role) >= role_level(role))

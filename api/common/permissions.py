"""The permission check of every ResourceViewSet.

The permission matrix (role defaults and per-user overrides) belongs to api.accounts,
a layer above api.common: it registers its DRF permission class here at start-up
(api/apps.py), and `ResourceViewSet.permission_classes` names `resource_permission`,
which DRF calls once per request like a class. Until a class is registered nothing
passes: a request fails rather than skipping the check.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import BasePermission

_registered: type[BasePermission] | None = None


def register_resource_permission(permission: type[BasePermission]) -> None:
    global _registered
    _registered = permission


def resource_permission() -> BasePermission:
    """A new instance of the registered permission class (DRF keeps one per request,
    and the matrix's class words its refusal on it)."""
    if _registered is None:
        raise ImproperlyConfigured("No resource permission class registered (api/apps.py).")
    return _registered()

from typing import Any

from django.conf import settings

from api.accounts.roles import Role
from api.system.models import SystemConfiguration


def system_config_for(*, user) -> dict[str, Any]:
    """Application facts plus the configuration entries this user may read.

    Everyone reads public entries; developers, who own the configuration, read all.
    """
    entries = SystemConfiguration.objects.order_by("key")
    if user.role != Role.DEVELOPER:
        entries = entries.filter(is_public=True)
    values: dict[str, Any] = {}
    for entry in entries:
        try:
            values[entry.key] = entry.typed_value
        except (ValueError, TypeError):
            values[entry.key] = None  # a bad stored value must not break the endpoint
    return {
        "app": {
            "version": settings.APP_VERSION,
            "commit": settings.GIT_COMMIT,
            "time_zone": settings.TIME_ZONE,
            "environment": settings.DJANGO_ENV,
        },
        "features": {
            "external_login": bool(settings.EXTERNAL_API_URL),
            "smb_enabled": settings.SMB_ENABLED,
            "throttling_enabled": settings.THROTTLING_ENABLED,
            "realtime": "redis" if settings.USE_REDIS_CHANNELS else "in-memory",
        },
        "settings": values,
    }


def config_value(key: str, *, default: Any = None) -> Any:
    """The typed value of one configuration entry, or `default` when unset or invalid."""
    entry = SystemConfiguration.objects.filter(key=key).first()
    if entry is None:
        return default
    try:
        return entry.typed_value
    except (ValueError, TypeError):
        return default

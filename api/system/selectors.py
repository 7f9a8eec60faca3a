"""Reads of the system domain, each scoped to what the asking user may see."""

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from api.accounts.roles import Role
from api.accounts.selectors import user_department_id
from api.audit.models import UserActivityLog
from api.system.models import (
    PersonalNote,
    ReleaseNote,
    SMBConfiguration,
    SystemConfiguration,
    UserReport,
)


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


def activity_logs_visible_to(*, user) -> QuerySet[UserActivityLog]:
    """Everything for global admins; a department admin's department plus their own acts.

    Other roles read the trail only when an override grants it, and then only their own
    rows: the log names people and objects of every department.
    """
    logs = UserActivityLog.objects.select_related("user", "department")
    if user.is_global_admin:
        return logs
    own = Q(user_id=user.pk)
    if user.role == Role.PTB_ADMIN and (department_id := user_department_id(user)):
        return logs.filter(own | Q(department_id=department_id))
    return logs.filter(own)


def personal_notes_visible_to(*, user) -> QuerySet[PersonalNote]:
    """The owner's own notes, whatever their role: notes are private, even to developers."""
    return PersonalNote.objects.filter(owner_id=user.pk)


def user_reports_visible_to(*, user) -> QuerySet[UserReport]:
    """Reporters see their own reports; global admins, who triage them, see all."""
    reports = UserReport.objects.select_related("reporter", "resolved_by")
    if user.is_global_admin:
        return reports
    return reports.filter(reporter_id=user.pk)


def release_notes_visible_to(*, user) -> QuerySet[ReleaseNote]:
    """Published notes for everyone; drafts only for global admins, who write them."""
    notes = ReleaseNote.objects.select_related("created_by")
    if user.is_global_admin:
        return notes
    return notes.filter(is_published=True)


def smb_configs_visible_to(*, user) -> QuerySet[SMBConfiguration]:
    """Who may read SMB configurations at all is the permission matrix's call."""
    return SMBConfiguration.objects.all()

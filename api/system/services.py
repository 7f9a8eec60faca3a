"""Writes of the system domain: configuration defaults, personal notes, user reports,
SMB configurations. Release notes need no rule beyond the generic audited writes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.accounts.roles import Resource
from api.accounts.selectors import global_admins
from api.audit.trail import REDACTED, audit_record, diff, snapshot
from api.common.exceptions import InvalidTransition, NotAllowed
from api.common.services import instance_delete
from api.common.uploads import IMAGE_TYPES, safe_name, validated_upload
from api.integrations.smb import SMBDeliveryError, test_connection
from api.notifications.models import NotificationKind
from api.notifications.services import notification_data, notifications_create
from api.system.models import (
    ConfigValueType,
    PersonalNote,
    SMBConfiguration,
    SystemConfiguration,
    UserReport,
    UserReportStatus,
)
from api.system.smb_target import target_of

# Shown by the client (public) and editable by developers without a deploy.
DEFAULT_CONFIGURATION = (
    ("company-name", "PTB", ConfigValueType.STRING, True, "Company name shown in the app"),
    (
        "support-email",
        "it-support@ptb.example.com",
        ConfigValueType.STRING,
        True,
        "Where the app tells people to write for help",
    ),
    (
        "overtime-min-minutes",
        "30",
        ConfigValueType.INTEGER,
        True,
        "Shortest overtime request accepted, in minutes",
    ),
)


@transaction.atomic
def system_config_ensure_defaults() -> int:
    """Creates missing default entries; never overwrites a value someone changed."""
    created = 0
    for key, value, value_type, is_public, description in DEFAULT_CONFIGURATION:
        _, was_created = SystemConfiguration.objects.get_or_create(
            key=key,
            defaults={
                "value": value,
                "value_type": value_type,
                "is_public": is_public,
                "description": description,
            },
        )
        created += was_created
    return created


# ----------------------------------------------------------------------- personal notes

# Notes are private even from the audit trail: their rows say which fields changed,
# never what they said (superadmins read the trail, not people's notes).
PRIVATE = "[PRIVATE]"
_NOTE_PUBLIC_FIELDS = frozenset({"id", "owner"})


def _note_masked(values: dict) -> dict:
    return {
        name: value if name in _NOTE_PUBLIC_FIELDS else PRIVATE for name, value in values.items()
    }


def _note_audit(
    *, note: PersonalNote, action: str, changes: dict, by: User, object_id: str = ""
) -> None:
    # The title is content too, so it stays out of object_repr.
    audit_record(
        user=by,
        action=action,
        instance=note,
        object_id=object_id,
        object_repr=f"Personal note #{object_id or note.pk}",
        changes=changes,
    )


@transaction.atomic
def personal_note_create(*, data: dict[str, Any], by: User) -> PersonalNote:
    note = PersonalNote(owner=by, **data)
    note.full_clean()
    note.save()
    _note_audit(note=note, action="create", changes=_note_masked(snapshot(note)), by=by)
    return note


@transaction.atomic
def personal_note_update(*, note: PersonalNote, data: dict[str, Any], by: User) -> PersonalNote:
    before = snapshot(note)
    for name, value in data.items():
        setattr(note, name, value)
    note.full_clean()
    note.save()
    if changed := diff(before, snapshot(note)):
        masked = {name: {"old": PRIVATE, "new": PRIVATE} for name in changed}
        _note_audit(note=note, action="update", changes=masked, by=by)
    return note


@transaction.atomic
def personal_note_delete(*, note: PersonalNote, by: User) -> None:
    gone = _note_masked(snapshot(note))
    _note_audit(note=note, action="delete", changes=gone, by=by, object_id=str(note.pk))
    note.delete()


# ----------------------------------------------------------------------- user reports

_REPORT_DONE = (UserReportStatus.RESOLVED, UserReportStatus.CLOSED)
# What only the people who triage reports (global admins) may set.
_REPORT_TRIAGE_FIELDS = frozenset({"status", "resolution_note"})


def _attach_screenshot(report: UserReport, upload) -> None:
    validated_upload(upload, field="screenshot", allowed=IMAGE_TYPES)
    report.screenshot_name = safe_name(upload.name)
    report.screenshot.save(report.screenshot_name, upload, save=False)


def _delete_file_on_commit(storage, name: str | None) -> None:
    """Files are not transactional: remove the old one only once the row change is kept."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def user_report_create(
    *, data: dict[str, Any], screenshot=None, user_agent: str = "", by: User
) -> UserReport:
    report = UserReport(reporter=by, user_agent=user_agent[:512], **data)
    report.full_clean(exclude=["screenshot"])
    if screenshot is not None:
        _attach_screenshot(report, screenshot)
    report.save()
    audit_record(user=by, action="create", instance=report, changes=snapshot(report))
    notifications_create(
        recipients=global_admins(),
        kind=NotificationKind.USER_REPORT_FILED,
        title=f"New {report.get_category_display().lower()} report: {report.title}",
        message=report.description[:500],
        data=notification_data(Resource.USER_REPORTS, report.pk),
        actor=by,
    )
    return report


def _apply_status(report: UserReport, status: str, by: User) -> None:
    if status in _REPORT_DONE and report.status not in _REPORT_DONE:
        report.resolved_by, report.resolved_at = by, timezone.now()
    elif status not in _REPORT_DONE:
        report.resolved_by, report.resolved_at = None, None
    report.status = status


@transaction.atomic
def user_report_update(
    *, report: UserReport, data: dict[str, Any], screenshot=None, by: User
) -> UserReport:
    """Reporters edit their report while it is open; global admins triage it.

    Status and resolution are the triagers' alone (403 for anyone else), and the
    reporter is told when the status of their report changes.
    """
    report = UserReport.objects.select_for_update().get(pk=report.pk)
    triage = {name: value for name, value in data.items() if name in _REPORT_TRIAGE_FIELDS}
    edits = {name: value for name, value in data.items() if name not in _REPORT_TRIAGE_FIELDS}
    if not by.is_global_admin:
        if triage:
            raise NotAllowed("Only superadmins and developers change a report's status.")
        if report.status != UserReportStatus.OPEN:
            raise InvalidTransition(
                f"Cannot edit a report that is {report.status}.", current_status=report.status
            )
    before = snapshot(report)
    # The FieldFile is renamed in place when a new file is saved: keep the old name.
    old_screenshot = report.screenshot.name
    for name, value in edits.items():
        setattr(report, name, value)
    if "resolution_note" in triage:
        report.resolution_note = triage["resolution_note"]
    if "status" in triage:
        _apply_status(report, triage["status"], by)
    report.full_clean(exclude=["screenshot"])
    if screenshot is not None:
        _attach_screenshot(report, screenshot)
    report.save()
    changes = diff(before, snapshot(report))
    if not changes:
        return report
    audit_record(user=by, action="update", instance=report, changes=changes)
    if "screenshot" in changes:
        _delete_file_on_commit(report.screenshot.storage, old_screenshot)
    if "status" in changes:
        notifications_create(
            recipients=[report.reporter],
            kind=NotificationKind.USER_REPORT_UPDATED,
            title=f"Your report #{report.pk} is {report.get_status_display().lower()}",
            message=report.resolution_note,
            data=notification_data(Resource.USER_REPORTS, report.pk),
            actor=by,
        )
    return report


@transaction.atomic
def user_report_delete(*, report: UserReport, by: User) -> None:
    storage, name = report.screenshot.storage, report.screenshot.name
    instance_delete(instance=report, by=by)
    _delete_file_on_commit(storage, name)


# ----------------------------------------------------------------------- SMB configurations


def _smb_deactivate_others(*, keep_pk: int | None, by: User) -> None:
    """At most one configuration is active; the one being activated takes over."""
    active = SMBConfiguration.objects.select_for_update().filter(is_active=True)
    if keep_pk is not None:
        active = active.exclude(pk=keep_pk)
    for other in active:
        other.is_active = False
        other.save(update_fields=["is_active", "updated_at"])
        audit_record(
            user=by,
            action="update",
            instance=other,
            changes={"is_active": {"old": True, "new": False}},
        )


def _smb_snapshot(config: SMBConfiguration) -> dict[str, Any]:
    """The audited values; the password only as "[REDACTED]" (set) or "" (none)."""
    values = snapshot(config)  # redacts password_encrypted already
    values["password"] = values.pop("password_encrypted")
    return values


@transaction.atomic
def smb_config_create(*, data: dict[str, Any], password: str = "", by: User) -> SMBConfiguration:
    config = SMBConfiguration(**data)
    config.set_password(password)
    if config.is_active:
        _smb_deactivate_others(keep_pk=None, by=by)
    config.full_clean()
    config.save()
    audit_record(user=by, action="create", instance=config, changes=_smb_snapshot(config))
    return config


@transaction.atomic
def smb_config_update(
    *, config: SMBConfiguration, data: dict[str, Any], password: str | None = None, by: User
) -> SMBConfiguration:
    """`password`: None keeps the stored one, "" clears it, anything else replaces it."""
    config = SMBConfiguration.objects.select_for_update().get(pk=config.pk)
    before = _smb_snapshot(config)
    for name, value in data.items():
        setattr(config, name, value)
    if password is not None:
        config.set_password(password)
    if config.is_active and not before["is_active"]:
        _smb_deactivate_others(keep_pk=config.pk, by=by)
    config.full_clean()
    config.save()
    changes = diff(before, _smb_snapshot(config))
    if password and "password" not in changes:  # replaced: redacted before and after
        changes["password"] = {"old": REDACTED, "new": REDACTED}
    if changes:
        audit_record(user=by, action="update", instance=config, changes=changes)
    return config


def smb_config_test(*, config: SMBConfiguration, by: User) -> dict[str, Any]:
    """Tries the share now (connect, list, write a probe) and keeps the verdict on the row.

    No transaction around it: the test may take up to the configuration's timeout, and
    a row lock held that long would stall edits and deliveries for nothing.
    """
    try:
        result = test_connection(target_of(config))
    except SMBDeliveryError as exc:  # unusable configuration (e.g. undecryptable password)
        result = {
            "connect": False,
            "list": False,
            "write": False,
            "client": config.client,
            "encrypted": False,
            "detail": str(exc),
        }
    config.last_tested_at = timezone.now()
    config.last_test_result = result
    # Not updated_at: a test is not an edit of the configuration.
    config.save(update_fields=["last_tested_at", "last_test_result"])
    audit_record(user=by, action="test", instance=config, changes={"result": result})
    return result

"""Writes of a card's conversation: comments and attached files.

Comments are announced live once per change, inside the transaction
(api/kanban/services/events.py). A deleted comment stays as a tombstone so the
thread keeps its shape and the audit its trail.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from api.accounts.models import User
from api.audit.trail import audit_record, diff, snapshot
from api.common.exceptions import InvalidTransition, NotAllowed
from api.common.uploads import ATTACHMENT_TYPES, safe_name, validated_upload
from api.kanban.models import Task, TaskActivityVerb, TaskAttachment, TaskComment
from api.kanban.services.events import announce_comment
from api.kanban.services.history import activity_record, require_live, task_notify
from api.notifications.models import NotificationKind

PREVIEW_CHARS = 200


def _locked_comment(comment: TaskComment, by: User, doing: str) -> TaskComment:
    comment = TaskComment.objects.select_for_update(no_key=True).get(pk=comment.pk)
    if comment.author_id != by.pk:
        raise NotAllowed(f"Only the author may {doing} a comment.")
    if comment.deleted_at is not None:
        raise InvalidTransition(f"Cannot {doing} a deleted comment.", current_status="deleted")
    return comment


@transaction.atomic
def task_comment_create(*, task: Task, body: str, by: User) -> TaskComment:
    """A comment by `by`; the card's assignees and creator are told (not the author)."""
    require_live(task, "comment on")
    comment = TaskComment.objects.create(task=task, author=by, body=body)
    activity_record(
        task=task,
        by=by,
        verb=TaskActivityVerb.COMMENTED,
        changes={"comment": comment.pk, "action": "created"},
    )
    audit_record(user=by, action="create", instance=comment, changes=snapshot(comment))
    task_notify(
        recipients=[*task.assignees.all(), task.created_by],
        kind=NotificationKind.TASK_COMMENTED,
        task=task,
        title=f"New comment on: {task.title}",
        message=body[:PREVIEW_CHARS],
        by=by,
    )
    # → api/realtime/receivers.py: record_and_publish (through events.py)
    announce_comment(comment, "created", by=by)
    return comment


@transaction.atomic
def task_comment_edit(*, comment: TaskComment, body: str, by: User) -> TaskComment:
    comment = _locked_comment(comment, by, "edit")
    if body == comment.body:
        return comment
    before = snapshot(comment)
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at", "updated_at"])
    activity_record(
        task=comment.task,
        by=by,
        verb=TaskActivityVerb.COMMENTED,
        changes={"comment": comment.pk, "action": "edited"},
    )
    changes = diff(before, snapshot(comment))
    audit_record(user=by, action="update", instance=comment, changes=changes)
    # → api/realtime/receivers.py: record_and_publish (through events.py)
    announce_comment(comment, "edited", by=by)
    return comment


@transaction.atomic
def task_comment_delete(*, comment: TaskComment, by: User) -> TaskComment:
    """Soft delete: the row stays (its body hidden from readers), marked deleted."""
    comment = _locked_comment(comment, by, "delete")
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at", "updated_at"])
    activity_record(
        task=comment.task,
        by=by,
        verb=TaskActivityVerb.COMMENTED,
        changes={"comment": comment.pk, "action": "deleted"},
    )
    audit_record(
        user=by,
        action="delete",
        instance=comment,
        changes={"deleted_at": {"old": None, "new": comment.deleted_at.isoformat()}},
    )
    # → api/realtime/receivers.py: record_and_publish (through events.py)
    announce_comment(comment, "deleted", by=by)
    return comment


@transaction.atomic
def task_attachment_upload(*, task: Task, upload, by: User) -> TaskAttachment:
    """Stores a file on the card after checking its size and real type."""
    require_live(task, "attach files to")
    content_type, size = validated_upload(upload, field="file", allowed=ATTACHMENT_TYPES)
    name = safe_name(upload.name)
    attachment = TaskAttachment(
        task=task, original_name=name, content_type=content_type, size_bytes=size, uploaded_by=by
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    activity_record(
        task=task,
        by=by,
        verb=TaskActivityVerb.ATTACHED,
        changes={"attachment": attachment.pk, "name": name, "action": "added"},
    )
    audit_record(user=by, action="create", instance=attachment, changes=snapshot(attachment))
    return attachment


@transaction.atomic
def task_attachment_delete(*, attachment: TaskAttachment, by: User) -> None:
    """The uploader or a global admin removes a file; it leaves storage once committed."""
    if attachment.uploaded_by_id != by.pk and not by.is_global_admin:
        raise NotAllowed("Only the uploader or a global admin may remove a file.")
    activity_record(
        task=attachment.task,
        by=by,
        verb=TaskActivityVerb.ATTACHED,
        changes={
            "attachment": attachment.pk,
            "name": attachment.original_name,
            "action": "removed",
        },
    )
    audit_record(user=by, action="delete", instance=attachment, changes=snapshot(attachment))
    storage, stored_name = attachment.file.storage, attachment.file.name
    attachment.delete()
    # After the commit only: a rolled-back delete must still find its file.
    transaction.on_commit(lambda: storage.delete(stored_name))

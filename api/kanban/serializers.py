"""Shapes of the Kanban API: what clients read, and what they send to each service."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from api.accounts.models import User
from api.common.fields import (
    DepartmentBriefSerializer,
    ProjectBriefSerializer,
    UserBriefSerializer,
)
from api.common.serializers import ModelSerializer, OffsetDateTimeField, Serializer
from api.kanban import selectors
from api.kanban.models import (
    BoardPresence,
    Task,
    TaskActivity,
    TaskAttachment,
    TaskComment,
    TaskGroup,
    TaskPriority,
    TaskReminder,
    TaskSubtask,
    TaskTimeLog,
)
from api.org.models import Department, Project


def _active_users():
    return User.objects.filter(is_active=True)


class VisibleTaskField(serializers.PrimaryKeyRelatedField):
    """A card id the requesting user can see; any other id is "does not exist"."""

    def get_queryset(self):
        return selectors.tasks_visible_to(user=self.context["request"].user)


# ----------------------------------------------------------------------- cards


class TaskSerializer(ModelSerializer):
    """A card as clients read it (lists, detail, and `error.current` of a 409)."""

    project = ProjectBriefSerializer(read_only=True, allow_null=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    assignees = UserBriefSerializer(many=True, read_only=True)
    created_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = Task
        ref_name = "KanbanTask"
        fields = (
            "id",
            "group",
            "position",
            "title",
            "description",
            "priority",
            "project",
            "department",
            "assignees",
            "due_date",
            "created_by",
            "version",
            "completed_at",
            "archived_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class TaskContentSerializer(Serializer):
    """The fields a card's creator or editor sets."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(choices=TaskPriority.choices, default=TaskPriority.MEDIUM)
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.filter(is_active=True), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text="Defaults to your own department; null makes a company-wide card.",
    )
    assignees = serializers.PrimaryKeyRelatedField(
        queryset=_active_users(), many=True, required=False, help_text="Active user ids."
    )
    due_date = serializers.DateField(required=False, allow_null=True)


class TaskCreateSerializer(TaskContentSerializer):
    group = serializers.PrimaryKeyRelatedField(
        queryset=TaskGroup.objects.all(),
        required=False,
        help_text="The column; defaults to the first one.",
    )
    position = serializers.IntegerField(
        min_value=0, required=False, help_text="Defaults to the end of the column."
    )


class TaskUpdateSerializer(TaskContentSerializer):
    """Edits (PUT behaves as PATCH): only the fields sent change; `version` is required."""

    version = serializers.IntegerField(
        min_value=1, help_text="The version you edited; a different stored one is a 409."
    )
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=TaskPriority.choices, required=False)
    group = serializers.PrimaryKeyRelatedField(
        queryset=TaskGroup.objects.all(),
        required=False,
        help_text="Accepted only unchanged: cards move through /api/v2/board/move/.",
    )
    position = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="Accepted only unchanged: cards move through /api/v2/board/move/.",
    )


# ----------------------------------------------------------------------- columns


class TaskGroupSerializer(ModelSerializer):
    position = serializers.IntegerField(
        min_value=0, required=False, help_text="Defaults to the end; the others make room."
    )
    wip_limit = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    live_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = TaskGroup
        fields = (
            "id",
            "name",
            "position",
            "wip_limit",
            "color",
            "is_done_column",
            "live_count",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "live_count", "created_at", "updated_at")


class TaskGroupReorderSerializer(Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every column id once, in the new order."
    )


# ----------------------------------------------------------------------- children


class _TaskChildSerializer(ModelSerializer):
    """A card's child: names a card the user can see; the card is fixed once created."""

    task = VisibleTaskField()

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["task"].read_only = True
        return fields


class TaskCommentSerializer(_TaskChildSerializer):
    """A deleted comment keeps its place in the thread with an empty body."""

    author = UserBriefSerializer(read_only=True)
    body = serializers.CharField(max_length=10_000)
    is_deleted = serializers.SerializerMethodField()

    class Meta:
        model = TaskComment
        fields = (
            "id",
            "task",
            "author",
            "body",
            "is_deleted",
            "edited_at",
            "deleted_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "edited_at", "deleted_at", "created_at", "updated_at")

    def get_is_deleted(self, comment) -> bool:
        return comment.deleted_at is not None

    def to_representation(self, comment):
        data = super().to_representation(comment)
        if comment.deleted_at is not None:
            data["body"] = ""
        return data


class TaskSubtaskSerializer(_TaskChildSerializer):
    position = serializers.IntegerField(
        min_value=0, required=False, help_text="Defaults to after the last subtask."
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=_active_users(), required=False, allow_null=True
    )

    class Meta:
        model = TaskSubtask
        fields = (
            "id",
            "task",
            "title",
            "is_done",
            "done_at",
            "position",
            "assignee",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "done_at", "created_at", "updated_at")


class TaskTimeLogSerializer(_TaskChildSerializer):
    user = UserBriefSerializer(read_only=True)
    started_at = OffsetDateTimeField(required=False, help_text="Defaults to now.")
    ended_at = OffsetDateTimeField(
        required=False, allow_null=True, help_text="Empty: a running timer (one per person)."
    )
    duration_minutes = serializers.SerializerMethodField(
        help_text="Whole minutes logged; for a running timer, so far."
    )
    is_running = serializers.SerializerMethodField()

    class Meta:
        model = TaskTimeLog
        fields = (
            "id",
            "task",
            "user",
            "started_at",
            "ended_at",
            "note",
            "duration_minutes",
            "is_running",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")

    def get_duration_minutes(self, log) -> int:
        return int(((log.ended_at or timezone.now()) - log.started_at).total_seconds() // 60)

    def get_is_running(self, log) -> bool:
        return log.ended_at is None


class TaskActivitySerializer(ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TaskActivity
        fields = ("id", "task", "actor", "verb", "changes", "created_at")
        read_only_fields = fields


class TaskAttachmentSerializer(_TaskChildSerializer):
    file = serializers.FileField(write_only=True)
    uploaded_by = UserBriefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = TaskAttachment
        fields = (
            "id",
            "task",
            "file",
            "original_name",
            "content_type",
            "size_bytes",
            "uploaded_by",
            "download_url",
            "created_at",
        )
        read_only_fields = ("id", "original_name", "content_type", "size_bytes", "created_at")

    def get_download_url(self, attachment) -> str:
        return f"/api/v1/task-attachments/{attachment.pk}/download/"


class TaskReminderSerializer(_TaskChildSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=_active_users(),
        required=False,
        help_text="Defaults to you; only global admins remind somebody else.",
    )

    class Meta:
        model = TaskReminder
        fields = ("id", "task", "user", "remind_at", "message", "sent_at", "created_at")
        read_only_fields = ("id", "sent_at", "created_at")


class BoardPresenceSerializer(ModelSerializer):
    user = UserBriefSerializer(read_only=True)

    class Meta:
        model = BoardPresence
        fields = ("id", "user", "task", "server_id", "connected_at", "last_seen_at")
        read_only_fields = fields

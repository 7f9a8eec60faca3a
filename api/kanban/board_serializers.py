"""Shapes of the v2 board: the compact card (also the card of socket events), its
columns, and the move a client sends."""

from __future__ import annotations

from rest_framework import serializers

from api.common.fields import DepartmentBriefSerializer, ProjectBriefSerializer, UserBriefSerializer
from api.common.serializers import ModelSerializer, Serializer
from api.kanban.models import Task, TaskGroup
from api.kanban.serializers import VisibleTaskField


class BoardCardSerializer(ModelSerializer):
    """The compact card of the board view and of card events on the sockets.

    Its related objects have the brief shapes of `TaskSerializer`, so a client keeps
    one model of a card whichever answer or event it came from.
    """

    assignees = UserBriefSerializer(many=True, read_only=True)
    project = ProjectBriefSerializer(read_only=True, allow_null=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    created_by = UserBriefSerializer(read_only=True, allow_null=True)
    comment_count = serializers.IntegerField(read_only=True)
    subtask_count = serializers.IntegerField(read_only=True)
    subtask_done_count = serializers.IntegerField(read_only=True)
    attachment_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Task
        fields = (
            "id",
            "group",
            "title",
            "priority",
            "position",
            "version",
            "due_date",
            "assignees",
            "project",
            "department",
            "created_by",
            "comment_count",
            "subtask_count",
            "subtask_done_count",
            "attachment_count",
        )
        read_only_fields = fields


class BoardColumnSerializer(ModelSerializer):
    count = serializers.SerializerMethodField(help_text="Cards of this column in this answer.")
    total = serializers.IntegerField(
        read_only=True, help_text="All live cards of the column (what the WIP limit counts)."
    )
    cards = BoardCardSerializer(many=True, read_only=True)

    class Meta:
        model = TaskGroup
        fields = (
            "id",
            "name",
            "position",
            "wip_limit",
            "color",
            "is_done_column",
            "count",
            "total",
            "cards",
        )
        read_only_fields = fields

    def get_count(self, column) -> int:
        return len(column.cards)


class BoardSerializer(Serializer):
    columns = BoardColumnSerializer(many=True, read_only=True)

    class Meta:
        ref_name = "KanbanBoard"


class BoardMoveSerializer(Serializer):
    task = VisibleTaskField()
    group = serializers.PrimaryKeyRelatedField(queryset=TaskGroup.objects.all())
    position = serializers.IntegerField(
        min_value=0, help_text="Zero-based; beyond the end of the column means the end."
    )
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="If given and stale, the move is a 409."
    )

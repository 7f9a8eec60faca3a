"""A card's conversation and history: comments, attachments, activities."""

from __future__ import annotations

from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser

from api.accounts.roles import Resource
from api.common.parsers import JSONParser
from api.common.uploads import download_response
from api.common.viewsets import CRUDViewSet, ReadOnlyViewSet
from api.kanban import selectors, services
from api.kanban.filters import TaskActivityFilter, TaskAttachmentFilter, TaskCommentFilter
from api.kanban.serializers import (
    TaskActivitySerializer,
    TaskAttachmentSerializer,
    TaskCommentSerializer,
)


class TaskCommentViewSet(CRUDViewSet):
    """Comments on a card. Only the author edits or deletes; deleted ones stay listed
    with an empty body."""

    resource = Resource.TASK_COMMENTS
    serializer_class = TaskCommentSerializer
    filterset_class = TaskCommentFilter
    search_fields = ("body",)
    ordering_fields = ("created_at",)
    ordering = ("created_at", "id")

    def visible_queryset(self, user):
        return selectors.task_comments_visible_to(user=user)

    def filter_queryset(self, queryset):
        if self.request.query_params.get("search"):  # a deleted body is not searchable
            queryset = queryset.filter(deleted_at__isnull=True)
        return super().filter_queryset(queryset)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.task_comment_create(
            task=data["task"], body=data["body"], by=self.request.user
        )

    def perform_update(self, serializer):
        comment = serializer.instance
        serializer.instance = services.task_comment_edit(
            comment=comment,
            body=serializer.validated_data.get("body", comment.body),
            by=self.request.user,
        )

    def perform_destroy(self, instance):
        services.task_comment_delete(comment=instance, by=self.request.user)


class TaskActivityViewSet(ReadOnlyViewSet):
    """A card's append-only history."""

    resource = Resource.TASK_ACTIVITIES
    serializer_class = TaskActivitySerializer
    filterset_class = TaskActivityFilter
    ordering_fields = ("created_at",)
    ordering = ("-created_at", "-id")

    def visible_queryset(self, user):
        return selectors.task_activities_visible_to(user=user)


class TaskAttachmentViewSet(CRUDViewSet):
    """Files on cards. Never served publicly: `download` checks the card is visible."""

    resource = Resource.TASK_ATTACHMENTS
    serializer_class = TaskAttachmentSerializer
    parser_classes = (MultiPartParser, FormParser, JSONParser)
    http_method_names = ("get", "post", "delete", "head", "options")
    filterset_class = TaskAttachmentFilter
    search_fields = ("original_name",)
    ordering_fields = ("created_at", "original_name", "size_bytes")
    ordering = ("-created_at", "-id")

    def visible_queryset(self, user):
        return selectors.task_attachments_visible_to(user=user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.task_attachment_upload(
            task=data["task"], upload=data["file"], by=self.request.user
        )

    def perform_destroy(self, instance):
        services.task_attachment_delete(attachment=instance, by=self.request.user)

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        attachment = self.get_object()
        return download_response(
            attachment.file,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )

"""The Kanban API: one thin ViewSet per resource (v1) and the board view (v2).

Reads go through `selectors` (visibility rule in its docstring), writes through one
`services` function each.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django_filters.utils import translate_validation
from drf_yasg import openapi
from drf_yasg.utils import swagger_auto_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from api.accounts.permissions import HasResourcePermission
from api.accounts.roles import Action, Resource
from api.common.parsers import JSONParser
from api.common.serializers import ErrorResponseSerializer
from api.common.uploads import download_response
from api.common.viewsets import CRUDViewSet, ReadOnlyViewSet
from api.kanban import selectors, services
from api.kanban.filters import (
    BoardFilter,
    BoardPresenceFilter,
    TaskActivityFilter,
    TaskAttachmentFilter,
    TaskCommentFilter,
    TaskFilter,
    TaskReminderFilter,
    TaskSubtaskFilter,
    TaskTimeLogFilter,
)
from api.kanban.models import Task
from api.kanban.serializers import (
    BoardCardSerializer,
    BoardMoveSerializer,
    BoardPresenceSerializer,
    BoardSerializer,
    TaskActivitySerializer,
    TaskAttachmentSerializer,
    TaskCommentSerializer,
    TaskCreateSerializer,
    TaskGroupReorderSerializer,
    TaskGroupSerializer,
    TaskReminderSerializer,
    TaskSerializer,
    TaskSubtaskSerializer,
    TaskTimeLogSerializer,
    TaskUpdateSerializer,
)

CONFLICT = {409: ErrorResponseSerializer}


@contextmanager
def current_task_on_conflict() -> Iterator[None]:
    """A stale-version 409 carries the card as it is now (`error.current`), so the client
    can merge and retry without another request."""
    try:
        yield
    except services.StaleVersion as conflict:
        current = selectors.task_details().get(pk=conflict.task.pk)
        conflict.extra["current"] = TaskSerializer(current).data
        raise


# ----------------------------------------------------------------------- cards


class TaskViewSet(CRUDViewSet):
    """Kanban cards. Edits carry `version`; DELETE archives; moves go through the board.

    Lists show live cards unless `?archived=true`; a single card is found either way.
    """

    resource = Resource.TASKS
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    search_fields = ("title", "description")
    ordering_fields = ("position", "due_date", "priority", "title", "created_at", "updated_at")
    ordering = ("group__position", "position", "id")

    def visible_queryset(self, user):
        return selectors.tasks_visible_to(user=user)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list" and not self.request.query_params.get("archived"):
            queryset = queryset.filter(archived_at__isnull=True)
        return queryset

    def _respond(self, task, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.task_details().get(pk=task.pk)
        return Response(TaskSerializer(fresh).data, status=code)

    @swagger_auto_schema(request_body=TaskCreateSerializer, responses={201: TaskSerializer})
    def create(self, request, *args, **kwargs):
        body = TaskCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = services.task_create(by=request.user, **body.validated_data)
        return self._respond(task, status.HTTP_201_CREATED)

    @swagger_auto_schema(
        request_body=TaskUpdateSerializer, responses={200: TaskSerializer, **CONFLICT}
    )
    def update(self, request, *args, **kwargs):
        task = self.get_object()
        body = TaskUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with current_task_on_conflict():
            task = services.task_update(task=task, by=request.user, **body.validated_data)
        return self._respond(task)

    @swagger_auto_schema(
        request_body=TaskUpdateSerializer, responses={200: TaskSerializer, **CONFLICT}
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.task_archive(task=instance, by=self.request.user)


class TaskGroupViewSet(CRUDViewSet):
    """The board's columns, kept at positions 0..n-1 (see `reorder`)."""

    resource = Resource.TASK_GROUPS
    permission_actions = {"reorder": Action.CHANGE}
    serializer_class = TaskGroupSerializer
    filterset_fields = ("is_done_column",)
    search_fields = ("name",)
    ordering_fields = ("position", "name", "created_at")
    ordering = ("position", "id")

    def visible_queryset(self, user):
        return selectors.task_groups_visible_to(user=user)

    def perform_create(self, serializer):
        column = services.task_group_create(by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=column.pk)

    def perform_update(self, serializer):
        column = services.task_group_update(
            group=serializer.instance, by=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=column.pk)

    def perform_destroy(self, instance):
        services.task_group_delete(group=instance, by=self.request.user)

    @swagger_auto_schema(
        request_body=TaskGroupReorderSerializer, responses={200: TaskGroupSerializer(many=True)}
    )
    @action(detail=False, methods=["post"])
    def reorder(self, request):
        """Puts all columns in the given order (every column id once)."""
        body = TaskGroupReorderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.task_groups_reorder(order=body.validated_data["order"], by=request.user)
        columns = self.get_queryset().order_by("position", "id")
        return Response(TaskGroupSerializer(columns, many=True).data)


# ----------------------------------------------------------------------- board (v2)


BOARD_FILTERS = [
    openapi.Parameter(name, openapi.IN_QUERY, type=openapi.TYPE_INTEGER, description=text)
    for name, text in (
        ("project", "Only cards of this project."),
        ("department", "Only cards of this department."),
        ("assignee", "Only cards assigned to this user."),
    )
]


class BoardViewSet(viewsets.GenericViewSet):
    """`/api/v2/board/`: every column with its ordered cards in one answer, and the move."""

    permission_classes = [HasResourcePermission]
    resource = Resource.TASKS
    permission_actions = {"board": Action.VIEW, "move": Action.CHANGE}
    serializer_class = BoardCardSerializer
    pagination_class = None
    filter_backends = ()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Task.objects.none()
        return selectors.board_cards_visible_to(user=self.request.user)

    @swagger_auto_schema(
        manual_parameters=BOARD_FILTERS,
        responses={200: BoardSerializer, 400: ErrorResponseSerializer},
    )
    def board(self, request):
        """Columns in order, each with its live cards in order; a constant number of
        queries whatever the number of cards."""
        cards = BoardFilter(request.query_params, queryset=self.get_queryset())
        if not cards.is_valid():
            raise translate_validation(cards.errors)
        columns = selectors.board_columns(cards=cards.qs)
        return Response(BoardSerializer({"columns": columns}).data)

    @swagger_auto_schema(
        request_body=BoardMoveSerializer, responses={200: BoardCardSerializer, **CONFLICT}
    )
    def move(self, request):
        """Places a card in a column at a position, atomically; both columns stay dense."""
        body = BoardMoveSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with current_task_on_conflict():
            task = services.task_move(
                task=data["task"],
                group=data["group"],
                position=data["position"],
                version=data.get("version"),
                by=request.user,
            )
        card = self.get_queryset().get(pk=task.pk)
        return Response(BoardCardSerializer(card).data)


# ----------------------------------------------------------------------- children


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


class TaskSubtaskViewSet(CRUDViewSet):
    resource = Resource.TASK_SUBTASKS
    serializer_class = TaskSubtaskSerializer
    filterset_class = TaskSubtaskFilter
    search_fields = ("title",)
    ordering_fields = ("position", "created_at", "done_at")
    ordering = ("task_id", "position", "id")

    def visible_queryset(self, user):
        return selectors.task_subtasks_visible_to(user=user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.task_subtask_create(
            task=data.pop("task"), by=self.request.user, **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.task_subtask_update(
            subtask=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.task_subtask_delete(subtask=instance, by=self.request.user)


class TaskTimeLogViewSet(CRUDViewSet):
    """Time spent on cards: everyone who sees a card sees its logs; people change only
    their own. A log without `ended_at` is a running timer (one per person)."""

    resource = Resource.TASK_TIME_LOGS
    serializer_class = TaskTimeLogSerializer
    filterset_class = TaskTimeLogFilter
    search_fields = ("note",)
    ordering_fields = ("started_at", "ended_at", "created_at")
    ordering = ("-started_at", "-id")

    def visible_queryset(self, user):
        return selectors.task_time_logs_visible_to(user=user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.task_time_log_create(
            task=data.pop("task"), by=self.request.user, **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.task_time_log_update(
            log=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.task_time_log_delete(log=instance, by=self.request.user)


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


class TaskReminderViewSet(CRUDViewSet):
    """Personal reminders on cards; the periodic job turns due ones into notifications."""

    resource = Resource.TASK_REMINDERS
    serializer_class = TaskReminderSerializer
    filterset_class = TaskReminderFilter
    search_fields = ("message",)
    ordering_fields = ("remind_at", "created_at")
    ordering = ("remind_at", "id")

    def visible_queryset(self, user):
        return selectors.task_reminders_visible_to(user=user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.task_reminder_create(
            task=data.pop("task"), by=self.request.user, **data
        )

    def perform_update(self, serializer):
        serializer.instance = services.task_reminder_update(
            reminder=serializer.instance, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.task_reminder_delete(reminder=instance, by=self.request.user)


class BoardPresenceViewSet(ReadOnlyViewSet):
    """Who is connected to the board (or a card) now, from the durable presence rows."""

    resource = Resource.BOARD_PRESENCE
    serializer_class = BoardPresenceSerializer
    filterset_class = BoardPresenceFilter
    ordering_fields = ("connected_at", "last_seen_at")
    ordering = ("-connected_at", "-id")

    def visible_queryset(self, user):
        return selectors.board_presence_visible_to(user=user)

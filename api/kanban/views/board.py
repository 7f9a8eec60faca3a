"""The board's frame and the board view: columns, the v2 board and move, presence."""

from __future__ import annotations

from django_filters.utils import translate_validation
from drf_yasg import openapi
from drf_yasg.utils import swagger_auto_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.accounts.permissions import HasResourcePermission
from api.accounts.roles import Action, Resource
from api.common.serializers import ErrorResponseSerializer
from api.common.viewsets import CRUDViewSet, ReadOnlyViewSet
from api.kanban import selectors, services
from api.kanban.board_serializers import BoardCardSerializer, BoardMoveSerializer, BoardSerializer
from api.kanban.filters import BoardFilter, BoardPresenceFilter
from api.kanban.models import Task
from api.kanban.serializers import (
    BoardPresenceSerializer,
    TaskGroupReorderSerializer,
    TaskGroupSerializer,
)
from api.kanban.views.cards import CONFLICT, current_task_on_conflict


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


class BoardPresenceViewSet(ReadOnlyViewSet):
    """Who is connected to the board (or a card) now, from the durable presence rows."""

    resource = Resource.BOARD_PRESENCE
    serializer_class = BoardPresenceSerializer
    filterset_class = BoardPresenceFilter
    ordering_fields = ("connected_at", "last_seen_at")
    ordering = ("-connected_at", "-id")

    def visible_queryset(self, user):
        return selectors.board_presence_visible_to(user=user)

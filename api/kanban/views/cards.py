"""Cards (tasks): the card API, whose edits carry a version."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from drf_yasg.utils import swagger_auto_schema
from rest_framework import status
from rest_framework.response import Response

from api.accounts.roles import Resource
from api.common.serializers import ErrorResponseSerializer
from api.common.viewsets import CRUDViewSet
from api.kanban import selectors, services
from api.kanban.filters import TaskFilter
from api.kanban.serializers import TaskCreateSerializer, TaskSerializer, TaskUpdateSerializer

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

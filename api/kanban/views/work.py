"""Work on a card: subtasks, time logs, reminders."""

from __future__ import annotations

from api.accounts.roles import Resource
from api.common.viewsets import CRUDViewSet
from api.kanban import selectors, services
from api.kanban.filters import TaskReminderFilter, TaskSubtaskFilter, TaskTimeLogFilter
from api.kanban.serializers import (
    TaskReminderSerializer,
    TaskSubtaskSerializer,
    TaskTimeLogSerializer,
)


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

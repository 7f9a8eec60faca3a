"""What Kanban lists filter by. Ids are plain numbers: filtering costs no lookup query."""

import django_filters

from api.common.filters import FORMAT_PARAMETER, filter_parameters, refuse_unknown
from api.kanban.models import (
    BoardPresence,
    Task,
    TaskActivity,
    TaskActivityVerb,
    TaskAttachment,
    TaskComment,
    TaskPriority,
    TaskReminder,
    TaskSubtask,
    TaskTimeLog,
)


class CardFilter(django_filters.FilterSet):
    """What both the card list and the board narrow cards by."""

    project = django_filters.NumberFilter(field_name="project_id")
    department = django_filters.NumberFilter(field_name="department_id")
    assignee = django_filters.NumberFilter(field_name="assignees")

    class Meta:
        model = Task
        fields = ()


class BoardFilter(CardFilter):
    """Narrows the board's cards; the columns are always all there. The board is no
    paged list: its filters (and `format`) are all the parameters it understands."""

    def is_valid(self) -> bool:
        refuse_unknown(self.data, filter_parameters(CardFilter) | {FORMAT_PARAMETER})
        return super().is_valid()


class TaskFilter(CardFilter):
    """`archived=true` lists only archived cards; the list shows live ones otherwise."""

    group = django_filters.NumberFilter(field_name="group_id")
    created_by = django_filters.NumberFilter(field_name="created_by_id")
    priority = django_filters.MultipleChoiceFilter(choices=TaskPriority.choices)
    company_wide = django_filters.BooleanFilter(field_name="department", lookup_expr="isnull")
    due_date_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_date_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    archived = django_filters.BooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True
    )

    renamed = {"due_from": "due_date_from", "due_to": "due_date_to"}


class TaskCommentFilter(django_filters.FilterSet):
    task = django_filters.NumberFilter(field_name="task_id")
    author = django_filters.NumberFilter(field_name="author_id")

    class Meta:
        model = TaskComment
        fields = ()


class TaskSubtaskFilter(django_filters.FilterSet):
    task = django_filters.NumberFilter(field_name="task_id")
    assignee = django_filters.NumberFilter(field_name="assignee_id")

    class Meta:
        model = TaskSubtask
        fields = ("is_done",)


class TaskTimeLogFilter(django_filters.FilterSet):
    task = django_filters.NumberFilter(field_name="task_id")
    user = django_filters.NumberFilter(field_name="user_id")
    running = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull")
    started_at_from = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_at_to = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")

    renamed = {"started_from": "started_at_from", "started_to": "started_at_to"}

    class Meta:
        model = TaskTimeLog
        fields = ()


class TaskActivityFilter(django_filters.FilterSet):
    task = django_filters.NumberFilter(field_name="task_id")
    actor = django_filters.NumberFilter(field_name="actor_id")
    verb = django_filters.MultipleChoiceFilter(choices=TaskActivityVerb.choices)

    class Meta:
        model = TaskActivity
        fields = ()


class TaskAttachmentFilter(django_filters.FilterSet):
    task = django_filters.NumberFilter(field_name="task_id")
    uploaded_by = django_filters.NumberFilter(field_name="uploaded_by_id")

    class Meta:
        model = TaskAttachment
        fields = ()


class TaskReminderFilter(django_filters.FilterSet):
    task = django_filters.NumberFilter(field_name="task_id")
    user = django_filters.NumberFilter(field_name="user_id")
    sent = django_filters.BooleanFilter(field_name="sent_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = TaskReminder
        fields = ()


class BoardPresenceFilter(django_filters.FilterSet):
    task = django_filters.NumberFilter(field_name="task_id")
    user = django_filters.NumberFilter(field_name="user_id")

    class Meta:
        model = BoardPresence
        fields = ()

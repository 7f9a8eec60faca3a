"""The Kanban API: one thin ViewSet per resource (v1) and the board view (v2).

Reads go through `selectors` (visibility rule in its docstring), writes through one
`services` function each. By resource:

cards         tasks (the version protocol)
board         columns, the v2 board and move, presence
conversation  comments, attachments, activities
work          subtasks, time logs, reminders
"""

from api.kanban.views.board import BoardPresenceViewSet, BoardViewSet, TaskGroupViewSet
from api.kanban.views.cards import TaskViewSet
from api.kanban.views.conversation import (
    TaskActivityViewSet,
    TaskAttachmentViewSet,
    TaskCommentViewSet,
)
from api.kanban.views.work import TaskReminderViewSet, TaskSubtaskViewSet, TaskTimeLogViewSet

__all__ = [
    "BoardPresenceViewSet",
    "BoardViewSet",
    "TaskActivityViewSet",
    "TaskAttachmentViewSet",
    "TaskCommentViewSet",
    "TaskGroupViewSet",
    "TaskReminderViewSet",
    "TaskSubtaskViewSet",
    "TaskTimeLogViewSet",
    "TaskViewSet",
]

from django.urls import path

from api.kanban import views

# (prefix, viewset, basename) registered on the v1 router by api/urls.py
v1_routes = [
    ("tasks", views.TaskViewSet, "task"),
    ("task-groups", views.TaskGroupViewSet, "task-group"),
    ("task-comments", views.TaskCommentViewSet, "task-comment"),
    ("task-subtasks", views.TaskSubtaskViewSet, "task-subtask"),
    ("task-time-logs", views.TaskTimeLogViewSet, "task-time-log"),
    ("task-activities", views.TaskActivityViewSet, "task-activity"),
    ("task-attachments", views.TaskAttachmentViewSet, "task-attachment"),
    ("task-reminders", views.TaskReminderViewSet, "task-reminder"),
    ("board-presence", views.BoardPresenceViewSet, "board-presence"),
]

# /api/v2/: the board view the Kanban client needs in one call.
v2_urlpatterns = [
    path("board/", views.BoardViewSet.as_view({"get": "board"}), name="board"),
    path("board/move/", views.BoardViewSet.as_view({"post": "move"}), name="board-move"),
]

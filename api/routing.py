"""WebSocket routes, beside the HTTP ones (api/urls.py); the protocol is in docs/realtime.md."""

from django.urls import path

from api.kanban.consumers import BoardConsumer, TaskDetailConsumer
from api.notifications.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/board/", BoardConsumer.as_asgi()),
    path("ws/board/task/<int:task_id>/", TaskDetailConsumer.as_asgi()),
]

from drf_yasg.utils import no_body, swagger_auto_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from api.accounts.roles import Action, Resource
from api.common.viewsets import ReadOnlyViewSet
from api.notifications import selectors, services
from api.notifications.filters import NotificationFilter
from api.notifications.serializers import (
    MarkAllReadSerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)


class NotificationViewSet(ReadOnlyViewSet):
    """Your own notifications (nobody, whatever their role, reads someone else's).

    Notifications are created by the services whose events they report, never
    through this API. Marking them read writes no audit row: the read flag is the
    recipient's personal inbox state, not business data anyone reviews, and one
    audit row per click would drown the trail people do read.
    """

    resource = Resource.NOTIFICATIONS
    permission_actions = {
        "mark_read": Action.CHANGE,
        "mark_all_read": Action.CHANGE,
        "unread_count": Action.VIEW,
    }
    bodyless_actions = ("mark_read", "mark_all_read")
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields = ("title", "message")
    ordering_fields = ("created_at", "kind", "is_read")
    ordering = ("-created_at", "-id")

    def visible_queryset(self, user):
        return selectors.notifications_visible_to(user=user)

    @swagger_auto_schema(request_body=no_body, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"], url_path="mark-read")
    def mark_read(self, request, pk=None):
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @swagger_auto_schema(request_body=no_body, responses={200: MarkAllReadSerializer})
    @action(detail=False, methods=["post"], url_path="mark-all-read")
    def mark_all_read(self, request):
        updated = services.notifications_mark_all_read(user=request.user)
        return Response(
            {"updated": updated, "unread_count": selectors.unread_count(user=request.user)}
        )

    @swagger_auto_schema(responses={200: UnreadCountSerializer})
    @action(
        detail=False,
        methods=["get"],
        url_path="unread-count",
        pagination_class=None,
        filter_backends=[],
    )
    def unread_count(self, request):
        return Response({"unread_count": selectors.unread_count(user=request.user)})

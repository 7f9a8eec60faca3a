from rest_framework import serializers

from api.common.fields import UserBriefSerializer
from api.common.serializers import ModelSerializer, Serializer
from api.notifications.models import Notification


class NotificationSerializer(ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    # Declared: DRF drops allow_blank from read-only model fields, so the schema would
    # promise a non-empty message.
    message = serializers.CharField(read_only=True, allow_blank=True)
    data = serializers.JSONField(
        read_only=True,
        help_text='What it is about: {"resource": "tasks", "id": 42, ...}; '
        "{} for a system message.",
    )

    class Meta:
        model = Notification
        fields = (
            "id",
            "kind",
            "title",
            "message",
            "data",
            "actor",
            "is_read",
            "read_at",
            "created_at",
        )
        read_only_fields = fields


class UnreadCountSerializer(Serializer):
    unread_count = serializers.IntegerField()


class MarkAllReadSerializer(Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were unread.")
    unread_count = serializers.IntegerField()

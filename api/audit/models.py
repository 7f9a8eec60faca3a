"""The audit trail's table. It points at users and departments by name only: the trail
knows no domain (see api/audit/trail.py)."""

from django.conf import settings
from django.db import models


class UserActivityLog(models.Model):
    """Append-only audit trail: who changed what, with the field changes (old → new)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity_logs",
    )
    action = models.CharField(max_length=32, db_index=True)
    resource = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    # {"field": {"old": ..., "new": ...}} for updates; the created/deleted values otherwise.
    changes = models.JSONField(default=dict, blank=True)
    department = models.ForeignKey(
        "api.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    request_id = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=512, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["user", "created_at"], name="activity_user_created_idx"),
            models.Index(fields=["resource", "object_id"], name="activity_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.resource}#{self.object_id}"

from django.conf import settings
from django.db import models

from api.common.models import TimestampedModel


class NotificationKind(models.TextChoices):
    OVERTIME_SUBMITTED = "overtime_submitted", "Overtime submitted"
    OVERTIME_APPROVED = "overtime_approved", "Overtime approved"
    OVERTIME_REJECTED = "overtime_rejected", "Overtime rejected"
    OVERTIME_SECOND_APPROVAL = "overtime_second_approval", "Overtime needs second approval"
    LEAVE_SUBMITTED = "leave_submitted", "Leave to decide"
    LEAVE_DECIDED = "leave_decided", "Leave decided"
    PURCHASE_SUBMITTED = "purchase_submitted", "Purchase request to decide"
    PURCHASE_WITHDRAWN = "purchase_withdrawn", "Purchase request withdrawn"
    PURCHASE_DECIDED = "purchase_decided", "Purchase request decided"
    EVENT_INVITED = "event_invited", "Invited to an event"
    ASSET_ASSIGNED = "asset_assigned", "Asset assigned"
    USER_REPORT_FILED = "user_report_filed", "User report filed"
    USER_REPORT_UPDATED = "user_report_updated", "User report updated"
    TASK_ASSIGNED = "task_assigned", "Task assigned"
    TASK_COMMENTED = "task_commented", "Task commented"
    TASK_REMINDER = "task_reminder", "Task reminder"
    REPORT_READY = "report_ready", "Report ready"
    REPORT_FAILED = "report_failed", "Report failed"
    PERMISSION_CHANGED = "permission_changed", "Permissions changed"
    SYSTEM = "system", "System"


class Notification(TimestampedModel):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    # What the client needs to link to the object: {"resource": ..., "id": ...}.
    data = models.JSONField(default=dict, blank=True)
    is_read = models.BooleanField(default=False)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=["recipient", "is_read", "-created_at"], name="notification_inbox_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient}: {self.title}"

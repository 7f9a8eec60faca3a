"""Report jobs: one row per requested or scheduled report, from queue to share."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from api.common.models import TimestampedModel


class ReportKind(models.TextChoices):
    DAILY = "daily", "Daily"
    MONTHLY = "monthly", "Monthly"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    UPLOADING = "uploading", "Uploading"
    # Built and kept locally; no share configured, so nothing to upload.
    DONE = "done", "Done"
    DELIVERED = "delivered", "Delivered to the share"
    UPLOAD_FAILED = "upload_failed", "Upload failed"
    FAILED = "failed", "Failed"


class ReportJob(TimestampedModel):
    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    # Filters as sent (department, project, employee, status): also written to the
    # report's "Filters" sheet, so a file always says what it contains.
    filters = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_jobs",
        help_text="Empty for scheduled runs.",
    )
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED, db_index=True
    )
    file = models.CharField(max_length=500, blank=True, help_text="Path under REPORTS_ROOT.")
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    smb_path = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    upload_attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Scheduled runs are idempotent: one job per kind and period and schedule key.
    schedule_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["requested_by", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_order"
            ),
            models.UniqueConstraint(
                fields=["schedule_key"],
                condition=~Q(schedule_key=""),
                name="report_unique_schedule_key",
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.period_start} to {self.period_end}"
        return f"{self.get_kind_display()} report {period} ({self.status})"

from django.conf import settings
from django.db import models
from django.db.models import Deferrable, F, Q

from api.common.models import TimestampedModel
from api.common.uploads import stored_name


class TaskGroup(TimestampedModel):
    """A column of the Kanban board."""

    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField()
    wip_limit = models.PositiveIntegerField(null=True, blank=True)
    color = models.CharField(max_length=16, blank=True)
    is_done_column = models.BooleanField(default=False)

    class Meta:
        ordering = ("position",)
        constraints = [
            # Deferred so a reorder can swap positions inside one transaction.
            models.UniqueConstraint(
                fields=["position"],
                name="taskgroup_unique_position",
                deferrable=Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=~Q(name=""), name="taskgroup_name_not_blank"),
            models.CheckConstraint(
                condition=Q(wip_limit__isnull=True) | Q(wip_limit__gt=0),
                name="taskgroup_wip_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaskPriority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Task(TimestampedModel):
    """A Kanban card. `version` grows on every edit so concurrent edits are detected."""

    group = models.ForeignKey(TaskGroup, on_delete=models.PROTECT, related_name="tasks")
    # Dense 0..n-1 within the column for live cards; NULL once archived.
    position = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    priority = models.CharField(
        max_length=8, choices=TaskPriority.choices, default=TaskPriority.MEDIUM
    )
    project = models.ForeignKey(
        "api.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    department = models.ForeignKey(
        "api.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_tasks"
    )
    due_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_tasks"
    )
    version = models.PositiveIntegerField(default=1)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Deleting a card archives it: comments, time logs and activity stay for reports.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("group__position", "position", "id")
        indexes = [
            models.Index(fields=["group", "position"], name="task_group_position_idx"),
            models.Index(fields=["department", "archived_at"], name="task_department_idx"),
            models.Index(fields=["due_date"], name="task_due_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "position"],
                name="task_unique_group_position",
                deferrable=Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(archived_at__isnull=True, position__isnull=False)
                | Q(archived_at__isnull=False, position__isnull=True),
                name="task_position_only_when_live",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="task_version_positive"),
            models.CheckConstraint(condition=~Q(title=""), name="task_title_not_blank"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskComment(TimestampedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="task_comments"
    )
    body = models.TextField()
    edited_at = models.DateTimeField(null=True, blank=True)
    # Soft delete keeps the thread's shape ("comment deleted") and the audit trail.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("task", "created_at", "id")
        indexes = [models.Index(fields=["task", "created_at"], name="comment_task_created_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="task_comment_body_not_blank"),
        ]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.task_id}"


class TaskSubtask(TimestampedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="subtasks")
    title = models.CharField(max_length=200)
    is_done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("task", "position", "id")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="task_subtask_title_not_blank"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskTimeLog(TimestampedModel):
    """Time spent on a card; `ended_at` is empty while the timer runs."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="time_logs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="task_time_logs"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ("-started_at",)
        indexes = [models.Index(fields=["user", "started_at"], name="timelog_user_started_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="task_timelog_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.task_id} from {self.started_at:%Y-%m-%d %H:%M}"


class TaskActivityVerb(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    MOVED = "moved", "Moved"
    ARCHIVED = "archived", "Archived"
    COMMENTED = "commented", "Commented"
    ASSIGNED = "assigned", "Assigned"
    ATTACHED = "attached", "Attached a file"
    SUBTASK = "subtask", "Changed a subtask"
    TIME_LOGGED = "time_logged", "Logged time"


class TaskActivity(models.Model):
    """Append-only history of a card."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=16, choices=TaskActivityVerb.choices)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "task activities"
        indexes = [models.Index(fields=["task", "created_at"], name="activity_task_created_idx")]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.task_id}"


def task_attachment_path(instance: "TaskAttachment", filename: str) -> str:
    """A generated name in the card's folder; the client's is `original_name`."""
    return stored_name(f"tasks/{instance.task_id}", filename)


class TaskAttachment(TimestampedModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=task_attachment_path, max_length=500)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("task", "-created_at")

    def __str__(self) -> str:
        return self.original_name


class TaskReminder(TimestampedModel):
    """Becomes a Notification for `user` when `remind_at` passes (periodic job)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_reminders"
    )
    remind_at = models.DateTimeField()
    message = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("remind_at",)
        indexes = [models.Index(fields=["sent_at", "remind_at"], name="reminder_due_idx")]

    def __str__(self) -> str:
        return f"Remind {self.user} about {self.task_id} at {self.remind_at:%Y-%m-%d %H:%M}"


class BoardPresence(models.Model):
    """Who was on the board (or a card) and when: the durable trail of live presence.

    The live "who is here now" lives in Redis with expiry; these rows record, per
    person and place, the latest session for the REST list and for audits.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_presences"
    )
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="presences"
    )
    channel_name = models.CharField(max_length=255, unique=True)
    server_id = models.CharField(max_length=64, blank=True)
    connected_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    disconnected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-connected_at",)
        verbose_name_plural = "board presence"
        indexes = [
            models.Index(fields=["disconnected_at", "last_seen_at"], name="presence_live_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_seen_at__gte=F("connected_at")),
                name="presence_seen_after_connect",
            ),
            # One row per person and place: reconnections reuse it instead of piling
            # up a row per connection. The board is task NULL, so two partial
            # constraints (SQLite has no NULLS NOT DISTINCT): one per card, one board.
            models.UniqueConstraint(
                fields=["user", "task"],
                condition=Q(task__isnull=False),
                name="presence_one_per_place",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(task__isnull=True), name="presence_one_board_row"
            ),
        ]

    def __str__(self) -> str:
        where = f"task {self.task_id}" if self.task_id else "board"
        return f"{self.user} on {where} since {self.connected_at:%Y-%m-%d %H:%M}"

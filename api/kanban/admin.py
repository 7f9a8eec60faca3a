from django.contrib import admin
from django.db.models import Max
from django.utils import timezone

from api.common.admin import ReadOnlyAdminMixin
from api.common.uploads import safe_name
from api.kanban.models import (
    BoardPresence,
    Task,
    TaskActivity,
    TaskAttachment,
    TaskComment,
    TaskGroup,
    TaskReminder,
    TaskSubtask,
    TaskTimeLog,
)

STAMPS = ("created_at", "updated_at")


def sync_done_at(subtask: TaskSubtask) -> None:
    if not subtask.is_done:
        subtask.done_at = None
    elif subtask.done_at is None:
        subtask.done_at = timezone.now()


@admin.register(TaskGroup)
class TaskGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "wip_limit", "color", "is_done_column")
    list_filter = ("is_done_column",)
    search_fields = ("name",)
    readonly_fields = STAMPS


class TaskSubtaskInline(admin.TabularInline):
    model = TaskSubtask
    extra = 0
    fields = ("title", "is_done", "position", "assignee", "done_at")
    readonly_fields = ("done_at",)
    autocomplete_fields = ("assignee",)


class TaskCommentInline(admin.TabularInline):
    """The thread, read-only: comments are written and moderated on their own page."""

    model = TaskComment
    extra = 0
    fields = ("author", "body", "created_at", "edited_at", "deleted_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """Cards move between columns on the board (API); here the column is fixed once set."""

    list_display = (
        "title",
        "group",
        "position",
        "priority",
        "project",
        "department",
        "due_date",
        "created_by",
        "is_archived",
        "updated_at",
    )
    list_filter = ("group", "priority", "department", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "description")
    list_select_related = ("group", "project", "department", "created_by")
    autocomplete_fields = ("project", "department", "assignees")
    date_hierarchy = "created_at"
    readonly_fields = ("position", "created_by", "version", "completed_at", "archived_at", *STAMPS)
    inlines = (TaskSubtaskInline, TaskCommentInline)

    @admin.display(description="archived", boolean=True, ordering="archived_at")
    def is_archived(self, obj):
        return obj.archived_at is not None

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ("group", *fields) if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        else:
            obj.created_by = request.user
            last = Task.objects.filter(group=obj.group, archived_at__isnull=True).aggregate(
                last=Max("position")
            )["last"]
            obj.position = 0 if last is None else last + 1
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not TaskSubtask:
            return super().save_formset(request, form, formset, change)
        for subtask in formset.save(commit=False):
            sync_done_at(subtask)
            subtask.save()
        for subtask in formset.deleted_objects:
            subtask.delete()
        return None


@admin.register(TaskComment)
class TaskCommentAdmin(admin.ModelAdmin):
    list_display = ("task", "author", "short_body", "created_at", "edited_at", "deleted_at")
    list_filter = (("deleted_at", admin.EmptyFieldListFilter),)
    search_fields = ("body", "task__title", "author__username")
    list_select_related = ("task", "author")
    autocomplete_fields = ("task",)
    date_hierarchy = "created_at"
    readonly_fields = ("author", "edited_at", "deleted_at", *STAMPS)

    @admin.display(description="comment")
    def short_body(self, obj):
        return obj.body[:80]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(TaskSubtask)
class TaskSubtaskAdmin(admin.ModelAdmin):
    list_display = ("title", "task", "is_done", "position", "assignee", "done_at")
    list_filter = ("is_done",)
    search_fields = ("title", "task__title")
    list_select_related = ("task", "assignee")
    autocomplete_fields = ("task", "assignee")
    readonly_fields = ("done_at", *STAMPS)

    def save_model(self, request, obj, form, change):
        sync_done_at(obj)
        super().save_model(request, obj, form, change)


@admin.register(TaskTimeLog)
class TaskTimeLogAdmin(admin.ModelAdmin):
    list_display = ("task", "user", "started_at", "ended_at", "duration", "note")
    list_filter = (("ended_at", admin.EmptyFieldListFilter),)
    search_fields = ("task__title", "user__username", "note")
    list_select_related = ("task", "user")
    autocomplete_fields = ("task", "user")
    date_hierarchy = "started_at"
    readonly_fields = STAMPS

    @admin.display(description="duration")
    def duration(self, obj):
        return (obj.ended_at - obj.started_at) if obj.ended_at else "running"


@admin.register(TaskActivity)
class TaskActivityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "task", "actor", "verb")
    list_filter = ("verb",)
    search_fields = ("task__title", "actor__username")
    list_select_related = ("task", "actor")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(TaskAttachment)
class TaskAttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "task", "content_type", "size_bytes", "uploaded_by")
    search_fields = ("original_name", "task__title")
    list_select_related = ("task", "uploaded_by")
    autocomplete_fields = ("task",)
    date_hierarchy = "created_at"
    readonly_fields = ("original_name", "content_type", "size_bytes", "uploaded_by", *STAMPS)

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data and obj.file:
            obj.original_name = safe_name(obj.file.name)
            obj.size_bytes = obj.file.size or 0
            obj.content_type = getattr(obj.file.file, "content_type", "") or obj.content_type
            if not change:
                obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(TaskReminder)
class TaskReminderAdmin(admin.ModelAdmin):
    list_display = ("task", "user", "remind_at", "sent_at", "message")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    search_fields = ("task__title", "user__username", "message")
    list_select_related = ("task", "user")
    autocomplete_fields = ("task", "user")
    date_hierarchy = "remind_at"
    readonly_fields = ("sent_at", *STAMPS)


@admin.register(BoardPresence)
class BoardPresenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "user",
        "task",
        "server_id",
        "connected_at",
        "last_seen_at",
        "disconnected_at",
        "is_live",
    )
    list_filter = (("disconnected_at", admin.EmptyFieldListFilter), "server_id")
    search_fields = ("user__username", "channel_name", "task__title")
    list_select_related = ("user", "task")
    date_hierarchy = "connected_at"

    @admin.display(description="live", boolean=True)
    def is_live(self, obj):
        return obj.disconnected_at is None

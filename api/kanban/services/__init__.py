"""Writes of the Kanban domain: keyword-only, atomic, audited services.

columns     the board's frame (TaskGroup) and its order
cards       create / edit (version protocol) / archive / move a card
positions   the locking protocol and renumbering behind every placement
comments    comments and attachments
events      the live events of cards and comments (payload and audience)
work        subtasks, time logs, reminders
presence    the durable trail of who was on the board
"""

from api.kanban.services.cards import (
    StaleVersion,
    task_archive,
    task_create,
    task_move,
    task_update,
)
from api.kanban.services.columns import (
    board_ensure_default_columns,
    task_group_create,
    task_group_delete,
    task_group_update,
    task_groups_reorder,
)
from api.kanban.services.comments import (
    task_attachment_delete,
    task_attachment_upload,
    task_comment_create,
    task_comment_delete,
    task_comment_edit,
)
from api.kanban.services.presence import (
    board_presence_close_stale,
    board_presence_joined,
    board_presence_left,
    board_presence_seen,
)
from api.kanban.services.work import (
    task_reminder_create,
    task_reminder_delete,
    task_reminder_update,
    task_reminders_send_due,
    task_subtask_create,
    task_subtask_delete,
    task_subtask_update,
    task_time_log_create,
    task_time_log_delete,
    task_time_log_update,
)

__all__ = [
    "StaleVersion",
    "board_ensure_default_columns",
    "board_presence_close_stale",
    "board_presence_joined",
    "board_presence_left",
    "board_presence_seen",
    "task_archive",
    "task_attachment_delete",
    "task_attachment_upload",
    "task_comment_create",
    "task_comment_delete",
    "task_comment_edit",
    "task_create",
    "task_group_create",
    "task_group_delete",
    "task_group_update",
    "task_groups_reorder",
    "task_move",
    "task_reminder_create",
    "task_reminder_delete",
    "task_reminder_update",
    "task_reminders_send_due",
    "task_subtask_create",
    "task_subtask_delete",
    "task_subtask_update",
    "task_time_log_create",
    "task_time_log_delete",
    "task_time_log_update",
    "task_update",
]

"""Board events, sent by the kanban services inside the writing transaction.

Receivers may write in the same transaction (durable event log) and defer external
effects (WebSocket broadcast) with `transaction.on_commit`.
"""

from django.dispatch import Signal

# kwargs: task (Task), change ("created" | "updated" | "moved" | "deleted"), actor (User),
#         changes (dict of field -> {"old", "new"}; empty for created/deleted)
task_changed = Signal()
# kwargs: comment (TaskComment), change ("created" | "edited" | "deleted"), actor (User)
comment_changed = Signal()

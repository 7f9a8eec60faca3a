"""The live events of the board, built where the change happens.

Kanban owns what a card event carries (the compact card of the board, its own
serializer) and who receives it (`task_audience_of`, beside `task_scope` in
api/kanban/selectors.py). Both are sent inside the writing transaction.
"""

from __future__ import annotations

from api.accounts.models import User
from api.common.representation import department_brief, user_brief
from api.kanban.board_serializers import BoardCardSerializer
from api.kanban.models import Task, TaskComment
from api.kanban.selectors import board_cards, task_audience_of
from api.realtime import helpers
from api.realtime.envelope import EventType
from api.realtime.events import DomainEvent, emit
from api.realtime.streams import task_stream

_TASK_BROADCASTS = {
    "created": helpers.broadcast_task_created,
    "updated": helpers.broadcast_task_updated,
    "moved": helpers.broadcast_task_moved,
    "deleted": helpers.broadcast_task_deleted,
}
_COMMENT_TYPES = {
    "created": EventType.COMMENT_CREATED,
    "edited": EventType.COMMENT_EDITED,
    "deleted": EventType.COMMENT_DELETED,
}


def _card(task: Task) -> dict:
    live = board_cards().filter(pk=task.pk).first()
    if live is None:  # archived: only what the board needs to drop it, in the same shapes
        return {
            "id": task.pk,
            "group": task.group_id,
            "department": department_brief(task.department),
        }
    return dict(BoardCardSerializer(live).data)


def announce_task(task: Task, change: str, *, by: User, changes: dict) -> None:
    """`change`: "created" | "updated" | "moved" | "deleted"; `changes`: field diffs.

    The audience is the card's, asked by the helper through the realtime registry
    (`task_audience_of`), before and after a move between departments.
    """
    data = {"task": _card(task), "changes": changes, "actor": user_brief(by)}
    # → api/realtime/receivers.py: record_and_publish (board and task.<id> streams)
    _TASK_BROADCASTS[change](data)


def announce_comment(comment: TaskComment, change: str, *, by: User) -> None:
    """`change`: "created" | "edited" | "deleted". A comment reaches whoever may see its
    card now: after the card moved to another department, its old one hears no more."""
    deleted = comment.deleted_at is not None
    payload = {
        "comment": {
            "id": comment.pk,
            "task": comment.task_id,
            "author": user_brief(comment.author),
            "body": "" if deleted else comment.body,
            "is_deleted": deleted,
            "created_at": comment.created_at.isoformat(),
            "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
        },
        "actor": user_brief(by),
    }
    # → api/realtime/receivers.py: record_and_publish
    emit(
        DomainEvent(
            task_stream(comment.task_id),
            _COMMENT_TYPES[change],
            payload,
            # Read from the database: the caller's Task may predate a move.
            audience=task_audience_of(comment.task_id),
        )
    )

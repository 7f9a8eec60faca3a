"""Writes of the Kanban domain."""

from __future__ import annotations

from django.db import transaction

from api.kanban.models import TaskGroup

DEFAULT_COLUMNS = (
    ("To do", False),
    ("In progress", False),
    ("Review", False),
    ("Done", True),
)


@transaction.atomic
def board_ensure_default_columns() -> int:
    """The usual four columns on an empty board; an existing board is left alone."""
    if TaskGroup.objects.exists():
        return 0
    TaskGroup.objects.bulk_create(
        TaskGroup(name=name, position=index, is_done_column=done)
        for index, (name, done) in enumerate(DEFAULT_COLUMNS)
    )
    return len(DEFAULT_COLUMNS)

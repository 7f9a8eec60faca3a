"""Card positions: the locks and the renumbering every write that places a card uses.

Invariant: the live cards of a column have the positions 0..n-1, in board order;
archived cards have none.

Locking protocol, which keeps concurrent moves free of deadlocks: a transaction that
changes positions first locks the TaskGroup rows of the columns it touches, in
ascending id order, and only then the cards of those columns. Edits that leave
positions alone lock just their own card and never a column, so they cannot close a
cycle with a move. Locks are FOR NO KEY UPDATE: they serialise position writers
without blocking inserts that merely point at a card (a comment, an activity row).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from api.common.exceptions import Conflict, DoesNotExist, InvalidInput
from api.kanban.models import Task, TaskGroup

# A card moved by someone else between reading its column and locking it makes us
# start over; more than a few rounds means a storm of moves on that very card.
LOCK_ATTEMPTS = 5


class _ColumnChanged(Exception):
    """The card left the column we locked before we could lock the card itself."""


def lock_columns(group_ids: Iterable[int]) -> dict[int, TaskGroup]:
    """Locks the columns in ascending id order; a column that no longer exists is a 400."""
    ids = sorted(set(group_ids))
    locked = TaskGroup.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    columns = {column.pk: column for column in locked}
    if missing := [pk for pk in ids if pk not in columns]:
        raise InvalidInput({"group": [f"Column {missing[0]} does not exist."]})
    return columns


def lock_all_columns() -> list[TaskGroup]:
    """Every column, locked (ascending id), in board order: for changes to the frame."""
    locked = list(TaskGroup.objects.select_for_update(no_key=True).order_by("pk"))
    return sorted(locked, key=lambda column: (column.position, column.pk))


def lock_card_and_columns(task_id: int, *other_group_ids: int) -> tuple[Task, dict[int, TaskGroup]]:
    """Locks the card's column and `other_group_ids` (ascending), then the card.

    The card's column is read before it is locked, so a concurrent move can change it
    in between. Then the savepoint is rolled back — which releases the row locks taken
    inside it — and we start over, keeping the ascending lock order.
    """
    for _ in range(LOCK_ATTEMPTS):
        try:
            with transaction.atomic():
                group_id = (
                    Task.objects.filter(pk=task_id).values_list("group_id", flat=True).first()
                )
                if group_id is None:
                    raise DoesNotExist("The card no longer exists.")
                columns = lock_columns({group_id, *other_group_ids})
                card = Task.objects.select_for_update(no_key=True).get(pk=task_id)
                if card.group_id != group_id:
                    raise _ColumnChanged
                return card, columns
        except _ColumnChanged:
            continue
    raise Conflict("The card is being moved by others right now; try again.", code="busy")


def live_cards(group_ids: Iterable[int]) -> dict[int, list[Task]]:
    """The live cards of the columns, locked, in board order (callers hold the columns)."""
    cards: dict[int, list[Task]] = {pk: [] for pk in group_ids}
    locked = (
        Task.objects.select_for_update(no_key=True)
        .filter(group_id__in=cards, archived_at__isnull=True)
        .order_by("group_id", "position", "id")
        .only("pk", "group_id", "position")
    )
    for card in locked:
        cards[card.group_id].append(card)
    return cards


def write_positions(*columns: list[Task]) -> None:
    """Numbers each column's cards 0..n-1 in list order, writing only those that changed.

    One UPDATE for all of them: the uniqueness of (column, position) is checked at
    commit on PostgreSQL (deferred), so cards may pass through each other's slots.
    """
    changed = []
    for cards in columns:
        for index, card in enumerate(cards):
            if card.position != index:
                card.position = index
                changed.append(card)
    if changed:
        Task.objects.bulk_update(changed, ["position"])


def write_column_positions(columns: list[TaskGroup]) -> None:
    """Numbers the columns 0..n-1 in list order (deferred uniqueness, as for cards)."""
    changed = []
    for index, column in enumerate(columns):
        if column.position != index:
            column.position = index
            changed.append(column)
    if changed:
        TaskGroup.objects.bulk_update(changed, ["position"])

"""Concurrent board writes on real PostgreSQL transactions: positions stay dense, no card is
lost or duplicated, and the locking order never deadlocks."""

import random
import threading

import pytest
from django.conf import settings
from django.db import connection

from api.accounts.roles import Role
from api.common.exceptions import InvalidTransition
from api.kanban import services
from api.kanban.models import Task, TaskGroup
from api.kanban.services import board_ensure_default_columns
from api.kanban.tests.factories import live_positions, make_task
from tests.factories import make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.USING_POSTGRES, reason="row locks and deferred constraints need PostgreSQL"
    ),
]

THREADS = 4
ROUNDS = 20


def run_in_threads(work) -> list[BaseException]:
    """Runs work(rng) in THREADS threads started together; returns what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(seed: int) -> None:
        try:
            start.wait()
            work(random.Random(seed))
        except BaseException as error:  # reported to the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a worker thread is still running after 120 s"
    return errors


def assert_board_consistent(expected_live: set[int]) -> None:
    for column in TaskGroup.objects.all():
        positions = [position for position, _ in live_positions(column)]
        assert positions == list(range(len(positions))), f"{column.name}: {positions}"
    live = list(Task.objects.filter(archived_at__isnull=True).values_list("pk", flat=True))
    assert len(live) == len(set(live))
    assert set(live) == expected_live


@pytest.fixture
def board():
    board_ensure_default_columns()
    columns = list(TaskGroup.objects.order_by("position")[:3])
    mover = make_user(Role.SUPERADMIN, with_employee=False)
    cards = [make_task(columns[n % 3], created_by=mover) for n in range(12)]
    return columns, cards, mover


def test_concurrent_random_moves_keep_columns_dense(board):
    columns, cards, mover = board

    def moves(rng: random.Random) -> None:
        for _ in range(ROUNDS):
            services.task_move(
                task=rng.choice(cards),
                group=rng.choice(columns),
                position=rng.randint(0, 8),
                by=mover,
            )

    errors = run_in_threads(moves)

    assert errors == []
    assert_board_consistent({card.pk for card in cards})


def test_concurrent_moves_creates_and_archives_keep_columns_dense(board):
    columns, cards, mover = board
    created: list[int] = []
    archived: list[int] = []
    lock = threading.Lock()

    def mixed(rng: random.Random) -> None:
        for _ in range(ROUNDS):
            roll = rng.random()
            if roll < 0.6:
                card, group = rng.choice(cards), rng.choice(columns)
                try:
                    services.task_move(task=card, group=group, position=rng.randint(0, 8), by=mover)
                except InvalidTransition:
                    # Only a card archived by another thread meanwhile may refuse the
                    # move (it is listed before it is archived).
                    with lock:
                        assert card.pk in archived, f"move of live card {card.pk} refused"
            elif roll < 0.8:
                task = services.task_create(
                    by=mover, title="New", group=rng.choice(columns), position=rng.randint(0, 8)
                )
                with lock:
                    created.append(task.pk)
            else:
                with lock:
                    candidates = [card for card in cards if card.pk not in archived]
                    victim = rng.choice(candidates) if len(candidates) > 4 else None
                    if victim is not None:
                        archived.append(victim.pk)
                if victim is not None:
                    services.task_archive(task=victim, by=mover)

    errors = run_in_threads(mixed)

    assert errors == []
    assert_board_consistent(({card.pk for card in cards} | set(created)) - set(archived))

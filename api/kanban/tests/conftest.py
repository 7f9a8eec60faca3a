"""Fixtures of the Kanban tests: a board with the default columns and a team around it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from api.accounts.roles import Role
from api.kanban.models import TaskGroup
from api.kanban.services import board_ensure_default_columns
from api.realtime.events import domain_event
from api.realtime.streams import BOARD
from tests.factories import make_department, make_user


@pytest.fixture
def columns(db) -> list[TaskGroup]:
    """To do, In progress, Review, Done (done column)."""
    board_ensure_default_columns()
    return list(TaskGroup.objects.order_by("position"))


@pytest.fixture
def team(client_for, columns) -> SimpleNamespace:
    """People of department OPS and outsiders, as users (`.users`) and API clients."""
    ops, other = make_department(code="OPS"), make_department(code="FIN")
    users = SimpleNamespace(
        staff=make_user(Role.STAFF, department=ops),
        colleague=make_user(Role.STAFF, department=ops),
        admin=make_user(Role.PTB_ADMIN, department=ops),
        reader=make_user(Role.USER, department=ops),
        outsider=make_user(Role.STAFF, department=other),
        outsider_admin=make_user(Role.PTB_ADMIN, department=other),
        superadmin=make_user(Role.SUPERADMIN),
    )
    clients = {name: client_for(user) for name, user in vars(users).items()}
    return SimpleNamespace(users=users, ops=ops, other=other, **clients)


def _recorder(keep):
    """The DomainEvents emitted during the test that `keep(event)` selects."""
    events: list = []

    def receive(sender, event, **kwargs):
        if keep(event):
            events.append(event)

    domain_event.connect(receive, weak=False)
    return events, receive


@pytest.fixture
def task_events():
    """Every card event on the board stream emitted during the test."""
    events, receiver = _recorder(lambda event: event.stream == BOARD)
    yield events
    domain_event.disconnect(receiver)


@pytest.fixture
def comment_events():
    """Every comment event emitted during the test (on the cards' own streams)."""
    events, receiver = _recorder(lambda event: event.type.startswith("comment."))
    yield events
    domain_event.disconnect(receiver)

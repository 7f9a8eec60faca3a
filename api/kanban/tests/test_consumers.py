"""The task detail socket: a card's comments only while its user may see the card, and
typists who go quiet announced to the others."""

from __future__ import annotations

import pytest

from api.accounts.roles import Role
from api.kanban.models import Task, TaskGroup
from api.kanban.services import task_comment_create, task_create, task_update
from api.realtime.consumers import CloseCode
from api.realtime.presence import Member, rooms
from api.realtime.tests.conftest import sockets, sync  # noqa: F401 (the fixture)
from tests.factories import make_department, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]


def _world():
    TaskGroup.objects.create(name="To do", position=0)
    ops, fin = make_department(code="OPS"), make_department(code="FIN")
    creator = make_user(Role.STAFF, department=ops)
    return {
        "ops": ops,
        "fin": fin,
        "creator": creator,
        "watcher": make_user(Role.STAFF, department=ops),
        "fin_member": make_user(Role.STAFF, department=fin),
        "superadmin": make_user(Role.SUPERADMIN),
        "card": task_create(by=creator, title="Budget", department=ops),
    }


def _move_to(card: Task, department, by) -> Task:
    return task_update(task=card, by=by, version=card.version, department=department)


async def test_a_watcher_is_closed_4403_once_the_card_leaves_their_department(sockets):  # noqa: F811
    world = await sync(_world)()
    card = world["card"]
    path = f"/ws/board/task/{card.pk}/"
    watcher = await sockets(path, user=world["watcher"])
    await sync(task_comment_create)(task=card, body="Before", by=world["creator"])
    before = await watcher.receive_until("comment.created")

    await sync(_move_to)(card, world["fin"], world["superadmin"])
    moved = await watcher.receive_until("task.updated")  # the move itself: both departments
    fin_member = await sockets(path, user=world["fin_member"])
    await sync(task_comment_create)(task=card, body="After", by=world["superadmin"])

    assert before["payload"]["comment"]["body"] == "Before"
    assert moved["payload"]["changes"]["department"]["new"] == world["fin"].pk
    after = await fin_member.receive_until("comment.created")
    assert after["payload"]["comment"]["body"] == "After"
    # Told by the close code, and nothing of the card after the move reached it.
    missed, code = await watcher.messages_until_closed()
    assert code == CloseCode.FORBIDDEN
    assert [m for m in missed if m["type"] == "comment.created"] == []


async def test_the_cards_creator_keeps_hearing_its_comments_in_another_department(sockets):  # noqa: F811
    world = await sync(_world)()
    card = world["card"]
    creator = await sockets(f"/ws/board/task/{card.pk}/", user=world["creator"])

    await sync(_move_to)(card, world["fin"], world["superadmin"])
    await sync(task_comment_create)(task=card, body="Still yours", by=world["superadmin"])

    comment = await creator.receive_until("comment.created")
    assert comment["payload"]["comment"]["body"] == "Still yours"


# ----------------------------------------------------------------------- typing expiry

TYPING_TTL = 1  # seconds; the bounded waits below allow that plus a generous margin


def _typing_names(message: dict) -> list[int]:
    return [person["user_id"] for person in message["payload"]["people"]]


async def _typing_state_without(socket, user_id: int, timeout: float) -> dict:
    """The first typing.state that no longer lists `user_id` (bounded wait)."""
    while True:
        state = await socket.receive_until("typing.state", timeout=timeout)
        if user_id not in _typing_names(state):
            return state


async def test_a_typist_who_goes_quiet_is_announced_to_the_others(sockets, settings):  # noqa: F811
    settings.REALTIME_TYPING_TTL_SECONDS = TYPING_TTL
    world = await sync(_world)()
    path = f"/ws/board/task/{world['card'].pk}/"
    watcher = await sockets(path, user=world["watcher"])
    await watcher.receive_until("typing.state")  # the (empty) state on joining
    typist = await sockets(path, user=world["creator"])

    await typist.send({"type": "typing", "is_typing": True})
    typing = await watcher.receive_until("typing.state")
    # The typist says nothing more: no "is_typing": false, no renewal, socket open.
    quiet = await _typing_state_without(watcher, world["creator"].pk, TYPING_TTL + 4)

    assert _typing_names(typing) == [world["creator"].pk]
    assert _typing_names(quiet) == []


async def test_a_typist_whose_process_is_gone_is_announced_by_a_watchers_process(sockets, settings):  # noqa: F811
    """The entry of a typist served by another process that died (nothing there will
    ever renew or remove it): the process of a socket that saw them announces."""
    settings.REALTIME_TYPING_TTL_SECONDS = TYPING_TTL
    world = await sync(_world)()
    card, gone = world["card"], world["creator"]
    info = {"user_id": gone.pk, "username": gone.username, "full_name": "Gone", "since": 0}
    await rooms().put(f"task.{card.pk}.typing", Member(f"{gone.pk}|elsewhere", info), TYPING_TTL)

    watcher = await sockets(f"/ws/board/task/{card.pk}/", user=world["watcher"])
    joined = await watcher.receive_until("typing.state")
    quiet = await _typing_state_without(watcher, gone.pk, TYPING_TTL + 4)

    assert _typing_names(joined) == [gone.pk]
    assert _typing_names(quiet) == []

"""Open sockets follow permission changes: what the user may no longer see stops at
once, and the socket is told (an `error` naming the stream, or a close code)."""

from __future__ import annotations

import pytest

from api.accounts.roles import Role
from api.accounts.services import user_access_update
from api.kanban.models import TaskGroup
from api.kanban.services import task_create
from api.realtime.tests.conftest import sync
from tests.factories import make_department, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]


async def test_a_lowered_role_stops_the_board_getting_other_departments_cards(sockets):
    def world():
        TaskGroup.objects.create(name="To do", position=0)
        ops, fin = make_department(code="OPS"), make_department(code="FIN")
        return ops, fin, make_user(Role.SUPERADMIN, department=ops), make_user(Role.SUPERADMIN)

    ops, fin, lowered, author = await sync(world)()
    board = await sockets("/ws/board/", user=lowered)
    await sync(task_create)(by=author, title="Fin before", department=fin)
    before = await board.receive_until("task.created")

    await sync(user_access_update)(user=lowered, role=Role.STAFF, by=author)
    told = await board.receive_until("permission_update")
    await sync(task_create)(by=author, title="Fin after", department=fin)
    await sync(task_create)(by=author, title="Ops after", department=ops)

    assert before["payload"]["task"]["title"] == "Fin before"
    assert (told["payload"]["role"], told["sequence"]) == (Role.STAFF, None)
    after = await board.receive_until("task.created")
    assert after["payload"]["task"]["title"] == "Ops after"
    assert after["sequence"] == 3  # #2, the finance card, skipped

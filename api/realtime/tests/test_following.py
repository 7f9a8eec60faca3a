"""A resume under live traffic keeps its promise: every event once, in order."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from api.kanban.models import TaskGroup
from api.kanban.services import task_create
from api.realtime.tests.conftest import sync
from tests.factories import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]

LIVE = 40


async def test_live_events_during_a_resume_come_after_the_replay_in_order_once(sockets):
    def world():
        group = TaskGroup.objects.create(name="To do", position=0)
        author = make_user()
        for n in range(10):
            task_create(by=author, title=f"Before {n}", group=group, department=None)
        return author, group, make_user()

    author, group, reader = await sync(world)()
    socket = await sockets("/ws/board/", user=reader)

    def traffic():
        try:
            for n in range(LIVE):
                task_create(by=author, title=f"Live {n}", group=group, department=None)
        finally:
            close_old_connections()

    # Cards are created in another thread while the socket replays from the start.
    live = asyncio.ensure_future(sync_to_async(traffic, thread_sensitive=False)())
    await socket.send({"type": "resume", "streams": {"board": 0}})
    await live

    sequences = []
    while 1 not in sequences or sequences[-1] != 10 + LIVE:
        message = await socket.receive_until("task.created")
        sequences.append(message["sequence"])
    # Before the resume was read, some live events may have come; from the replay's
    # first event on, each number exactly once and in order.
    assert sequences[sequences.index(1) :] == list(range(1, 10 + LIVE + 1))
    assert await socket.nothing_more()

"""Positions in `auth`: a reconnecting client names its last sequences in the message
that authenticates it, and gets what it missed, then live events, each once and in
order. The old two-step path (`auth`, then `resume`) is kept, and shown here to repeat
what arrives in between. Against the real application and Redis (conftest.py)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from api.kanban.models import TaskGroup
from api.kanban.services import task_comment_create, task_create
from api.notifications.services import notifications_create
from api.realtime.positions import MAX_SEQUENCE, parse_positions
from api.realtime.streams import is_stream_name
from api.realtime.tests.conftest import sync, token_for
from tests.factories import make_department, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]


@pytest.fixture
async def column():
    # get_or_create: a test that failed mid-way must not fail the next ones here too.
    return (await sync(TaskGroup.objects.get_or_create)(position=0, defaults={"name": "To do"}))[0]


async def new_user(**kwargs):
    return await sync(make_user)(**kwargs)


async def new_cards(by, count: int, prefix: str = "Card") -> list:
    def create():
        return [task_create(by=by, title=f"{prefix} {n}", department=None) for n in range(count)]

    return await sync(create)()


async def board_sequences(socket, count: int) -> list[int]:
    return [(await socket.receive_until("task.created"))["sequence"] for _ in range(count)]


# ----------------------------------------------------------------------- (a) replay once


async def test_auth_with_positions_replays_what_was_missed_once_then_live(sockets, column):
    author = await new_user()
    await new_cards(author, 5)  # published while the client was away

    socket = await sockets("/ws/board/", user=await new_user(), streams={"board": 2})

    assert await board_sequences(socket, 3) == [3, 4, 5]
    await new_cards(author, 1, "Live")
    assert await board_sequences(socket, 1) == [6]
    assert await socket.nothing_more()


async def test_a_ticket_carries_positions_the_same_way(sockets, column, client_for):
    reader, author = await new_user(), await new_user()
    await new_cards(author, 3)
    client = await sync(client_for)(reader)
    ticket = (await sync(client.post)("/api/v1/realtime/tickets/")).json()["ticket"]
    socket = await sockets("/ws/board/")

    await socket.send({"type": "auth", "ticket": ticket, "streams": {"board": 1}})

    assert (await socket.receive_until("auth.ok"))["payload"]["user_id"] == reader.pk
    assert await board_sequences(socket, 2) == [2, 3]
    assert await socket.nothing_more()


async def test_every_socket_takes_positions_for_its_own_stream(sockets, column):
    reader, author = await new_user(), await new_user()
    card = (await new_cards(author, 1))[0]  # task.<id> #1 is its creation

    def missed():
        notifications_create(recipients=[reader], kind="system", title="One")
        notifications_create(recipients=[reader], kind="system", title="Two")
        task_comment_create(task=card, body="First", by=author)
        task_comment_create(task=card, body="Second", by=author)

    await sync(missed)()
    own = f"user.{reader.pk}"
    notifications = await sockets("/ws/notifications/", user=reader, streams={own: 1})
    detail = await sockets(
        f"/ws/board/task/{card.pk}/", user=reader, streams={f"task.{card.pk}": 2}
    )

    replayed = await notifications.receive_until("notification.created")
    assert (replayed["stream"], replayed["sequence"]) == (own, 2)
    assert replayed["payload"]["notification"]["title"] == "Two"
    comment = await detail.receive_until("comment.created")
    assert (comment["sequence"], comment["payload"]["comment"]["body"]) == (3, "Second")
    assert await notifications.nothing_more()
    assert await detail.nothing_more()


async def test_auth_positions_may_name_other_readable_streams_too(sockets, column):
    reader, author = await new_user(), await new_user()
    await new_cards(author, 2)
    await sync(notifications_create)(recipients=[reader], kind="system", title="Hello")
    own = f"user.{reader.pk}"

    socket = await sockets("/ws/board/", user=reader, streams={"board": 1, own: 0})

    seen = await socket.receive_each("task.created", "notification.created")
    assert seen["task.created"]["sequence"] == 2
    assert (seen["notification.created"]["stream"], seen["notification.created"]["sequence"]) == (
        own,
        1,
    )
    assert await socket.nothing_more()


# ----------------------------------------------------------------------- the old path


async def test_auth_then_resume_repeats_what_arrived_in_between(sockets, column):
    """Why positions belong in `auth`: the two-step path follows the board from "now"
    at auth.ok, so an event published before the `resume` is read comes live and
    again in the replay asked for. Made certain here by waiting for that event; a
    soak sees it when an event happens to fall between the two messages."""
    author = await new_user()
    await new_cards(author, 2)
    socket = await sockets("/ws/board/", user=await new_user())  # auth, no positions
    await new_cards(author, 1, "In between")
    assert await board_sequences(socket, 1) == [3]

    await socket.send({"type": "resume", "streams": {"board": 1}})

    assert await board_sequences(socket, 2) == [2, 3]  # 3 a second time


async def test_resume_after_auth_positions_replays_from_the_earlier_point_once(sockets, column):
    """A `resume` on a stream followed from `auth` positions asks again, as documented:
    its replay starts from the number it names and the live events held meanwhile
    follow it, each once, in order."""
    author = await new_user()
    await new_cards(author, 10)
    live = 40
    socket = await sockets("/ws/board/", user=await new_user(), streams={"board": 0})

    def traffic():
        try:
            for n in range(live):
                task_create(by=author, title=f"Live {n}", department=None)
        finally:
            close_old_connections()

    publishing = asyncio.ensure_future(sync_to_async(traffic, thread_sensitive=False)())
    await socket.send({"type": "resume", "streams": {"board": 0}})
    await publishing

    sequences = []
    while sequences.count(1) < 2 or sequences[-1] != 10 + live:
        sequences.append((await socket.receive_until("task.created"))["sequence"])
    again = sequences.index(1, 1)
    # What the auth's positions gave, contiguous; then the resume's replay from 1 and
    # the live events after it, each number once.
    assert sequences[:again] == list(range(1, again + 1))
    assert sequences[again:] == list(range(1, 10 + live + 1))
    assert await socket.nothing_more()


async def test_a_renewal_does_not_read_positions(sockets, column):
    user = await new_user()
    await new_cards(await new_user(), 2)
    socket = await sockets("/ws/board/", user=user, streams={"board": 2})

    token = await sync(token_for)(user)
    await socket.send({"type": "auth", "token": token, "streams": {"board": 0}})

    renewed = await socket.receive_until("auth.ok")
    assert set(renewed["payload"]) == {"expires_at"}
    assert await socket.nothing_more()


# ----------------------------------------------------------------------- (c) bad positions

BAD_POSITIONS = [
    (5, "invalid_streams"),
    ([["board", 1]], "invalid_streams"),
    ({"board": -1}, "invalid_sequence"),
    ({"board": "41"}, "invalid_sequence"),
    ({"board": 1.5}, "invalid_sequence"),
    ({"board": True}, "invalid_sequence"),
    ({"board": None}, "invalid_sequence"),
    ({"board": MAX_SEQUENCE + 1}, "invalid_sequence"),
    ({"boards": 1}, "unknown_stream"),
    ({"task.012": 1}, "unknown_stream"),
    ({"user.7\n": 1}, "unknown_stream"),
    ({f"task.{n}": 0 for n in range(1, 30)}, "too_many_streams"),
]


@pytest.mark.parametrize(("streams", "code"), BAD_POSITIONS)
async def test_bad_positions_in_auth_get_resumes_answer_and_the_socket_works(
    sockets, column, streams, code
):
    user = await new_user()
    author = await new_user()
    await new_cards(author, 1)
    by_auth = await sockets("/ws/board/", user=user, streams=streams, follows=False)
    by_resume = await sockets("/ws/board/", user=user)

    refused = (await by_auth.receive_until("error"))["payload"]
    await by_resume.send({"type": "resume", "streams": streams})
    answer = (await by_resume.receive_until("error"))["payload"]

    assert refused["code"] == code
    assert refused == answer | {"message": answer["message"].replace("'resume'", "'auth'")}
    # Authenticated all the same, following the board from now: nothing replayed,
    # live events arrive, other messages are answered.
    subscribed = await by_auth.receive_until("subscribed")
    assert (subscribed["stream"], subscribed["payload"]["last_sequence"]) == ("board", 1)
    await new_cards(author, 1, "Live")
    assert await board_sequences(by_auth, 1) == [2]
    await by_auth.send({"type": "ping"})
    assert (await by_auth.receive_until("pong"))["payload"]["time"]


async def test_the_streams_one_socket_follows_are_bounded(sockets, column, settings):
    settings.REALTIME_MAX_STREAMS = 2
    user = await new_user()
    own = f"user.{user.pk}"
    socket = await sockets("/ws/board/", user=user, streams={"board": 0, own: 0})

    cards = await new_cards(user, 1)
    await socket.send({"type": "resume", "streams": {f"task.{cards[0].pk}": 0}})

    refused = (await socket.receive_until("error"))["payload"]
    assert refused == {
        "message": "At most 2 streams per socket.",
        "code": "too_many_streams",
        "stream": f"task.{cards[0].pk}",
        "limit": 2,
    }


# ----------------------------------------------------------------------- (d) not yours


async def test_a_stream_one_may_not_follow_in_auth_is_refused_as_resume_refuses_it(sockets, column):
    ops = await sync(make_department)(code="OPS")
    ops_person = await new_user(department=ops)
    hidden = await sync(task_create)(by=ops_person, title="Ops only", department=ops)
    other, reader = await new_user(), await new_user()
    forbidden = {f"user.{other.pk}": 0, f"task.{hidden.pk}": 0}

    by_auth = await sockets(
        "/ws/board/", user=reader, streams={"board": 0, **forbidden}, follows=False
    )
    by_resume = await sockets("/ws/board/", user=reader)
    await by_resume.send({"type": "resume", "streams": forbidden})

    refusals = [(await by_auth.receive_until("error"))["payload"] for _ in forbidden]
    assert refusals == [(await by_resume.receive_until("error"))["payload"] for _ in forbidden]
    assert refusals == [
        {"message": "You may not follow this stream.", "stream": stream} for stream in forbidden
    ]
    # The socket's own stream is followed as asked (#1, the hidden card, is not this
    # reader's to see); nothing of the refused streams comes.
    await sync(notifications_create)(recipients=[other], kind="system", title="Not yours")
    await sync(task_comment_create)(task=hidden, body="Not yours", by=ops_person)
    await new_cards(ops_person, 1, "Company wide")
    assert await board_sequences(by_auth, 1) == [2]
    assert await by_auth.nothing_more()


# ----------------------------------------------------------------------- the parsing


def test_stream_names_are_written_one_way():
    assert all(map(is_stream_name, ["board", "task.1", "user.42", "task.123456789012345678"]))
    for name in ["", "board.1", "task.", "task.0", "task.012", "task.1\n", "task.\u0661", "user.x"]:
        assert not is_stream_name(name), name
    assert not is_stream_name("task.1234567890123456789")  # 19 digits


def test_parsing_keeps_the_good_entries_and_answers_the_bad_ones():
    positions = parse_positions("resume", {"board": 4, "user.3": -2, "nope": 1, "task.9": 0})

    assert positions.valid == {"board": 4, "task.9": 0}
    empty = parse_positions("auth", {})  # a first connection: nothing to come back to
    assert (empty.valid, empty.errors) == ({}, [])
    assert [extra["code"] for _, extra in positions.errors] == [
        "invalid_sequence",
        "unknown_stream",
    ]


async def test_a_position_beyond_the_log_does_not_move_the_hubs_delivered_mark(sockets, column):
    """The hub re-reads the log after a Redis reconnect from what it has delivered; a
    client's claim past the log's end must not raise that mark."""
    from api.realtime import fanout

    await new_cards(await new_user(), 2)

    # The fixture waits for "subscribed": the mark is set by then.
    await sockets("/ws/board/", user=await new_user(), streams={"board": 10**9})

    assert fanout.hub()._delivered["board"] <= 2

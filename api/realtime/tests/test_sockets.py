"""The socket protocol against the real application and Redis: authentication and its
close codes, events from services, catch-up and resync, visibility, presence."""

from __future__ import annotations

import time

import jwt
import pytest

from api.accounts.roles import Role
from api.kanban.models import TaskGroup
from api.kanban.services import task_comment_create, task_create, task_move
from api.notifications.services import notifications_create
from api.realtime.consumers import CloseCode
from api.realtime.models import RealtimeStream
from api.realtime.tests.conftest import PresenceView, sync, token_for
from tests.factories import make_department, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]


@pytest.fixture
async def board():
    def setup():
        todo = TaskGroup.objects.create(name="To do", position=0)
        done = TaskGroup.objects.create(name="Done", position=1, is_done_column=True)
        return todo, done

    return await sync(setup)()


async def new_user(role=Role.STAFF, **kwargs):
    return await sync(make_user)(role, **kwargs)


async def new_card(by, title="Card", department=None, group=None):
    return await sync(task_create)(by=by, title=title, department=department, group=group)


# ----------------------------------------------------------------------- authentication


async def test_socket_without_auth_is_closed_after_the_timeout(sockets, settings):
    settings.REALTIME_AUTH_TIMEOUT_SECONDS = 0.3
    socket = await sockets("/ws/board/")

    assert await socket.closed_with() == CloseCode.AUTH_TIMEOUT


async def test_forged_token_is_refused_with_4401(sockets):
    forged = jwt.encode(
        {"user_id": 1, "token_type": "access", "exp": time.time() + 60},
        "not-our-key-but-long-enough-for-hs256-32b",
        algorithm="HS256",
    )
    socket = await sockets("/ws/board/")

    await socket.send({"type": "auth", "token": forged})

    assert await socket.closed_with() == CloseCode.UNAUTHENTICATED


async def test_expired_token_is_refused_with_4401(sockets):
    from datetime import timedelta

    from rest_framework_simplejwt.tokens import AccessToken

    def expired_token(user) -> str:
        token = AccessToken.for_user(user)
        token.set_exp(lifetime=timedelta(seconds=-30))
        return str(token)

    token = await sync(expired_token)(await new_user())
    socket = await sockets("/ws/board/")

    await socket.send({"type": "auth", "token": token})

    assert await socket.closed_with() == CloseCode.UNAUTHENTICATED


async def test_anything_but_auth_first_is_refused(sockets):
    garbage = await sockets("/ws/board/")
    await garbage.communicator.send_to(text_data="not json")
    early = await sockets("/ws/board/")
    await early.send({"type": "ping"})

    assert await garbage.closed_with() == CloseCode.BAD_MESSAGE
    assert await early.closed_with() == CloseCode.UNAUTHENTICATED


async def test_foreign_origin_is_refused_at_the_handshake(sockets):
    from api.realtime.tests.conftest import Socket

    socket = Socket(
        "/ws/board/", headers=[(b"origin", b"https://evil.example"), (b"host", b"localhost")]
    )

    assert not await socket.connect()


async def test_ticket_opens_one_socket_once(sockets, client_for):
    user = await new_user()
    client = await sync(client_for)(user)
    ticket = (await sync(client.post)("/api/v1/realtime/tickets/")).json()["ticket"]
    first = await sockets("/ws/board/")
    await first.send({"type": "auth", "ticket": ticket})
    assert (await first.receive_until("auth.ok"))["payload"]["user_id"] == user.pk

    second = await sockets("/ws/board/")
    await second.send({"type": "auth", "ticket": ticket})
    assert await second.closed_with() == CloseCode.UNAUTHENTICATED


async def test_logout_closes_the_sessions_sockets(sockets, api_client):
    from tests.factories import PASSWORD

    user = await new_user()
    tokens = (
        await sync(api_client.post)(
            "/api/auth/login/local/",
            {"username": user.username, "password": PASSWORD},
            format="json",
        )
    ).json()
    socket = await sockets("/ws/notifications/")
    await socket.send({"type": "auth", "token": tokens["access"]})
    await socket.receive_until("auth.ok")

    await sync(api_client.post)("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")

    assert await socket.closed_with() == CloseCode.SESSION_ENDED


# ----------------------------------------------------------------------- board events


async def test_card_events_reach_the_board_as_typed_envelopes_in_order(sockets, board):
    todo, done = board
    author = await new_user()
    watcher = await sockets("/ws/board/", user=await new_user())

    card = await new_card(author, "Release notes")
    await sync(task_move)(task=card, group=done, position=0, by=author)

    created = await watcher.receive_until("task.created")
    moved = await watcher.receive_until("task.moved")
    assert set(created) == {"type", "stream", "sequence", "timestamp", "payload"}
    assert created["stream"] == "board"
    assert (created["sequence"], moved["sequence"]) == (1, 2)
    assert created["payload"]["task"]["title"] == "Release notes"
    assert created["payload"]["actor"]["id"] == author.pk
    assert moved["payload"]["changes"]["group"] == {"old": todo.pk, "new": done.pk}


async def test_cards_of_another_department_never_reach_a_socket(sockets, board):
    ops, eng = await sync(make_department)(code="OPS"), await sync(make_department)(code="ENG")
    ops_person = await new_user(department=ops)
    eng_person = await new_user(department=eng)
    admin = await new_user(Role.SUPERADMIN)
    eng_socket = await sockets("/ws/board/", user=eng_person)
    admin_socket = await sockets("/ws/board/", user=admin)

    await new_card(ops_person, "Ops secret", department=ops)
    await new_card(ops_person, "Company wide", department=None)

    seen_by_eng = await eng_socket.receive_until("task.created")
    assert seen_by_eng["payload"]["task"]["title"] == "Company wide"
    assert seen_by_eng["sequence"] == 2  # #1 exists, but is not this person's to see
    titles = {
        (await admin_socket.receive_until("task.created"))["payload"]["task"]["title"]
        for _ in range(2)
    }
    assert titles == {"Ops secret", "Company wide"}


async def test_resume_replays_what_was_missed_in_order(sockets, board):
    author = await new_user()
    reader = await new_user()
    for n in range(5):
        await new_card(author, f"Card {n}")

    socket = await sockets("/ws/board/", user=reader)
    await socket.send({"type": "resume", "streams": {"board": 2}})

    replayed = [(await socket.receive_until("task.created"))["sequence"] for _ in range(3)]
    assert replayed == [3, 4, 5]
    await new_card(author, "Live")
    assert (await socket.receive_until("task.created"))["sequence"] == 6
    assert await socket.nothing_more()


async def test_resume_from_before_the_kept_window_gets_resync(sockets, board):
    author = await new_user()
    await new_card(author)
    await sync(RealtimeStream.objects.filter(name="board").update)(purged_through=1)
    socket = await sockets("/ws/board/", user=await new_user())

    await socket.send({"type": "resume", "streams": {"board": 0}})

    resync = await socket.receive_until("resync")
    assert resync["stream"] == "board"


async def test_resume_of_a_stream_one_may_not_read_is_refused(sockets):
    other = await new_user()
    socket = await sockets("/ws/board/", user=await new_user())

    await socket.send({"type": "resume", "streams": {f"user.{other.pk}": 0}})

    error = await socket.receive_until("error")
    assert error["payload"]["stream"] == f"user.{other.pk}"


# ----------------------------------------------------------------------- presence


async def test_presence_lists_everyone_on_the_board_and_drops_who_leaves(sockets, board):
    alice, bob = await new_user(first_name="Alice"), await new_user(first_name="Bob")
    alice_socket = await sockets("/ws/board/", user=alice)
    view = PresenceView()
    await alice_socket.presence_until(view, lambda v: v.ids == {alice.pk})
    bob_socket = await sockets("/ws/board/", user=bob)

    await alice_socket.presence_until(view, lambda v: v.ids == {alice.pk, bob.pk})
    assert view.people[bob.pk]["full_name"].startswith("Bob")
    await bob_socket.disconnect()
    await alice_socket.presence_until(view, lambda v: v.ids == {alice.pk})

    # Changes name who came and went, not the whole board.
    assert view.changes[-2]["joined"][0]["user_id"] == bob.pk
    assert view.changes[-2]["left"] == []
    assert view.changes[-1] == {
        "base": view.changes[-2]["version"],
        "version": view.changes[-2]["version"] + 1,
        "joined": [],
        "left": [bob.pk],
    }


async def test_asking_for_presence_gives_the_list_with_its_version(sockets, board):
    alice = await new_user()
    socket = await sockets("/ws/board/", user=alice)
    view = PresenceView()
    await socket.presence_until(view, lambda v: v.ids == {alice.pk})

    await socket.send({"type": "presence"})
    state = await socket.receive_until("presence.state")

    assert state["payload"]["version"] == view.version
    assert [p["user_id"] for p in state["payload"]["people"]] == [alice.pk]


async def test_concurrent_announcements_get_consecutive_versions(sockets, board):
    import asyncio

    from api.realtime.presence import rooms

    store = rooms()
    start = (await store.announced("board-test")).version
    people = [{"user_id": n, "full_name": f"P{n}"} for n in range(3)]
    changes = await asyncio.gather(
        store.record_announcement("board-test", people[:1]),
        store.record_announcement("board-test", people[:2]),
        store.record_announcement("board-test", people),
    )
    assert sorted((c.base, c.version) for c in changes) == [
        (start, start + 1),
        (start + 1, start + 2),
        (start + 2, start + 3),
    ]
    # Whichever of the three was applied last is what the room now says; announcing
    # that same list again is no change. (gather() promises no order among them.)
    final = (await store.announced("board-test")).people
    assert final in (people[:1], people[:2], people)
    assert await store.record_announcement("board-test", final) is None  # nothing new


async def test_members_whose_heartbeats_stop_expire(sockets, board, settings):
    from api.realtime.presence import rooms

    settings.REALTIME_PRESENCE_TTL_SECONDS = 1
    socket = await sockets("/ws/board/", user=await new_user())
    await socket.receive_until("presence.state")

    time.sleep(1.2)
    members, swept = await rooms().members("board")

    assert members == []
    assert swept == 1


# ----------------------------------------------------------------------- task detail


async def test_task_of_another_department_is_refused_with_4403(sockets, board):
    ops = await sync(make_department)(code="OPS")
    card = await new_card(await new_user(department=ops), department=ops)
    outsider = await new_user()
    socket = await sockets(f"/ws/board/task/{card.pk}/")

    await socket.send({"type": "auth", "token": await sync(token_for)(outsider)})

    assert await socket.closed_with() == CloseCode.FORBIDDEN


async def test_comments_typing_and_editors_are_live_on_the_task(sockets, board):
    author = await new_user(first_name="Ann")
    card = await new_card(author)
    reader = await sockets(f"/ws/board/task/{card.pk}/", user=await new_user())
    await reader.receive_until("editors.state")
    await reader.receive_until("typing.state")  # the (empty) state on joining
    writer = await sockets(f"/ws/board/task/{card.pk}/", user=author)

    await writer.send({"type": "typing", "is_typing": True})
    typing = await reader.receive_until("typing.state")
    await writer.send({"type": "editing", "is_editing": True})
    editors = await reader.receive_until("editors.state")
    await sync(task_comment_create)(task=card, body="Looks good", by=author)
    comment = await reader.receive_until("comment.created")

    assert [p["full_name"] for p in typing["payload"]["people"]] == [author.get_full_name()]
    assert [p["user_id"] for p in editors["payload"]["people"]] == [author.pk]
    assert comment["stream"] == f"task.{card.pk}"
    assert comment["payload"]["comment"]["body"] == "Looks good"


async def test_bad_action_payload_is_an_error_not_a_crash(sockets, board):
    card = await new_card(await new_user())
    socket = await sockets(f"/ws/board/task/{card.pk}/", user=await new_user())

    await socket.send({"type": "typing", "is_typing": "yes"})
    await socket.send({"type": "dance"})

    assert "boolean" in (await socket.receive_until("error"))["payload"]["message"]
    assert "Unknown" in (await socket.receive_until("error"))["payload"]["message"]


# ----------------------------------------------------------------------- notifications


async def test_notifications_arrive_with_unread_count_and_can_be_marked_read(sockets):
    user = await new_user()
    socket = await sockets("/ws/notifications/", user=user)
    assert (await socket.receive_until("notification.unread_count"))["payload"] == {
        "unread_count": 0
    }

    await sync(notifications_create)(recipients=[user], kind="system", title="Hello")
    pushed = await socket.receive_until("notification.created")
    await socket.send({"type": "mark_read", "id": pushed["payload"]["notification"]["id"]})

    assert pushed["stream"] == f"user.{user.pk}"
    assert pushed["payload"]["unread_count"] == 1
    # The reply and the event of the user's stream travel separately: either may be first.
    after = await socket.receive_each("notification.unread_count", "notification.read")
    assert after["notification.unread_count"]["payload"] == {"unread_count": 0}
    assert after["notification.read"]["payload"]["unread_count"] == 0


async def test_permission_change_is_pushed_and_rechecked(sockets, board, client_for):
    ops = await sync(make_department)(code="OPS")
    member = await new_user(department=ops)
    card = await new_card(member, department=ops)
    admin = await new_user(Role.SUPERADMIN)
    notifications = await sockets("/ws/notifications/", user=member)
    detail = await sockets(f"/ws/board/task/{card.pk}/", user=member)

    admin_client = await sync(client_for)(admin)
    revoke = [{"resource": "tasks", "action": "view", "allowed": False}]
    response = await sync(admin_client.patch)(
        f"/api/v1/users/access-control/{member.pk}/", {"overrides": revoke}, format="json"
    )
    assert response.status_code == 200, response.content

    update = await notifications.receive_until("permission_update")
    assert "view" not in update["payload"]["permissions"].get("tasks", [])
    assert await detail.closed_with() == CloseCode.SESSION_ENDED


async def test_idle_socket_with_hub_restart_keeps_receiving(sockets, board):
    """The hub reconnecting (and re-reading the log) does not lose or repeat events."""
    from api.realtime.fanout import hub

    author = await new_user()
    socket = await sockets("/ws/board/", user=await new_user())
    await new_card(author, "one")
    await hub()._replay("board")  # what a reconnect does
    await new_card(author, "two")

    sequences = [(await socket.receive_until("task.created"))["sequence"] for _ in range(2)]
    assert sequences == [1, 2]
    assert await socket.nothing_more()

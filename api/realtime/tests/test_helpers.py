"""The public helpers turn into durable events on the right streams, for the right people."""

from __future__ import annotations

import pytest

from api.accounts.roles import Role
from api.kanban.models import TaskGroup
from api.kanban.selectors import task_audience
from api.kanban.services import task_create
from api.realtime import helpers
from api.realtime.audience import Audience
from api.realtime.log import envelope_of
from api.realtime.models import RealtimeEvent
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db


def _events(stream_prefix: str = "") -> list[tuple[str, str, dict, Audience]]:
    rows = RealtimeEvent.objects.filter(stream__startswith=stream_prefix).order_by("pk")
    return [(row.stream, row.type, *envelope_of(row)) for row in rows]


def _streams() -> list[str]:
    return sorted(RealtimeEvent.objects.values_list("stream", flat=True))


def test_a_notification_goes_to_the_users_own_stream():
    helpers.send_notification_to_user(7, {"unread_count": 1})

    [(stream, type, envelope, _)] = _events()
    assert (stream, type) == ("user.7", "notification.created")
    assert envelope.payload == {"unread_count": 1}


def test_department_admins_of_one_department_or_all_of_them():
    ops, fin = make_department(code="OPS"), make_department(code="FIN")
    ops_admin = make_user(Role.PTB_ADMIN, department=ops)
    fin_admin = make_user(Role.PTB_ADMIN, department=fin)
    make_user(Role.PTB_ADMIN, department=ops, is_active=False)
    make_user(Role.STAFF, department=ops)

    helpers.send_notification_to_ptb_admins({"n": 1}, department_id=ops.pk)
    assert _streams() == [f"user.{ops_admin.pk}"]
    helpers.send_notification_to_ptb_admins({"n": 2})
    assert _streams() == sorted([f"user.{ops_admin.pk}"] * 2 + [f"user.{fin_admin.pk}"])


def test_superadmins_only_the_active_ones():
    active = make_user(Role.SUPERADMIN)
    make_user(Role.SUPERADMIN, is_active=False)
    make_user(Role.PTB_ADMIN)

    helpers.send_notification_to_superadmins({"n": 1})

    assert _streams() == [f"user.{active.pk}"]


def test_a_group_payload_is_built_once_from_the_recipients_it_reaches():
    ops = make_department(code="OPS")
    admins = [make_user(Role.PTB_ADMIN, department=ops) for _ in range(2)]
    asked = []

    def build(user_ids):
        asked.append(sorted(user_ids))
        # The builder may leave someone out (the notifications domain skips the actor).
        return {user_id: {"for": user_id} for user_id in user_ids if user_id != admins[1].pk}

    told = helpers.send_notification_to_ptb_admins(build, department_id=ops.pk)

    assert asked == [sorted(admin.pk for admin in admins)]
    assert told == [admins[0].pk]
    [(stream, _, envelope, _)] = _events()
    assert (stream, envelope.payload) == (f"user.{admins[0].pk}", {"for": admins[0].pk})


@pytest.fixture
def card():
    TaskGroup.objects.create(name="To do", position=0)
    ops = make_department(code="OPS")
    return task_create(by=make_user(Role.STAFF, department=ops), title="Card", department=ops)


@pytest.mark.parametrize(
    ("helper", "type"),
    [
        (helpers.broadcast_task_created, "task.created"),
        (helpers.broadcast_task_updated, "task.updated"),
        (helpers.broadcast_task_deleted, "task.deleted"),
    ],
)
def test_card_events_go_to_the_board_and_the_card_for_the_cards_audience(card, helper, type):
    RealtimeEvent.objects.all().delete()  # task_create's own events

    helper({"task": {"id": card.pk}, "changes": {}})

    events = _events()
    assert [(stream, kind) for stream, kind, _, _ in events] == [
        ("board", type),
        (f"task.{card.pk}", type),
    ]
    # Asked through the registry: kanban's rule, not everyone.
    assert {audience for *_, audience in events} == {task_audience(card)}
    assert not task_audience(card).everyone


def test_an_explicit_audience_is_kept(card):
    RealtimeEvent.objects.all().delete()
    only = Audience(everyone=False, user_ids=(42,))

    helpers.broadcast_task_updated({"task": {"id": card.pk}}, audience=only)

    assert {audience for *_, audience in _events()} == {only}


def test_a_move_between_departments_reaches_both(card):
    RealtimeEvent.objects.all().delete()
    old = card.department_id
    card.department = make_department(code="FIN")
    card.save(update_fields=["department"])

    moved = {"department": {"old": old, "new": card.department_id}}
    helpers.broadcast_task_updated({"task": {"id": card.pk}, "changes": moved})

    [(*_, audience), _] = _events()
    assert set(audience.department_ids) == {old, card.department_id}


def test_a_permission_update_is_an_event_and_a_control_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        helpers.send_permission_update_to_user(5, {"role": "staff"})

    [(stream, type, envelope, _)] = _events()
    assert (stream, type, envelope.payload) == ("user.5", "permission_update", {"role": "staff"})
    names = {getattr(callback, "func", callback).__qualname__ for callback in callbacks}
    assert {"publish_logged", "send_control.<locals>.send"} <= names

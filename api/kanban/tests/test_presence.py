"""The presence trail keeps one row per person and place, however often they reconnect."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.kanban.models import BoardPresence
from api.kanban.services import (
    board_presence_close_stale,
    board_presence_joined,
    board_presence_left,
    board_presence_seen,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_reconnecting_reuses_the_persons_row():
    user = make_user()
    for n in range(20):
        board_presence_joined(user_id=user.pk, channel_name=f"chan-{n}", server_id="web-1:7")
        board_presence_left(channel_name=f"chan-{n}")

    row = BoardPresence.objects.get()
    assert (row.user_id, row.task_id, row.channel_name) == (user.pk, None, "chan-19")
    assert row.disconnected_at is not None


def test_a_second_tab_takes_the_row_over_and_its_heartbeat_keeps_it_open():
    user = make_user()
    board_presence_joined(user_id=user.pk, channel_name="tab-a")
    board_presence_joined(user_id=user.pk, channel_name="tab-b")
    board_presence_left(channel_name="tab-b")

    board_presence_seen(channel_name="tab-a", user_id=user.pk)

    row = BoardPresence.objects.get()
    assert (row.channel_name, row.disconnected_at) == ("tab-a", None)


def test_people_and_places_get_their_own_rows():
    first, second = make_user(), make_user()
    board_presence_joined(user_id=first.pk, channel_name="a")
    board_presence_joined(user_id=second.pk, channel_name="b")
    board_presence_joined(user_id=first.pk, channel_name="c")

    assert BoardPresence.objects.count() == 2


def test_rows_whose_heartbeats_stopped_are_closed():
    user = make_user()
    board_presence_joined(user_id=user.pk, channel_name="gone", server_id="dead:1")
    BoardPresence.objects.update(last_seen_at=timezone.now() + timedelta(seconds=1))

    assert board_presence_close_stale(older_than=timezone.now()) == 0
    assert board_presence_close_stale(older_than=timezone.now() + timedelta(minutes=5)) == 1
    assert BoardPresence.objects.get().disconnected_at is not None

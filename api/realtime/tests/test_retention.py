"""Retention keeps each stream's kept history contiguous and marks what went."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.realtime.envelope import EventType
from api.realtime.log import record, stream_position
from api.realtime.models import RealtimeEvent, RealtimeStream
from api.realtime.services import realtime_events_purge
from api.realtime.tasks import purge_realtime_events

pytestmark = pytest.mark.django_db(transaction=True)


def test_old_events_go_and_the_stream_remembers_where_history_starts(settings):
    settings.REALTIME_EVENT_RETENTION_HOURS = 24
    for n in range(5):
        record("board", EventType.TASK_UPDATED, {"n": n})
    record("user.7", EventType.NOTIFICATIONS_READ, {"unread_count": 0})
    long_ago = timezone.now() - timedelta(hours=25)
    RealtimeEvent.objects.filter(stream="board", sequence__lte=3).update(created_at=long_ago)

    assert realtime_events_purge() == 3

    assert list(
        RealtimeEvent.objects.filter(stream="board").values_list("sequence", flat=True)
    ) == [4, 5]
    assert stream_position("board").purged_through == 3
    assert stream_position("board").last_sequence == 5
    assert RealtimeEvent.objects.filter(stream="user.7").count() == 1
    assert RealtimeStream.objects.get(name="user.7").purged_through == 0


def test_the_periodic_task_runs_the_purge(settings):
    settings.REALTIME_EVENT_RETENTION_HOURS = 1
    record("board", EventType.TASK_UPDATED, {})
    RealtimeEvent.objects.update(created_at=timezone.now() - timedelta(hours=2))

    assert purge_realtime_events.delay().get() == 1
    assert stream_position("board").purged_through == 1


def test_the_log_keeps_at_most_the_newest_rows_whatever_their_age(settings):
    settings.REALTIME_EVENT_RETENTION_HOURS = 24
    settings.REALTIME_EVENTS_MAX_ROWS = 4
    for n in range(5):
        record("board", EventType.TASK_UPDATED, {"n": n})
    for n in range(2):
        record("user.7", EventType.NOTIFICATIONS_READ, {"unread_count": n})

    assert realtime_events_purge() == 3

    assert RealtimeEvent.objects.count() == 4
    assert list(
        RealtimeEvent.objects.filter(stream="board").values_list("sequence", flat=True)
    ) == [4, 5]
    assert stream_position("board").purged_through == 3
    assert stream_position("user.7").purged_through == 0

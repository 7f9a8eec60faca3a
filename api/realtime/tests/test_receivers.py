"""record_and_publish: the event is written with the change, broadcast only on commit."""

from __future__ import annotations

import pytest
from django.db import transaction

from api.realtime.audience import Audience
from api.realtime.events import DomainEvent, emit
from api.realtime.log import envelope_of
from api.realtime.models import RealtimeEvent

pytestmark = pytest.mark.django_db(transaction=True)


class _Rollback(Exception):
    pass


def test_a_committed_event_is_in_the_log_with_its_sequence_and_audience():
    audience = Audience(everyone=False, department_ids=(3,))

    with transaction.atomic():
        emit(DomainEvent("board", "task.updated", {"n": 1}, audience))

    [row] = RealtimeEvent.objects.all()
    envelope, stored = envelope_of(row)
    assert (row.sequence, envelope.payload, stored) == (1, {"n": 1}, audience)


def _emit_then_fail() -> None:
    with transaction.atomic():
        emit(DomainEvent("board", "task.updated", {"n": 1}))
        raise _Rollback


def test_a_rolled_back_change_leaves_no_event():
    with pytest.raises(_Rollback):
        _emit_then_fail()

    assert not RealtimeEvent.objects.exists()

from datetime import timedelta

import pytest
from django.utils import timezone

from api.kanban.models import Task, TaskGroup, TaskTimeLog
from tests.db import rejected_by_database
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def column():
    return TaskGroup.objects.create(name="To do", position=0)


def make_task(column, **fields):
    fields.setdefault("title", "Card")
    fields.setdefault("created_by", make_user(with_employee=False))
    return Task.objects.create(group=column, **fields)


@pytest.mark.skipif(
    "not __import__('django.conf').conf.settings.USING_POSTGRES",
    reason="deferred unique constraints exist on PostgreSQL only",
)
def test_two_live_cards_cannot_share_a_position_in_a_column(column):
    make_task(column, position=0)
    with rejected_by_database():
        make_task(column, position=0)


def test_live_card_needs_a_position_and_archived_card_has_none(column):
    with rejected_by_database():
        make_task(column, position=None)
    with rejected_by_database():
        make_task(column, position=0, archived_at=timezone.now())
    archived = make_task(column, position=None, archived_at=timezone.now())
    assert archived.pk


def test_version_starts_at_one_and_cannot_be_zero(column):
    assert make_task(column, position=0).version == 1
    with rejected_by_database():
        make_task(column, position=1, version=0)


def test_wip_limit_must_be_positive():
    with rejected_by_database():
        TaskGroup.objects.create(name="Doing", position=5, wip_limit=0)


def test_time_log_cannot_end_before_it_starts(column):
    task = make_task(column, position=0)
    now = timezone.now()
    with rejected_by_database():
        TaskTimeLog.objects.create(
            task=task, user=task.created_by, started_at=now, ended_at=now - timedelta(minutes=5)
        )

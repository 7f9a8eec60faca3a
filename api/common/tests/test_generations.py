"""Write generations: every write moves its model's generation, at once and again
after commit, and a vanished generation restarts above every value it had."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from api.common.generations import generation_key, generations_in, rows_changed
from api.overtime.models import OvertimeRequest
from tests.factories import make_overtime

pytestmark = pytest.mark.django_db


def test_generations_move_again_after_commit(django_capture_on_commit_callbacks):
    """A reader between the first bump and the commit saw the old rows and may have
    cached them under the new generation: the post-commit bump retires that entry."""
    key = generation_key(OvertimeRequest)
    before = cache.get(key, 0)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        make_overtime()
        during = cache.get(key)
    assert during > before
    assert cache.get(key) > during


def test_a_vanished_generation_restarts_above_its_old_value():
    rows_changed(OvertimeRequest)
    (before,) = generations_in(cache.get_many([generation_key(OvertimeRequest)]), [OvertimeRequest])
    cache.delete(generation_key(OvertimeRequest))  # evicted
    (after,) = generations_in({}, [OvertimeRequest])
    assert after > before

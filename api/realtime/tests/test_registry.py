"""Who may follow a stream is the registered domain's rule; unknown kinds nobody."""

from __future__ import annotations

import pytest

from api.accounts.roles import Role
from api.kanban.models import TaskGroup
from api.kanban.services import task_create
from api.realtime import registry
from tests.factories import make_department, make_user

pytestmark = pytest.mark.django_db


def test_ones_own_user_stream_only():
    user = make_user(Role.USER)

    assert registry.may_read(user, f"user.{user.pk}")
    assert not registry.may_read(user, f"user.{user.pk + 1}")


def test_the_board_and_a_card_follow_the_kanban_rules():
    TaskGroup.objects.create(name="To do", position=0)
    ops, fin = make_department(code="OPS"), make_department(code="FIN")
    member, outsider = make_user(Role.STAFF, department=ops), make_user(Role.STAFF, department=fin)
    card = task_create(by=member, title="Card", department=ops)

    assert registry.may_read(member, "board")
    assert registry.may_read(member, f"task.{card.pk}")
    assert registry.may_read(outsider, "board")
    assert not registry.may_read(outsider, f"task.{card.pk}")
    assert not registry.may_read(member, "task.nope")
    assert not registry.may_read(member, "board.extra")


def test_unregistered_kinds_are_refused_and_have_no_audience():
    user = make_user(Role.SUPERADMIN)

    assert not registry.may_read(user, "payroll.1")
    with pytest.raises(LookupError):
        registry.audience_of("payroll", 1)

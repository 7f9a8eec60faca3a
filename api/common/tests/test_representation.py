"""A Rendering declares a representation once: the models it shows, the columns the
fast path reads, and the same output from instances and from plain rows."""

from __future__ import annotations

import pytest

from api.accounts.models import User
from api.common import representation as r
from api.common.list_cache import models_read
from api.org.models import Department, Employee, Project
from api.overtime.models import OvertimeBreak, OvertimeRequest
from api.overtime.serializers import OVERTIME_REQUEST
from api.overtime.views import OvertimeRequestViewSet
from tests.factories import make_overtime, make_project

PERSON = (r.Field("id"), r.Field("full_name", ("first_name", "last_name"), r.full_name))
SMALL = r.Rendering(
    OvertimeRequest,
    (
        r.Field("id"),
        r.Brief("employee", Employee, (r.Field("id"), r.Brief("department", Department, ()))),
        r.Brief("rejected_by", User, PERSON, joined=False),
        r.Many("breaks", OvertimeBreak, "request", (r.datetime_field("start_at"),)),
    ),
)


def test_the_models_a_rendering_shows_are_those_it_declares():
    assert SMALL.models() == (OvertimeRequest, Employee, Department, User, OvertimeBreak)


def test_a_list_cache_watches_the_rendering_and_the_scope_each_once():
    assert models_read(SMALL, (User, Project)) == (
        OvertimeRequest,
        Employee,
        Department,
        User,
        OvertimeBreak,
        Project,
    )


def test_the_overtime_list_cache_is_derived_from_its_rendering():
    assert set(OvertimeRequestViewSet.list_cache_models) == {
        OvertimeRequest,
        OvertimeBreak,
        Employee,
        Department,
        Project,
        User,
    }
    assert OvertimeRequestViewSet.list_cache_models == models_read(
        OVERTIME_REQUEST, OvertimeRequestViewSet.list_scope_models
    )


def test_columns_join_to_one_relations_and_look_up_the_others_by_id():
    assert SMALL.columns() == ("id", "employee__id", "employee__department__id", "rejected_by_id")


@pytest.mark.django_db
def test_rows_and_instances_render_alike(django_assert_num_queries):
    with_project = make_overtime(project=make_project())
    make_overtime()
    instances = OvertimeRequest.objects.select_related("employee__department", "project")
    expected = {obj.pk: OVERTIME_REQUEST.render(obj) for obj in instances}
    rows = list(OvertimeRequest.objects.values(*OVERTIME_REQUEST.columns()))
    with django_assert_num_queries(1):  # the breaks; nobody decided, so no user lookup
        rendered = OVERTIME_REQUEST.render_rows(rows)
    assert {item["id"]: item for item in rendered} == expected
    assert expected[with_project.pk]["project"]["id"] == with_project.project_id


def test_a_pages_timestamp_memo_formats_each_value_once_in_the_zone_it_was_given():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    jakarta = ZoneInfo("Asia/Jakarta")
    start = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    memo = r.TimestampMemo(jakarta)
    assert memo[start] == "2026-12-01T18:00:00+07:00" == r.iso(start, jakarta)
    assert memo[start] is memo[start]  # formatted once, then looked up
    assert r.TimestampMemo(UTC)[start] == "2026-12-01T11:00:00Z"
    assert len(memo) == 1

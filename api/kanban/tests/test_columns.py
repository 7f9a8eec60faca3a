"""The board's columns through /api/v1/task-groups/: always at positions 0..n-1."""

import pytest
from django.utils import timezone

from api.audit.models import UserActivityLog
from api.kanban.models import Task, TaskGroup
from api.kanban.tests.factories import make_task

pytestmark = pytest.mark.django_db

URL = "/api/v1/task-groups/"


def order() -> list[tuple[int, str]]:
    return list(TaskGroup.objects.order_by("position").values_list("position", "name"))


def test_create_appends_a_column(team):
    response = team.admin.post(URL, {"name": "Blocked", "color": "#ff0000"}, format="json")

    assert response.status_code == 201
    assert response.json()["position"] == 4
    assert response.json()["live_count"] == 0
    assert UserActivityLog.objects.filter(action="create", resource="task_groups").exists()


def test_create_at_a_position_makes_room(team):
    team.admin.post(URL, {"name": "Backlog", "position": 0}, format="json")

    assert order() == [(0, "Backlog"), (1, "To do"), (2, "In progress"), (3, "Review"), (4, "Done")]


def test_moving_a_column_keeps_positions_dense(team, columns):
    response = team.admin.patch(f"{URL}{columns[3].pk}/", {"position": 1}, format="json")

    assert response.status_code == 200
    assert order() == [(0, "To do"), (1, "Done"), (2, "In progress"), (3, "Review")]


def test_update_records_the_diff(team, columns):
    team.admin.patch(f"{URL}{columns[1].pk}/", {"name": "Doing", "wip_limit": 3}, format="json")

    audit = UserActivityLog.objects.get(action="update", resource="task_groups")
    assert audit.changes == {
        "name": {"old": "In progress", "new": "Doing"},
        "wip_limit": {"old": None, "new": 3},
    }


def test_reorder_puts_every_column_in_the_given_order(team, columns):
    ids = [column.pk for column in reversed(columns)]

    response = team.admin.post(f"{URL}reorder/", {"order": ids}, format="json")

    assert response.status_code == 200
    assert [column["id"] for column in response.json()] == ids
    assert order() == [(0, "Done"), (1, "Review"), (2, "In progress"), (3, "To do")]
    assert UserActivityLog.objects.get(action="reorder").changes["order"]["new"] == ids


@pytest.mark.parametrize("mangle", ["missing", "duplicate", "unknown"])
def test_reorder_must_name_every_column_once(team, columns, mangle):
    ids = [column.pk for column in columns]
    ids = {
        "missing": ids[:-1],
        "duplicate": [*ids[:-1], ids[0]],
        "unknown": [*ids[:-1], 999999],
    }[mangle]

    response = team.admin.post(f"{URL}reorder/", {"order": ids}, format="json")

    assert response.status_code == 400
    assert "order" in response.json()["error"]["fields"]
    assert order()[0] == (0, "To do")


def test_wip_limit_must_be_positive(team):
    response = team.admin.post(URL, {"name": "X", "wip_limit": 0}, format="json")

    assert response.status_code == 400
    assert "wip_limit" in response.json()["error"]["fields"]


def test_creating_a_card_in_a_full_column_is_refused(team, columns):
    columns[0].wip_limit = 1
    columns[0].save()
    make_task(columns[0])

    response = team.staff.post(
        "/api/v1/tasks/", {"title": "One too many", "group": columns[0].pk}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wip_limit_reached"
    assert response.json()["error"]["wip_limit"] == 1


def test_a_column_with_live_cards_cannot_be_deleted(team, columns):
    make_task(columns[1])

    response = team.admin.delete(f"{URL}{columns[1].pk}/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "column_not_empty"
    assert TaskGroup.objects.filter(pk=columns[1].pk).exists()


def test_deleting_an_empty_column_closes_the_gap(team, columns):
    response = team.admin.delete(f"{URL}{columns[1].pk}/")

    assert response.status_code == 204
    assert order() == [(0, "To do"), (1, "Review"), (2, "Done")]
    assert UserActivityLog.objects.filter(action="delete", resource="task_groups").exists()


def test_deleting_a_column_rehomes_its_archived_cards(team, columns):
    archived = make_task(columns[1], archived_at=timezone.now(), position=None)

    response = team.admin.delete(f"{URL}{columns[1].pk}/")

    assert response.status_code == 204
    assert Task.objects.get(pk=archived.pk).group_id == columns[0].pk


def test_staff_may_read_but_not_change_columns(team, columns):
    assert team.staff.get(URL).status_code == 200
    assert team.staff.post(URL, {"name": "X"}, format="json").status_code == 403
    assert team.staff.delete(f"{URL}{columns[0].pk}/").status_code == 403


def test_list_counts_live_cards_per_column(team, columns):
    make_task(columns[0])
    make_task(columns[0])
    make_task(columns[0], archived_at=timezone.now(), position=None)

    results = team.staff.get(URL).json()["results"]

    assert [column["live_count"] for column in results] == [2, 0, 0, 0]

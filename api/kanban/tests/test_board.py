"""The v2 board: one answer with every column and its cards, and the atomic move."""

import random

import pytest

from api.audit.models import UserActivityLog
from api.kanban.models import Task, TaskActivity, TaskActivityVerb
from api.kanban.tests.factories import live_positions, make_comment, make_task
from tests.factories import make_project

pytestmark = pytest.mark.django_db

BOARD = "/api/v2/board/"
MOVE = "/api/v2/board/move/"


def move(client, task, group, position, **extra):
    body = {"task": task.pk, "group": group.pk, "position": position, **extra}
    return client.post(MOVE, body, format="json")


def assert_dense(*columns):
    for column in columns:
        positions = [position for position, _ in live_positions(column)]
        assert positions == list(range(len(positions))), column.name


# ----------------------------------------------------------------------- GET


def test_board_lists_columns_in_order_with_ordered_cards_and_counts(team, columns):
    first = make_task(columns[0], department=team.ops, title="First")
    second = make_task(columns[0], department=team.ops, title="Second")
    make_comment(first, team.users.colleague)
    first.subtasks.create(title="a", is_done=True)
    first.subtasks.create(title="b")

    board = team.staff.get(BOARD).json()

    assert [column["name"] for column in board["columns"]] == [c.name for c in columns]
    todo = board["columns"][0]
    assert [card["id"] for card in todo["cards"]] == [first.pk, second.pk]
    assert todo["count"] == 2
    card = todo["cards"][0]
    assert card["comment_count"] == 1
    assert (card["subtask_done_count"], card["subtask_count"]) == (1, 2)
    assert card["attachment_count"] == 0
    assert card["department"] == {"id": team.ops.pk, "code": team.ops.code, "name": team.ops.name}
    assert board["columns"][1]["cards"] == []


def test_board_card_has_the_related_shapes_of_the_rest_card(team, columns):
    project = make_project()
    task = make_task(
        columns[0], department=team.ops, project=project, assignees=[team.users.colleague]
    )

    card = team.staff.get(BOARD).json()["columns"][0]["cards"][0]
    rest = team.staff.get(f"/api/v1/tasks/{task.pk}/").json()

    for related in ("department", "project", "assignees", "created_by"):
        assert card[related] == rest[related], related
    assert card["created_by"]["id"] == task.created_by_id


def test_board_shows_only_visible_live_cards(team, columns):
    mine = make_task(columns[0], department=team.ops)
    make_task(columns[0], department=team.other)
    archived = make_task(columns[0], department=team.ops)
    Task.objects.filter(pk=archived.pk).update(archived_at="2026-01-01T00:00:00Z", position=None)

    todo = team.staff.get(BOARD).json()["columns"][0]

    assert [card["id"] for card in todo["cards"]] == [mine.pk]
    assert todo["total"] == 2  # what the WIP limit counts, the foreign card included


def test_board_filters_by_project_department_and_assignee(team, columns):
    project = make_project()
    wanted = make_task(
        columns[0], department=team.ops, project=project, assignees=[team.users.colleague]
    )
    make_task(columns[0], department=team.ops)
    query = f"project={project.pk}&department={team.ops.pk}&assignee={team.users.colleague.pk}"

    todo = team.staff.get(f"{BOARD}?{query}").json()["columns"][0]

    assert [card["id"] for card in todo["cards"]] == [wanted.pk]


def test_board_rejects_a_malformed_filter_naming_it(team):
    response = team.staff.get(f"{BOARD}?project=abc")

    assert response.status_code == 400
    assert "project" in response.json()["error"]["fields"]


@pytest.mark.parametrize("cards", [5, 50])
def test_board_costs_the_same_queries_for_5_or_50_cards(
    team, columns, cards, django_assert_max_num_queries
):
    project = make_project()
    for n in range(cards):
        task = make_task(
            columns[n % 4],
            department=team.ops,
            project=project,
            assignees=[team.users.staff, team.users.colleague],
        )
        make_comment(task, team.users.colleague)
    team.staff.get(BOARD)  # the session's first request records its activity

    # department, columns, cards, assignees (the caller and their overrides are cached).
    with django_assert_max_num_queries(4) as captured:
        response = team.staff.get(BOARD)

    assert sum(column["count"] for column in response.json()["columns"]) == cards
    assert len(captured.captured_queries) == 4


def test_readers_see_the_board_but_cannot_move(team, columns):
    task = make_task(columns[0], department=team.ops)

    assert team.reader.get(BOARD).status_code == 200
    assert move(team.reader, task, columns[1], 0).status_code == 403


# ----------------------------------------------------------------------- move


def test_move_to_another_column_keeps_both_dense(team, columns, task_events):
    cards = [make_task(columns[0], department=team.ops) for _ in range(3)]
    below = [make_task(columns[1], department=team.ops) for _ in range(2)]

    response = move(team.staff, cards[0], columns[1], 1)

    assert response.status_code == 200
    assert response.json()["group"] == columns[1].pk
    assert response.json()["position"] == 1
    assert response.json()["version"] == 2
    assert live_positions(columns[0]) == [(0, cards[1].pk), (1, cards[2].pk)]
    assert live_positions(columns[1]) == [(0, below[0].pk), (1, cards[0].pk), (2, below[1].pk)]
    assert [event.type for event in task_events] == ["task.moved"]
    moved = task_events[0].payload["changes"]["group"]
    assert moved == {"old": columns[0].pk, "new": columns[1].pk}


def test_move_within_a_column_down_and_up(team, columns):
    a, b, c = (make_task(columns[0], department=team.ops) for _ in range(3))

    move(team.staff, a, columns[0], 2)
    assert live_positions(columns[0]) == [(0, b.pk), (1, c.pk), (2, a.pk)]
    move(team.staff, a, columns[0], 0)
    assert live_positions(columns[0]) == [(0, a.pk), (1, b.pk), (2, c.pk)]


def test_move_beyond_the_end_clamps_to_the_end(team, columns):
    card = make_task(columns[0], department=team.ops)
    make_task(columns[1], department=team.ops)

    response = move(team.staff, card, columns[1], 42)

    assert response.json()["position"] == 1


def test_move_to_the_same_place_changes_nothing(team, columns, task_events):
    card = make_task(columns[0], department=team.ops)

    response = move(team.staff, card, columns[0], 5)

    assert response.json()["version"] == 1
    assert task_events == []


def test_move_records_activity_and_audit(team, columns):
    card = make_task(columns[0], department=team.ops)

    move(team.staff, card, columns[2], 0)

    activity = TaskActivity.objects.get(task=card)
    assert activity.verb == TaskActivityVerb.MOVED
    assert activity.changes == {
        "group": {"old": columns[0].pk, "new": columns[2].pk},
        "position": {"old": 0, "new": 0},
    }
    audit = UserActivityLog.objects.get(action="move", object_id=str(card.pk))
    assert audit.changes["group"] == {"old": columns[0].pk, "new": columns[2].pk}
    assert audit.changes["version"] == {"old": 1, "new": 2}


def test_move_with_a_stale_version_is_a_409_with_the_current_card(team, columns):
    card = make_task(columns[0], department=team.ops, title="Now")
    move(team.colleague, card, columns[1], 0, version=1)

    response = move(team.staff, card, columns[2], 0, version=1)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "version_conflict"
    assert error["current"]["group"] == columns[1].pk
    assert error["current"]["version"] == 2
    assert Task.objects.get(pk=card.pk).group_id == columns[1].pk


def test_moving_into_a_full_column_is_refused(team, columns):
    columns[1].wip_limit = 1
    columns[1].save()
    make_task(columns[1], department=team.ops)
    card = make_task(columns[0], department=team.ops)

    response = move(team.staff, card, columns[1], 0)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "wip_limit_reached"
    assert "group" in response.json()["error"]["fields"]
    assert Task.objects.get(pk=card.pk).group_id == columns[0].pk


def test_moving_within_a_full_column_is_allowed(team, columns):
    columns[0].wip_limit = 2
    columns[0].save()
    first = make_task(columns[0], department=team.ops)
    make_task(columns[0], department=team.ops)

    assert move(team.staff, first, columns[0], 1).status_code == 200


def test_done_column_sets_completed_at_and_leaving_it_clears_it(team, columns):
    card = make_task(columns[0], department=team.ops)

    done = move(team.staff, card, columns[3], 0)
    completed_at = Task.objects.get(pk=card.pk).completed_at
    reopened = move(team.staff, card, columns[1], 0)

    assert done.status_code == reopened.status_code == 200
    assert completed_at is not None
    assert Task.objects.get(pk=card.pk).completed_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"group": 999999, "position": 0}, "group"),
        ({"position": -1}, "position"),
        ({"position": "top"}, "position"),
        ({"version": 0}, "version"),
    ],
)
def test_move_with_bad_input_names_the_field(team, columns, body, field):
    card = make_task(columns[0], department=team.ops)
    payload = {"task": card.pk, "group": columns[1].pk, "position": 0} | body

    response = team.staff.post(MOVE, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_moving_an_invisible_card_is_refused_as_unknown(team, columns):
    foreign = make_task(columns[0], department=team.other)

    response = move(team.staff, foreign, columns[1], 0)

    assert response.status_code == 400
    assert "task" in response.json()["error"]["fields"]
    assert Task.objects.get(pk=foreign.pk).group_id == columns[0].pk


def test_archived_cards_cannot_be_moved(team, columns):
    card = make_task(columns[0], department=team.ops)
    team.admin.delete(f"/api/v1/tasks/{card.pk}/")

    assert move(team.staff, card, columns[1], 0).status_code == 409


def test_sequential_random_moves_keep_every_column_dense(team, columns):
    cards = [make_task(columns[n % 4], department=team.ops) for n in range(12)]
    rng = random.Random(7)

    for _ in range(60):
        response = move(team.staff, rng.choice(cards), rng.choice(columns), rng.randint(0, 6))
        assert response.status_code == 200

    assert_dense(*columns)
    assert Task.objects.filter(archived_at__isnull=True).count() == 12

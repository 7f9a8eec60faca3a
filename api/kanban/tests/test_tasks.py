"""Cards through /api/v1/tasks/: creation, the version protocol, archiving, visibility,
and what every change leaves behind (activity, audit, notifications, signals)."""

import pytest

from api.audit.models import UserActivityLog
from api.kanban.models import Task, TaskActivity, TaskActivityVerb
from api.kanban.tests.factories import live_positions, make_task
from api.notifications.models import Notification, NotificationKind
from tests.factories import make_project, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/tasks/"


def create(client, **payload):
    payload.setdefault("title", "Prepare release")
    response = client.post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def edit(client, task_id, **payload):
    return client.patch(f"{URL}{task_id}/", payload, format="json")


# ----------------------------------------------------------------------- create


def test_create_defaults_to_first_column_end_and_creators_department(team, columns):
    first = create(team.staff)
    second = create(team.staff, title="Second")

    assert first["group"] == columns[0].pk
    assert (first["position"], second["position"]) == (0, 1)
    assert first["department"]["id"] == team.ops.pk
    assert first["created_by"]["id"] == team.users.staff.pk
    assert first["version"] == 1


def test_create_at_a_position_shifts_the_cards_below(team, columns):
    top = create(team.staff, title="A")
    inserted = create(team.staff, title="B", group=columns[0].pk, position=0)

    assert inserted["position"] == 0
    assert live_positions(columns[0]) == [(0, inserted["id"]), (1, top["id"])]


def test_create_beyond_the_end_lands_at_the_end(team, columns):
    create(team.staff)
    far = create(team.staff, group=columns[0].pk, position=99)

    assert far["position"] == 1


def test_create_with_null_department_is_company_wide(team):
    card = create(team.staff, department=None)

    assert card["department"] is None
    assert team.outsider.get(f"{URL}{card['id']}/").status_code == 200


def test_create_for_another_department_is_refused_except_for_global_admins(team):
    refused = team.staff.post(URL, {"title": "X", "department": team.other.pk}, format="json")
    allowed = team.superadmin.post(URL, {"title": "X", "department": team.other.pk}, format="json")

    assert refused.status_code == 400
    assert "department" in refused.json()["error"]["fields"]
    assert allowed.status_code == 201


def test_create_into_a_done_column_completes_the_card(team, columns):
    card = create(team.staff, group=columns[3].pk)

    assert card["completed_at"] is not None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "X", "priority": "someday"}, "priority"),
        ({"title": "X", "group": 999999}, "group"),
        ({"title": "X", "position": -1}, "position"),
        ({"title": "X", "due_date": "tomorrow"}, "due_date"),
        ({"title": "X", "assignees": [999999]}, "assignees"),
    ],
)
def test_create_with_bad_input_names_the_field(team, payload, field):
    response = team.staff.post(URL, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Task.objects.exists()


def test_inactive_users_cannot_be_assigned(team):
    gone = make_user(is_active=False)

    response = team.staff.post(URL, {"title": "X", "assignees": [gone.pk]}, format="json")

    assert response.status_code == 400
    assert "assignees" in response.json()["error"]["fields"]


def test_inactive_project_is_refused(team):
    project = make_project(is_active=False)

    response = team.staff.post(URL, {"title": "X", "project": project.pk}, format="json")

    assert response.status_code == 400
    assert "project" in response.json()["error"]["fields"]


def test_create_records_activity_audit_and_notifies_assignees(team, task_events):
    card = create(team.staff, assignees=[team.users.colleague.pk, team.users.staff.pk])

    activity = TaskActivity.objects.get(task_id=card["id"])
    audit = UserActivityLog.objects.get(action="create", resource="tasks")
    notified = Notification.objects.filter(kind=NotificationKind.TASK_ASSIGNED)
    assert activity.verb == TaskActivityVerb.CREATED
    assert activity.changes["title"] == {"old": None, "new": "Prepare release"}
    assert audit.object_id == str(card["id"])
    assert sorted(audit.changes["assignees"]) == sorted(
        [team.users.colleague.pk, team.users.staff.pk]
    )
    assert list(notified.values_list("recipient", flat=True)) == [team.users.colleague.pk]
    assert [event.type for event in task_events] == ["task.created"]
    assert task_events[0].payload["task"]["id"] == card["id"]
    assert task_events[0].payload["actor"]["id"] == team.users.staff.pk
    # The socket card carries the related objects in the REST card's brief shapes.
    for related in ("department", "project", "assignees", "created_by"):
        assert task_events[0].payload["task"][related] == card[related], related


def test_readers_cannot_create_cards(team):
    assert team.reader.post(URL, {"title": "X"}, format="json").status_code == 403


# ----------------------------------------------------------------------- update


def test_edit_with_current_version_applies_and_bumps_the_version(team):
    card = create(team.staff)

    response = edit(team.colleague, card["id"], version=1, title="Renamed", priority="high")

    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert response.json()["version"] == 2


def test_stale_version_is_a_409_carrying_the_current_card(team):
    card = create(team.staff)
    edit(team.colleague, card["id"], version=1, title="Theirs")

    response = edit(team.staff, card["id"], version=1, title="Mine")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "version_conflict"
    assert error["current"]["title"] == "Theirs"
    assert error["current"]["version"] == 2
    assert Task.objects.get(pk=card["id"]).title == "Theirs"


def test_edit_without_version_is_a_400_naming_version(team):
    card = create(team.staff)

    response = edit(team.staff, card["id"], title="No version")

    assert response.status_code == 400
    assert "version" in response.json()["error"]["fields"]


def test_put_behaves_like_patch_and_needs_the_version_too(team):
    card = create(team.staff)

    missing = team.staff.put(f"{URL}{card['id']}/", {"title": "Y"}, format="json")
    done = team.staff.put(f"{URL}{card['id']}/", {"title": "Y", "version": 1}, format="json")

    assert missing.status_code == 400
    assert done.status_code == 200
    assert done.json()["title"] == "Y"


@pytest.mark.parametrize("field", ["group", "position"])
def test_edit_cannot_move_the_card(team, columns, field):
    card = create(team.staff)
    create(team.staff, title="Below")
    value = columns[1].pk if field == "group" else 1

    response = edit(team.staff, card["id"], version=1, **{field: value})

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert "/api/v2/board/move/" in response.json()["error"]["fields"][field][0]


def test_edit_accepts_the_current_place_echoed_back(team):
    card = create(team.staff)

    response = edit(
        team.staff, card["id"], version=1, group=card["group"], position=0, title="Same place"
    )

    assert response.status_code == 200


def test_edit_that_changes_nothing_keeps_the_version_and_records_nothing(team, task_events):
    card = create(team.staff)

    response = edit(team.staff, card["id"], version=1, title=card["title"])

    assert response.json()["version"] == 1
    assert TaskActivity.objects.filter(task_id=card["id"]).count() == 1
    assert [event.type for event in task_events] == ["task.created"]


def test_edit_records_diffs_in_activity_audit_and_signal(team, task_events):
    card = create(team.staff)

    edit(team.staff, card["id"], version=1, title="New title", description="Details")

    activity = TaskActivity.objects.filter(task_id=card["id"]).first()
    audit = UserActivityLog.objects.get(action="update", resource="tasks")
    assert activity.verb == TaskActivityVerb.UPDATED
    assert activity.changes == {
        "title": {"old": "Prepare release", "new": "New title"},
        "description": {"old": "", "new": "Details"},
    }
    assert audit.changes["title"] == {"old": "Prepare release", "new": "New title"}
    assert audit.changes["version"] == {"old": 1, "new": 2}
    assert [event.type for event in task_events] == ["task.created", "task.updated"]
    assert task_events[1].payload["changes"] == activity.changes


def test_adding_assignees_notifies_only_the_new_ones(team):
    card = create(team.staff, assignees=[team.users.colleague.pk])

    edit(
        team.staff, card["id"], version=1, assignees=[team.users.colleague.pk, team.users.admin.pk]
    )

    notified = Notification.objects.filter(kind=NotificationKind.TASK_ASSIGNED)
    assert sorted(notified.values_list("recipient", flat=True)) == sorted(
        [team.users.colleague.pk, team.users.admin.pk]
    )
    assert notified.get(recipient=team.users.admin).data == {"resource": "tasks", "id": card["id"]}
    activity = TaskActivity.objects.filter(task_id=card["id"]).first()
    assert activity.verb == TaskActivityVerb.ASSIGNED


def test_unassigning_oneself_from_a_foreign_card_still_answers(team):
    card = create(team.outsider, assignees=[team.users.staff.pk])

    response = edit(team.staff, card["id"], version=1, assignees=[])

    assert response.status_code == 200
    assert team.staff.get(f"{URL}{card['id']}/").status_code == 404


# ----------------------------------------------------------------------- archive


def test_delete_archives_and_closes_the_gap(team, columns, task_events):
    cards = [create(team.staff, title=f"C{n}") for n in range(3)]

    response = team.admin.delete(f"{URL}{cards[1]['id']}/")

    archived = Task.objects.get(pk=cards[1]["id"])
    assert response.status_code == 204
    assert archived.archived_at is not None
    assert archived.position is None
    assert live_positions(columns[0]) == [(0, cards[0]["id"]), (1, cards[2]["id"])]
    assert task_events[-1].type == "task.deleted"
    assert task_events[-1].payload["task"]["department"] == cards[1]["department"]
    assert len(task_events) == 4
    assert TaskActivity.objects.filter(task=archived, verb=TaskActivityVerb.ARCHIVED).exists()
    assert UserActivityLog.objects.filter(action="archive", object_id=str(archived.pk)).exists()


def test_archived_cards_are_listed_only_when_asked(team):
    live = create(team.staff, title="Live")
    gone = create(team.staff, title="Gone")
    team.admin.delete(f"{URL}{gone['id']}/")

    default = [card["id"] for card in team.staff.get(URL).json()["results"]]
    archived = [card["id"] for card in team.staff.get(f"{URL}?archived=true").json()["results"]]

    assert default == [live["id"]]
    assert archived == [gone["id"]]
    assert team.staff.get(f"{URL}{gone['id']}/").status_code == 200


def test_archived_cards_cannot_be_edited_or_archived_again(team):
    card = create(team.staff)
    team.admin.delete(f"{URL}{card['id']}/")

    edited = edit(team.staff, card["id"], version=2, title="Too late")
    again = team.admin.delete(f"{URL}{card['id']}/")

    assert edited.status_code == 409
    assert again.status_code == 409


def test_staff_cannot_archive(team):
    card = create(team.staff)

    assert team.staff.delete(f"{URL}{card['id']}/").status_code == 403


# ----------------------------------------------------------------------- visibility


def test_cards_of_another_department_are_not_found(team, columns):
    foreign = make_task(columns[0], department=team.other, created_by=team.users.outsider)

    assert team.staff.get(f"{URL}{foreign.pk}/").status_code == 404
    assert edit(team.staff, foreign.pk, version=1, title="X").status_code == 404
    assert team.admin.delete(f"{URL}{foreign.pk}/").status_code == 404
    assert team.superadmin.get(f"{URL}{foreign.pk}/").status_code == 200


def test_list_shows_own_department_company_wide_assigned_and_created_cards(team, columns):
    own = make_task(columns[0], department=team.ops)
    company = make_task(columns[0], department=None)
    assigned = make_task(columns[0], department=team.other, assignees=[team.users.staff])
    created = make_task(columns[0], department=team.other, created_by=team.users.staff)
    make_task(columns[0], department=team.other)

    listed = {card["id"] for card in team.staff.get(URL).json()["results"]}

    assert listed == {own.pk, company.pk, assigned.pk, created.pk}


def test_a_card_with_several_assignees_is_listed_once(team, columns):
    make_task(columns[0], department=team.ops, assignees=[team.users.staff, team.users.colleague])

    assert team.staff.get(URL).json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority=high", ["High"]),
        ("search=invoice", ["Invoice"]),
        ("company_wide=true", ["Invoice"]),
        ("due_date_from=2026-06-01", ["High"]),
        ("due_date_to=2026-05-31", ["Invoice"]),
    ],
)
def test_list_filters(team, columns, query, expected):
    make_task(columns[0], title="High", priority="high", department=team.ops, due_date="2026-06-10")
    make_task(columns[0], title="Invoice", department=None, due_date="2026-05-01")

    titles = [card["title"] for card in team.staff.get(f"{URL}?{query}").json()["results"]]

    assert titles == expected


def test_list_filters_by_assignee_group_and_project(team, columns):
    project = make_project()
    target = make_task(
        columns[1], department=team.ops, project=project, assignees=[team.users.colleague]
    )
    make_task(columns[0], department=team.ops)
    query = f"assignee={team.users.colleague.pk}&group={columns[1].pk}&project={project.pk}"

    results = team.staff.get(f"{URL}?{query}").json()["results"]

    assert [card["id"] for card in results] == [target.pk]

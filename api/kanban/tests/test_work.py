"""Work on a card: subtasks, time logs (one running timer each), personal reminders, the
read-only history and who is on the board now."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.audit.models import UserActivityLog
from api.kanban.models import BoardPresence, TaskActivity, TaskActivityVerb, TaskReminder
from api.kanban.tests.factories import make_task

pytestmark = pytest.mark.django_db

SUBTASKS = "/api/v1/task-subtasks/"
LOGS = "/api/v1/task-time-logs/"
REMINDERS = "/api/v1/task-reminders/"
ACTIVITIES = "/api/v1/task-activities/"
PRESENCE = "/api/v1/board-presence/"


@pytest.fixture
def card(team, columns):
    return make_task(columns[0], department=team.ops, created_by=team.users.admin)


@pytest.fixture
def foreign(team, columns):
    return make_task(columns[0], department=team.other, created_by=team.users.outsider)


def later(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


# ----------------------------------------------------------------------- subtasks


def test_subtasks_append_in_order(team, card):
    first = team.staff.post(SUBTASKS, {"task": card.pk, "title": "Draft"}, format="json")
    second = team.staff.post(SUBTASKS, {"task": card.pk, "title": "Review"}, format="json")

    assert first.status_code == 201
    assert (first.json()["position"], second.json()["position"]) == (0, 1)


def test_ticking_a_subtask_records_when_and_unticking_clears_it(team, card):
    subtask = team.staff.post(SUBTASKS, {"task": card.pk, "title": "Draft"}, format="json").json()

    done = team.staff.patch(f"{SUBTASKS}{subtask['id']}/", {"is_done": True}, format="json")
    undone = team.staff.patch(f"{SUBTASKS}{subtask['id']}/", {"is_done": False}, format="json")

    assert done.json()["done_at"] is not None
    assert undone.json()["done_at"] is None
    verbs = TaskActivity.objects.filter(task=card).values_list("verb", flat=True)
    assert set(verbs) == {TaskActivityVerb.SUBTASK}
    assert verbs.count() == 3
    assert UserActivityLog.objects.filter(action="update", resource="task_subtasks").count() == 2


def test_subtasks_of_invisible_cards_are_not_found(team, foreign):
    subtask = foreign.subtasks.create(title="Hidden")

    assert team.staff.get(f"{SUBTASKS}{subtask.pk}/").status_code == 404
    create = team.staff.post(SUBTASKS, {"task": foreign.pk, "title": "X"}, format="json")
    assert create.status_code == 400
    assert "task" in create.json()["error"]["fields"]


def test_subtask_task_is_fixed_once_created(team, card, columns):
    other = make_task(columns[0], department=team.ops)
    subtask = team.staff.post(SUBTASKS, {"task": card.pk, "title": "Draft"}, format="json").json()

    response = team.staff.patch(f"{SUBTASKS}{subtask['id']}/", {"task": other.pk}, format="json")

    assert response.status_code == 400
    assert "task" in response.json()["error"]["fields"]
    assert team.staff.get(f"{SUBTASKS}{subtask['id']}/").json()["task"] == card.pk


# ----------------------------------------------------------------------- time logs


def test_a_timer_runs_until_stopped_and_reports_its_duration(team, card):
    started = (timezone.now() - timedelta(minutes=90)).isoformat()
    log = team.staff.post(LOGS, {"task": card.pk, "started_at": started}, format="json").json()

    stopped = team.staff.patch(f"{LOGS}{log['id']}/", {"ended_at": later()}, format="json")

    assert log["is_running"] is True
    assert log["user"]["id"] == team.users.staff.pk
    assert stopped.status_code == 200
    assert stopped.json()["is_running"] is False
    assert stopped.json()["duration_minutes"] == 90


def test_one_running_timer_per_person(team, card):
    team.staff.post(LOGS, {"task": card.pk}, format="json")

    second = team.staff.post(LOGS, {"task": card.pk}, format="json")
    finished = team.staff.post(
        LOGS,
        {"task": card.pk, "started_at": later(hours=-3), "ended_at": later(hours=-2)},
        format="json",
    )
    someone_else = team.colleague.post(LOGS, {"task": card.pk}, format="json")

    assert second.status_code == 409
    assert second.json()["error"]["code"] == "timer_running"
    assert "ended_at" in second.json()["error"]["fields"]  # left empty: a second timer
    assert finished.status_code == 201
    assert someone_else.status_code == 201


def test_restarting_a_stopped_log_while_another_runs_is_refused(team, card):
    old = team.staff.post(
        LOGS,
        {"task": card.pk, "started_at": later(hours=-3), "ended_at": later(hours=-2)},
        format="json",
    ).json()
    team.staff.post(LOGS, {"task": card.pk}, format="json")

    response = team.staff.patch(f"{LOGS}{old['id']}/", {"ended_at": None}, format="json")

    assert response.status_code == 409


def test_a_log_must_end_after_it_starts(team, card):
    response = team.staff.post(
        LOGS,
        {"task": card.pk, "started_at": later(hours=-1), "ended_at": later(hours=-2)},
        format="json",
    )

    assert response.status_code == 400
    assert "ended_at" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("started", "ended", "field"),
    [
        ({"hours": -1}, {"hours": 1}, "ended_at"),
        ({"hours": 1}, {"hours": 2}, "ended_at"),
        ({"hours": 1}, None, "started_at"),
    ],
)
def test_a_log_cannot_reach_into_the_future(team, card, started, ended, field):
    body = {"task": card.pk, "started_at": later(**started)}
    if ended is not None:
        body["ended_at"] = later(**ended)

    response = team.staff.post(LOGS, body, format="json")

    assert response.status_code == 400, response.content[:300]
    assert list(response.json()["error"]["fields"]) == [field]


def test_a_stopped_timer_cannot_be_moved_into_the_future(team, card):
    log = team.staff.post(
        LOGS,
        {"task": card.pk, "started_at": later(hours=-3), "ended_at": later(hours=-2)},
        format="json",
    ).json()

    response = team.staff.patch(f"{LOGS}{log['id']}/", {"ended_at": later(days=1)}, format="json")

    assert response.status_code == 400
    assert "ended_at" in response.json()["error"]["fields"]


def test_others_see_a_log_but_only_its_owner_changes_it(team, card):
    log = team.staff.post(LOGS, {"task": card.pk}, format="json").json()

    seen = team.colleague.get(f"{LOGS}{log['id']}/")
    edited = team.colleague.patch(f"{LOGS}{log['id']}/", {"note": "mine now"}, format="json")
    deleted = team.colleague.delete(f"{LOGS}{log['id']}/")

    assert seen.status_code == 200
    assert edited.status_code == 403
    assert deleted.status_code == 403
    assert team.staff.delete(f"{LOGS}{log['id']}/").status_code == 204


def test_time_logs_of_invisible_cards_are_not_found(team, foreign):
    log = foreign.time_logs.create(user=team.users.outsider, started_at=timezone.now())

    assert team.staff.get(f"{LOGS}{log.pk}/").status_code == 404


# ----------------------------------------------------------------------- reminders


def test_reminder_is_for_the_caller_and_must_be_in_the_future(team, card):
    made = team.staff.post(REMINDERS, {"task": card.pk, "remind_at": later(hours=1)})
    past = team.staff.post(REMINDERS, {"task": card.pk, "remind_at": later(hours=-1)})

    assert made.status_code == 201
    assert made.json()["user"] == team.users.staff.pk
    assert past.status_code == 400
    assert "remind_at" in past.json()["error"]["fields"]


def test_reminders_are_private(team, card):
    mine = team.staff.post(REMINDERS, {"task": card.pk, "remind_at": later(hours=1)}).json()

    assert team.colleague.get(f"{REMINDERS}{mine['id']}/").status_code == 404
    assert team.colleague.get(REMINDERS).json()["count"] == 0
    assert team.superadmin.get(f"{REMINDERS}{mine['id']}/").status_code == 200


def test_only_global_admins_remind_somebody_else_who_sees_the_card(team, card):
    body = {"task": card.pk, "remind_at": later(hours=1)}

    by_staff = team.staff.post(REMINDERS, body | {"user": team.users.colleague.pk})
    by_admin = team.superadmin.post(REMINDERS, body | {"user": team.users.colleague.pk})
    blind = team.superadmin.post(REMINDERS, body | {"user": team.users.outsider.pk})

    assert by_staff.status_code == 400
    assert "user" in by_staff.json()["error"]["fields"]
    assert by_admin.status_code == 201
    assert by_admin.json()["user"] == team.users.colleague.pk
    assert blind.status_code == 400


def test_moving_a_sent_reminder_rearms_it(team, card):
    reminder = TaskReminder.objects.create(
        task=card, user=team.users.staff, remind_at=timezone.now(), sent_at=timezone.now()
    )

    response = team.staff.patch(f"{REMINDERS}{reminder.pk}/", {"remind_at": later(days=1)})

    assert response.status_code == 200
    assert response.json()["sent_at"] is None


# ----------------------------------------------------------------------- history


def test_activities_are_read_only_and_filterable(team, card):
    team.staff.post("/api/v1/task-comments/", {"task": card.pk, "body": "Hi"}, format="json")
    team.staff.post(SUBTASKS, {"task": card.pk, "title": "Draft"}, format="json")

    commented = team.staff.get(f"{ACTIVITIES}?task={card.pk}&verb=commented").json()["results"]

    assert [row["verb"] for row in commented] == ["commented"]
    assert commented[0]["actor"]["id"] == team.users.staff.pk
    assert team.superadmin.post(ACTIVITIES, {}, format="json").status_code == 405


def test_activities_of_invisible_cards_are_not_found(team, foreign):
    row = TaskActivity.objects.create(task=foreign, verb=TaskActivityVerb.CREATED)

    assert team.staff.get(f"{ACTIVITIES}{row.pk}/").status_code == 404


# ----------------------------------------------------------------------- presence


def test_presence_lists_connected_people_where_the_card_is_visible(team, card, foreign):
    now = timezone.now()

    def present(user, task, n, gone=False):
        return BoardPresence.objects.create(
            user=user,
            task=task,
            channel_name=f"chan-{n}",
            connected_at=now,
            last_seen_at=now,
            disconnected_at=now if gone else None,
        )

    on_board = present(team.users.colleague, None, 1)
    on_card = present(team.users.admin, card, 2)
    present(team.users.outsider, foreign, 3)
    present(team.users.reader, card, 4, gone=True)

    listed = {row["id"] for row in team.staff.get(PRESENCE).json()["results"]}
    on_this_card = team.staff.get(f"{PRESENCE}?task={card.pk}").json()["results"]

    assert listed == {on_board.pk, on_card.pk}
    assert [row["user"]["id"] for row in on_this_card] == [team.users.admin.pk]

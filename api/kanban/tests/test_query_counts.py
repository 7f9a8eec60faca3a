"""Every Kanban list costs the same number of queries for a page of 1 or of 50 rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.kanban.models import (
    BoardPresence,
    TaskActivity,
    TaskAttachment,
    TaskComment,
    TaskReminder,
    TaskSubtask,
    TaskTimeLog,
)
from api.kanban.tests.factories import make_column, make_task
from tests.factories import make_project

pytestmark = pytest.mark.django_db

ROWS = 55

# list URL -> the most queries a page may cost: user, permission overrides, the
# department of the asker (visibility), count, page, plus one per prefetch.
BUDGETS = {
    "/api/v1/tasks/": 6,
    "/api/v1/task-groups/": 4,
    "/api/v1/task-comments/": 5,
    "/api/v1/task-subtasks/": 5,
    "/api/v1/task-time-logs/": 5,
    "/api/v1/task-activities/": 5,
    "/api/v1/task-attachments/": 5,
    "/api/v1/task-reminders/": 5,
    "/api/v1/board-presence/": 5,
}


@pytest.fixture
def busy_board(team, columns):
    """ROWS of everything, all visible to `team.staff`."""
    users = team.users
    project = make_project()
    cards = [
        make_task(
            columns[n % 2],
            department=team.ops,
            project=project,
            created_by=users.admin,
            assignees=[users.staff, users.colleague],
        )
        for n in range(ROWS)
    ]
    now = timezone.now()
    TaskComment.objects.bulk_create(
        TaskComment(task=c, author=users.staff, body="x") for c in cards
    )
    TaskSubtask.objects.bulk_create(
        TaskSubtask(task=c, title="x", assignee=users.staff) for c in cards
    )
    TaskTimeLog.objects.bulk_create(
        TaskTimeLog(task=c, user=users.staff, started_at=now, ended_at=now + timedelta(days=1))
        for c in cards
    )
    TaskActivity.objects.bulk_create(
        TaskActivity(task=c, actor=users.staff, verb="created") for c in cards
    )
    TaskAttachment.objects.bulk_create(
        TaskAttachment(
            task=c, file=f"tasks/{c.pk}/a.txt", original_name="a.txt", uploaded_by=users.staff
        )
        for c in cards
    )
    TaskReminder.objects.bulk_create(
        TaskReminder(task=c, user=users.staff, remind_at=now) for c in cards
    )
    BoardPresence.objects.bulk_create(
        BoardPresence(
            user=users.colleague,
            task=c,
            channel_name=f"ch{c.pk}",
            connected_at=now,
            last_seen_at=now,
        )
        for c in cards
    )
    for _ in range(ROWS):
        make_column()
    return cards


@pytest.mark.parametrize("url", list(BUDGETS))
def test_list_query_count_does_not_depend_on_page_size(
    team, busy_board, url, django_assert_max_num_queries
):
    client = team.staff
    client.get(url)  # the session's first request records its activity (one UPDATE)
    counts = []
    for page_size in (1, 50):
        with django_assert_max_num_queries(BUDGETS[url]) as captured:
            response = client.get(f"{url}?page_size={page_size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]

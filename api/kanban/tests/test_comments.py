"""A card's conversation: comments (author-only edits, soft delete, notifications) and
attachments (limits on the way in, downloads only for people who see the card)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from api.audit.models import UserActivityLog
from api.kanban.models import TaskActivity, TaskActivityVerb, TaskAttachment, TaskComment
from api.kanban.tests.factories import make_comment, make_task
from api.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

COMMENTS = "/api/v1/task-comments/"
FILES = "/api/v1/task-attachments/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def card(team, columns):
    """An OPS card created by the admin, assigned to staff and colleague."""
    return make_task(
        columns[0],
        department=team.ops,
        created_by=team.users.admin,
        assignees=[team.users.staff, team.users.colleague],
    )


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def comment(client, task, body="On it"):
    return client.post(COMMENTS, {"task": task.pk, "body": body}, format="json")


# ----------------------------------------------------------------------- comments


def test_comment_is_authored_by_the_caller(team, card, comment_events):
    response = comment(team.staff, card)

    assert response.status_code == 201
    assert response.json()["author"]["id"] == team.users.staff.pk
    assert [event.type for event in comment_events] == ["comment.created"]
    activity = TaskActivity.objects.get(task=card)
    assert activity.verb == TaskActivityVerb.COMMENTED
    assert UserActivityLog.objects.filter(action="create", resource="task_comments").exists()


def test_comment_notifies_assignees_and_creator_but_not_the_author(team, card):
    comment(team.staff, card, "Please review")

    notified = Notification.objects.filter(kind=NotificationKind.TASK_COMMENTED)
    assert sorted(notified.values_list("recipient", flat=True)) == sorted(
        [team.users.colleague.pk, team.users.admin.pk]
    )
    assert notified.first().message == "Please review"
    assert notified.first().data == {"resource": "tasks", "id": card.pk}


def test_only_the_author_edits_and_editing_marks_it(team, card, comment_events):
    created = comment(team.staff, card).json()

    by_other = team.colleague.patch(f"{COMMENTS}{created['id']}/", {"body": "Hijack"})
    by_author = team.staff.patch(f"{COMMENTS}{created['id']}/", {"body": "Fixed typo"})

    assert by_other.status_code == 403
    assert by_author.status_code == 200
    assert by_author.json()["body"] == "Fixed typo"
    assert by_author.json()["edited_at"] is not None
    assert [event.type for event in comment_events] == ["comment.created", "comment.edited"]


def test_deleted_comment_stays_listed_with_its_body_hidden(team, card, comment_events):
    created = comment(team.staff, card, "Secret plan").json()

    by_other = team.colleague.delete(f"{COMMENTS}{created['id']}/")
    by_author = team.staff.delete(f"{COMMENTS}{created['id']}/")
    listed = team.colleague.get(f"{COMMENTS}?task={card.pk}").json()["results"]

    assert by_other.status_code == 403
    assert by_author.status_code == 204
    assert listed[0]["id"] == created["id"]
    assert listed[0]["is_deleted"] is True
    assert listed[0]["body"] == ""
    assert TaskComment.objects.get(pk=created["id"]).body == "Secret plan"
    assert [event.type for event in comment_events] == ["comment.created", "comment.deleted"]


def test_deleted_comment_cannot_be_edited_or_found_by_search(team, card):
    created = comment(team.staff, card, "Secret plan").json()
    team.staff.delete(f"{COMMENTS}{created['id']}/")

    edited = team.staff.patch(f"{COMMENTS}{created['id']}/", {"body": "Back"})
    found = team.staff.get(f"{COMMENTS}?search=secret").json()["results"]

    assert edited.status_code == 409
    assert found == []


def test_blank_comment_is_refused(team, card):
    response = comment(team.staff, card, "   ")

    assert response.status_code == 400
    assert "body" in response.json()["error"]["fields"]


def test_comments_of_invisible_cards_are_not_found(team, columns):
    foreign = make_task(columns[0], department=team.other)
    hidden = make_comment(foreign, team.users.outsider)

    create = comment(team.staff, foreign)

    assert create.status_code == 400
    assert "task" in create.json()["error"]["fields"]
    assert team.staff.get(f"{COMMENTS}{hidden.pk}/").status_code == 404
    assert team.staff.get(COMMENTS).json()["count"] == 0
    assert team.outsider.get(f"{COMMENTS}{hidden.pk}/").status_code == 200


def test_archived_cards_take_no_new_comments(team, card):
    card.archived_at, card.position = timezone.now(), None
    card.save()

    assert comment(team.staff, card).status_code == 409


# ----------------------------------------------------------------------- attachments


def upload(client, task, name="shot.png", content=PNG):
    return client.post(
        FILES, {"task": task.pk, "file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def test_upload_stores_the_file_and_records_it(team, card, media):
    response = upload(team.staff, card)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/png"
    assert body["size_bytes"] == len(PNG)
    assert body["uploaded_by"]["id"] == team.users.staff.pk
    assert TaskActivity.objects.get(task=card).verb == TaskActivityVerb.ATTACHED
    assert UserActivityLog.objects.filter(action="create", resource="task_attachments").exists()


def test_download_serves_the_file_to_people_who_see_the_card(team, card, media):
    attachment = upload(team.staff, card).json()

    allowed = team.colleague.get(f"{FILES}{attachment['id']}/download/")
    refused = team.outsider.get(f"{FILES}{attachment['id']}/download/")

    assert allowed.status_code == 200
    assert b"".join(allowed.streaming_content) == PNG
    assert "shot.png" in allowed["Content-Disposition"]
    assert refused.status_code == 404


def test_upload_above_the_size_limit_is_refused(team, card, media, settings):
    settings.UPLOAD_MAX_BYTES = 32

    response = upload(team.staff, card)

    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    assert not TaskAttachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("tool.exe", b"MZ" + b"\x00" * 20), ("fake.pdf", b"not a pdf at all"), ("a.png", b"GIF89a")],
)
def test_upload_of_a_wrong_type_is_refused(team, card, media, name, content):
    response = upload(team.staff, card, name, content)

    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_upload_to_an_invisible_card_is_refused(team, columns, media):
    foreign = make_task(columns[0], department=team.other)

    response = upload(team.staff, foreign)

    assert response.status_code == 400
    assert "task" in response.json()["error"]["fields"]


def test_only_the_uploader_or_a_global_admin_removes_a_file(
    team, card, media, django_capture_on_commit_callbacks
):
    attachment = upload(team.staff, card).json()
    stored = TaskAttachment.objects.get(pk=attachment["id"]).file.path

    by_colleague = team.colleague.delete(f"{FILES}{attachment['id']}/")
    with django_capture_on_commit_callbacks(execute=True):
        by_uploader = team.staff.delete(f"{FILES}{attachment['id']}/")

    assert by_colleague.status_code == 403
    assert by_uploader.status_code == 204
    assert not TaskAttachment.objects.exists()
    assert not Path(stored).exists()


def test_global_admin_may_remove_any_file(team, card, media):
    attachment = upload(team.staff, card).json()

    assert team.superadmin.delete(f"{FILES}{attachment['id']}/").status_code == 204

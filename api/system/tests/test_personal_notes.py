"""/api/v1/personal-notes/: private to their owner, even in the audit trail."""

import json

import pytest

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.system.models import PersonalNote
from api.system.tests.factories import make_note
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/personal-notes/"
SECRET = "salary negotiation talking points"


@pytest.fixture
def owner():
    return make_user(Role.USER)


def test_owner_creates_edits_and_deletes_a_note(owner, client_for):
    client = client_for(owner)

    created = client.post(URL, {"title": "Ideas", "content": SECRET}, format="json")
    note_id = created.json()["id"]
    edited = client.patch(f"{URL}{note_id}/", {"is_pinned": True}, format="json")
    deleted = client.delete(f"{URL}{note_id}/")

    assert created.status_code == 201, created.content
    assert created.json()["content"] == SECRET
    assert edited.json()["is_pinned"] is True
    assert deleted.status_code == 204
    assert not PersonalNote.objects.exists()


def test_owner_is_the_requester_and_a_body_naming_another_is_refused(owner, client_for):
    other = make_user(Role.STAFF)

    refused = client_for(owner).post(URL, {"title": "Mine", "owner": other.pk}, format="json")
    response = client_for(owner).post(URL, {"title": "Mine"}, format="json")

    assert refused.status_code == 400
    assert "owner" in refused.json()["error"]["fields"]
    assert PersonalNote.objects.get(pk=response.json()["id"]).owner == owner


def test_blank_title_is_a_400_naming_it(owner, client_for):
    response = client_for(owner).post(URL, {"title": "", "content": "x"}, format="json")

    assert response.status_code == 400
    assert "title" in response.json()["error"]["fields"]


@pytest.mark.parametrize("role", [Role.SUPERADMIN, Role.DEVELOPER, Role.PTB_ADMIN, Role.STAFF])
def test_nobody_else_sees_or_touches_a_note(owner, client_for, role):
    note = make_note(owner, content=SECRET)
    client = client_for(make_user(role))
    url = f"{URL}{note.pk}/"

    listed = client.get(URL).json()["results"]

    assert listed == []
    assert client.get(url).status_code == 404
    assert client.patch(url, {"title": "mine now"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    note.refresh_from_db()
    assert note.title != "mine now"


def test_audit_rows_name_the_changed_fields_never_the_content(owner, client_for):
    client = client_for(owner)
    note_id = client.post(URL, {"title": "Plan", "content": SECRET}, format="json").json()["id"]
    client.patch(f"{URL}{note_id}/", {"content": SECRET + " v2"}, format="json")
    client.delete(f"{URL}{note_id}/")

    logs = list(UserActivityLog.objects.filter(resource="personal_notes").order_by("id"))

    assert [log.action for log in logs] == ["create", "update", "delete"]
    assert set(logs[1].changes) == {"content"}
    for log in logs:
        recorded = json.dumps(log.changes) + log.object_repr
        assert SECRET not in recorded
        assert "Plan" not in recorded
        assert log.user == owner


def test_filter_search_and_pinned_first(owner, client_for):
    plain = make_note(owner, title="Groceries")
    pinned = make_note(owner, title="Passwords policy", is_pinned=True)
    client = client_for(owner)

    ordered = [row["id"] for row in client.get(URL).json()["results"]]
    searched = [row["id"] for row in client.get(URL, {"search": "grocer"}).json()["results"]]
    only_pinned = [row["id"] for row in client.get(URL, {"is_pinned": "true"}).json()["results"]]

    assert ordered == [pinned.pk, plain.pk]
    assert searched == [plain.pk]
    assert only_pinned == [pinned.pk]


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    owner, client_for, page_size, django_assert_max_num_queries
):
    for _ in range(60):
        make_note(owner)
    client = client_for(owner)
    client.get(URL)

    with django_assert_max_num_queries(2) as captured:
        response = client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == 2

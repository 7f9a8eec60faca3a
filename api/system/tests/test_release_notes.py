"""/api/v1/release-notes/: published notes for everyone, drafts for global admins."""

import pytest

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.system.tests.factories import make_release_note
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/release-notes/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_superadmin_writes_a_note_recorded_as_its_author(client_for):
    author = make_user(Role.SUPERADMIN)
    client = client_for(author)

    created = client.post(
        URL,
        {"version": "2.0.0", "title": "Kanban", "body": "Boards.", "released_on": "2026-03-01"},
        format="json",
    )
    published = client.patch(f"{URL}{created.json()['id']}/", {"is_published": True}, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["created_by"]["id"] == author.pk
    assert published.json()["is_published"] is True
    log = UserActivityLog.objects.get(action="update", resource="release_notes")
    assert log.changes == {"is_published": {"old": False, "new": True}}


def test_duplicate_version_is_a_400_naming_it(client_for):
    make_release_note(version="1.0.0")

    response = client_for(make_user(Role.DEVELOPER)).post(
        URL,
        {"version": "1.0.0", "title": "x", "body": "x", "released_on": "2026-01-01"},
        format="json",
    )

    assert response.status_code == 400
    assert "version" in response.json()["error"]["fields"]


def test_drafts_are_visible_only_to_global_admins(client_for):
    published = make_release_note(is_published=True)
    draft = make_release_note(is_published=False)
    staff = client_for(make_user(Role.STAFF))

    assert ids(staff.get(URL)) == [published.pk]
    assert staff.get(f"{URL}{draft.pk}/").status_code == 404
    assert set(ids(client_for(make_user(Role.SUPERADMIN)).get(URL))) == {published.pk, draft.pk}


def test_newest_release_first_and_filter_by_published(client_for):
    old = make_release_note(released_on="2025-01-01", is_published=True)
    new = make_release_note(released_on="2026-06-01", is_published=True)
    draft = make_release_note(released_on="2026-07-01")
    client = client_for(make_user(Role.DEVELOPER))

    assert ids(client.get(URL)) == [draft.pk, new.pk, old.pk]
    assert ids(client.get(URL, {"is_published": "false"})) == [draft.pk]


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_query_count_does_not_depend_on_page_size(
    client_for, page_size, django_assert_max_num_queries
):
    author = make_user(Role.SUPERADMIN)
    for _ in range(60):
        make_release_note(is_published=True, created_by=author)
    client = client_for(make_user(Role.USER))
    client.get(URL)

    with django_assert_max_num_queries(2) as captured:
        response = client.get(URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size
    assert len(captured.captured_queries) == 2

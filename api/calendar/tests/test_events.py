"""Calendar events: who sees which event, who may change it, what is checked and told."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.calendar.models import CalendarEvent
from api.calendar.tests.factories import make_event
from api.notifications.models import Notification
from tests.factories import make_department, make_employee, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/calendar-events/"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def org(client_for):
    """Two departments: a staff member, a colleague and an outsider, plus a superadmin."""
    sales, ops = make_department(code="SALES"), make_department(code="OPS")
    people = {
        "staff": make_user(Role.STAFF, department=sales),
        "colleague": make_user(Role.USER, department=sales),
        "outsider": make_user(Role.STAFF, department=ops),
        "superadmin": make_user(Role.SUPERADMIN),
    }
    clients = {name: client_for(user) for name, user in people.items()}
    return clients | {"users": people, "sales": sales, "ops": ops}


def create(client, **fields):
    payload = {
        "title": "Quarterly review",
        "start_at": at(2, 9).isoformat(),
        "end_at": at(2, 10).isoformat(),
        **fields,
    }
    response = client.post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def ids(client, query="") -> list[int]:
    response = client.get(f"{URL}{query}")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_creator_is_the_signed_in_user_and_attendees_are_shown(org):
    attendee = org["users"]["colleague"].employee

    event = create(org["staff"], attendees=[attendee.pk], location="Room 4")

    assert event["created_by"]["id"] == org["users"]["staff"].pk
    assert [person["id"] for person in event["attendees"]] == [attendee.pk]
    assert event["visibility"] == "public"


def test_public_events_are_seen_by_everyone(org):
    event = create(org["staff"])

    for name in ("staff", "colleague", "outsider", "superadmin"):
        assert ids(org[name]) == [event["id"]], name


def test_department_events_reach_the_department_global_admins_and_invitees(org, client_for):
    invitee = make_user(Role.STAFF, department=make_department())
    event = create(org["staff"], visibility="department", attendees=[invitee.employee.pk])

    assert event["department"]["id"] == org["sales"].pk  # the creator's by default
    assert ids(org["colleague"]) == [event["id"]]
    assert ids(org["superadmin"]) == [event["id"]]
    assert ids(client_for(invitee)) == [event["id"]]
    assert ids(org["outsider"]) == []
    assert org["outsider"].get(f"{URL}{event['id']}/").status_code == 404


def test_private_events_are_seen_by_their_creator_only(org):
    event = create(org["staff"], visibility="private")

    assert ids(org["staff"]) == [event["id"]]
    assert ids(org["colleague"]) == []
    assert org["superadmin"].get(f"{URL}{event['id']}/").status_code == 404


def test_only_the_creator_or_a_global_admin_changes_an_event(org):
    event = create(org["staff"])
    url = f"{URL}{event['id']}/"

    by_outsider = org["outsider"].patch(url, {"title": "Mine now"}, format="json")
    by_superadmin = org["superadmin"].patch(url, {"title": "Renamed"}, format="json")
    deleted_by_outsider = org["outsider"].delete(url)

    assert by_outsider.status_code == 403
    assert deleted_by_outsider.status_code == 403
    assert by_superadmin.status_code == 200
    assert by_superadmin.json()["title"] == "Renamed"
    assert org["staff"].delete(url).status_code == 204
    assert not CalendarEvent.objects.filter(pk=event["id"]).exists()


def test_an_event_ending_before_it_starts_is_400_naming_end_at(org):
    response = org["staff"].post(
        URL,
        {"title": "x", "start_at": at(2, 10).isoformat(), "end_at": at(2, 9).isoformat()},
        format="json",
    )
    event = create(org["staff"])
    edit = org["staff"].patch(
        f"{URL}{event['id']}/", {"end_at": at(2, 8).isoformat()}, format="json"
    )

    assert response.status_code == 400
    assert "end_at" in response.json()["error"]["fields"]
    assert edit.status_code == 400
    assert "end_at" in edit.json()["error"]["fields"]


def test_an_instant_event_is_allowed(org):
    event = create(org["staff"], end_at=at(2, 9).isoformat(), event_type="deadline")

    assert event["start_at"] == event["end_at"]


def test_staff_publish_department_events_only_to_their_own_department(org):
    response = org["staff"].post(
        URL,
        {
            "title": "x",
            "start_at": at(2, 9).isoformat(),
            "end_at": at(2, 10).isoformat(),
            "visibility": "department",
            "department": org["ops"].pk,
        },
        format="json",
    )
    by_superadmin = create(org["superadmin"], visibility="department", department=org["ops"].pk)

    assert response.status_code == 400
    assert "department" in response.json()["error"]["fields"]
    assert by_superadmin["department"]["id"] == org["ops"].pk


def test_a_department_event_needs_a_department(org, client_for):
    lone = client_for(make_user(Role.STAFF, with_employee=False))

    response = lone.post(
        URL,
        {
            "title": "x",
            "start_at": at(2, 9).isoformat(),
            "end_at": at(2, 10).isoformat(),
            "visibility": "department",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "department" in response.json()["error"]["fields"]


def test_invited_people_are_notified_once_and_not_for_private_events(org):
    colleague = org["users"]["colleague"]
    event = create(org["staff"], attendees=[colleague.employee.pk])
    org["staff"].patch(
        f"{URL}{event['id']}/",
        {"attendees": [colleague.employee.pk, make_employee().pk]},
        format="json",
    )
    create(org["staff"], visibility="private", attendees=[colleague.employee.pk])

    notes = Notification.objects.filter(recipient=colleague)
    assert notes.count() == 1
    assert notes.get().data == {"resource": "calendar_events", "id": event["id"]}


def test_changes_are_audited_with_their_diff(org):
    attendee = make_employee()
    event = create(org["staff"])

    org["staff"].patch(
        f"{URL}{event['id']}/", {"title": "Review", "attendees": [attendee.pk]}, format="json"
    )

    log = UserActivityLog.objects.get(resource="calendar_events", action="update")
    assert log.changes["title"] == {"old": "Quarterly review", "new": "Review"}
    assert log.changes["attendees"] == {"old": [], "new": [attendee.pk]}
    assert log.user == org["users"]["staff"]


def test_range_filter_returns_events_overlapping_the_window(org):
    creator = org["users"]["staff"]
    before = make_event(created_by=creator, start_at=at(1, 9), end_at=at(1, 10))
    spanning = make_event(created_by=creator, start_at=at(1, 20), end_at=at(2, 9))
    inside = make_event(created_by=creator, start_at=at(2, 12), end_at=at(2, 13))
    instant = make_event(created_by=creator, start_at=at(2, 0), end_at=at(2, 0))
    at_end = make_event(created_by=creator, start_at=at(3, 0), end_at=at(3, 1))

    window = f"?end_at_from={at(2, 0).isoformat()}&start_at_to={at(3, 0).isoformat()}"
    window = window.replace("+", "%2B")
    found = ids(org["staff"], window)

    assert set(found) == {spanning.pk, inside.pk, instant.pk}
    assert before.pk not in found
    assert at_end.pk not in found


def test_filters_by_type_visibility_department_and_search(org):
    creator = org["users"]["staff"]
    training = make_event(created_by=creator, event_type="training", title="Fire drill")
    meeting = make_event(
        created_by=creator,
        event_type="meeting",
        title="Planning",
        location="Board room",
        visibility="department",
        department=org["sales"],
    )

    assert ids(org["staff"], "?event_type=training") == [training.pk]
    assert ids(org["staff"], "?visibility=department") == [meeting.pk]
    assert ids(org["staff"], f"?department={org['sales'].pk}") == [meeting.pk]
    assert ids(org["staff"], "?search=board") == [meeting.pk]
    assert ids(org["staff"], "?search=drill") == [training.pk]


def test_list_is_ordered_by_start(org):
    creator = org["users"]["staff"]
    late = make_event(created_by=creator, start_at=at(5, 9))
    early = make_event(created_by=creator, start_at=at(1, 9))

    assert ids(org["staff"]) == [early.pk, late.pk]
    assert ids(org["staff"], "?ordering=-start_at") == [late.pk, early.pk]


def test_list_query_count_does_not_depend_on_page_size(org, django_assert_max_num_queries):
    creator = org["users"]["staff"]
    attendees = [make_employee() for _ in range(3)]
    for day in range(60):
        make_event(
            created_by=creator,
            start_at=at(1, 0) + timedelta(days=day),
            visibility="department" if day % 2 else "public",
            department=org["sales"],
            attendees=attendees,
        )
    client = org["colleague"]
    client.get(URL)  # the session's first request records its activity (one UPDATE)

    counts = {}
    for size in (1, 50):
        # user + own department + count + page + attendees prefetch
        with django_assert_max_num_queries(6) as captured:
            response = client.get(f"{URL}?page_size={size}")
        assert len(response.json()["results"]) == size
        assert len(response.json()["results"][0]["attendees"]) == 3
        counts[size] = len(captured.captured_queries)

    assert counts[1] == counts[50]


def test_a_global_admin_making_an_event_private_still_sees_the_answer(org):
    event = create(org["staff"])

    response = org["superadmin"].patch(
        f"{URL}{event['id']}/", {"visibility": "private"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["visibility"] == "private"
    assert org["superadmin"].get(f"{URL}{event['id']}/").status_code == 404


def test_an_event_out_of_sight_cannot_be_deleted(org):
    event = create(org["staff"], visibility="private")

    assert org["outsider"].delete(f"{URL}{event['id']}/").status_code == 404
    assert CalendarEvent.objects.filter(pk=event["id"]).exists()

"""The list page cache (api/common/list_cache.py): served again only while nothing a
page shows changed, never across users, with ETags.

Tested through the overtime list, the one list that uses it: a page there shows six
models, so a write to any of them must show at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.accounts.roles import Role
from api.common.generations import generation_key, rows_changed
from api.org.models import Employee
from api.overtime.models import OvertimeRequest, OvertimeStatus
from tests.factories import make_department, make_overtime, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/overtime-requests/?page_size=50"


@pytest.fixture
def office(client_for):
    department = make_department(code="FIN")
    staff = make_user(Role.STAFF, department=department)
    boss = make_user(Role.SUPERADMIN)
    mine = make_overtime(employee=staff.employee)
    others = [make_overtime() for _ in range(3)]
    return {
        "staff": client_for(staff),
        "boss": client_for(boss),
        "staff_user": staff,
        "mine": mine,
        "others": others,
    }


def get(client, url=URL, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def test_the_same_request_again_is_served_from_the_cache(office):
    get(office["boss"], url=URL + "&warm=1")  # the session's first request also records activity
    first, built = get(office["boss"])
    again, served = get(office["boss"])
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.json()["count"] == 4
    assert served < built  # no list queries the second time
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "private, no-cache"
    assert again["Content-Type"] == "application/json"


def test_any_write_to_a_listed_row_shows_at_once(office, client_for):
    get(office["boss"])
    request = office["others"][0]
    request.reason = "Audit week"
    request.save()
    response, _ = get(office["boss"])
    reasons = {row["id"]: row["reason"] for row in response.json()["results"]}
    assert reasons[request.pk] == "Audit week"

    # A related row the list shows (the employee's name) counts as well.
    employee = Employee.objects.get(pk=office["mine"].employee_id)
    employee.first_name = "Renamed"
    employee.save()
    response, _ = get(office["boss"])
    names = {row["id"]: row["employee"]["full_name"] for row in response.json()["results"]}
    assert names[office["mine"].pk].startswith("Renamed")


def test_bulk_writes_announce_themselves(office):
    get(office["boss"])
    OvertimeRequest.objects.filter(pk=office["mine"].pk).update(status=OvertimeStatus.SUBMITTED)
    rows_changed(OvertimeRequest)  # what every bulk write in the code base does
    response, _ = get(office["boss"])
    statuses = {row["id"]: row["status"] for row in response.json()["results"]}
    assert statuses[office["mine"].pk] == OvertimeStatus.SUBMITTED


def test_users_never_share_pages(office):
    boss, _ = get(office["boss"])
    staff, _ = get(office["staff"])
    assert boss.json()["count"] == 4
    assert [row["id"] for row in staff.json()["results"]] == [office["mine"].pk]
    assert staff["ETag"] != boss["ETag"]


def test_a_role_change_changes_the_scope_at_once(office):
    assert get(office["staff"])[0].json()["count"] == 1
    user = office["staff_user"]
    user.role = Role.SUPERADMIN
    user.save()
    assert get(office["staff"])[0].json()["count"] == 4


def test_etag_revalidation(office):
    first, _ = get(office["boss"])
    etag = first["ETag"]
    unchanged, _ = get(office["boss"], HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    listed, _ = get(office["boss"], HTTP_IF_NONE_MATCH=f'"other", {etag}')
    assert listed.status_code == 304

    office["others"][1].delete()
    changed, _ = get(office["boss"], HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["count"] == 3


def test_no_cache_request_is_built_afresh(office):
    get(office["boss"], url=URL + "&warm=1")
    _, built = get(office["boss"])
    _, again = get(office["boss"], HTTP_CACHE_CONTROL="no-cache")
    assert again == built


def test_other_query_strings_are_other_pages(office):
    everything, _ = get(office["boss"])
    first_only, _ = get(office["boss"], url="/api/v1/overtime-requests/?page_size=1")
    assert len(everything.json()["results"]) == 4
    assert len(first_only.json()["results"]) == 1
    filtered, _ = get(office["boss"], url=URL + f"&employee={office['mine'].employee_id}")
    assert filtered.json()["count"] == 1


def test_the_cache_can_be_turned_off(office, settings):
    settings.LIST_CACHE_SECONDS = 0
    get(office["boss"], url=URL + "&warm=1")
    _, built = get(office["boss"])
    again, served = get(office["boss"])
    assert served == built
    assert "ETag" not in again


def test_a_vanished_generation_never_revives_an_old_page(office):
    """Redis may evict or lose a generation key; it must not start again at a number
    an old page was cached under."""
    get(office["boss"])  # cached under the generations as they are now
    request = office["others"][0]
    request.reason = "Changed before the eviction"
    request.save()
    cache.delete(generation_key(OvertimeRequest))  # evicted

    response, _ = get(office["boss"])
    reasons = {row["id"]: row["reason"] for row in response.json()["results"]}
    assert reasons[request.pk] == "Changed before the eviction"


@pytest.mark.redis  # clears the paginator's count keys by pattern: a Redis cache's call
def test_the_count_comes_with_the_page_lookup(office, settings):
    settings.COUNT_CACHE_MIN_ROWS = 1
    get(office["boss"], url=URL + "&warm=1")
    get(office["boss"], url="/api/v1/overtime-requests/?page_size=2")
    # The paginator's own count cache forgets; the list's count, kept with the list
    # lookup, still answers for every page of the same query.
    cache.delete_pattern("count:*")
    with CaptureQueriesContext(connection) as queries:
        second = office["boss"].get("/api/v1/overtime-requests/?page_size=2&page=2")
    assert second.json()["count"] == 4
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]

    make_overtime()  # a new row: the count is taken again
    response = office["boss"].get(
        "/api/v1/overtime-requests/?page_size=2&page=2", HTTP_CACHE_CONTROL="no-cache"
    )
    assert response.json()["count"] == 5


@pytest.fixture
def cache_calls(monkeypatch):
    """The cache's round trips, by method, of what runs meanwhile."""
    from django.core.cache import caches

    calls: list[str] = []
    inside = []  # a local-memory get_many calls get: count the outer call only
    backend = caches["default"]
    for method in ("get", "get_many", "set", "set_many", "add", "incr"):
        real = getattr(backend, method)

        def spy(*args, _real=real, _method=method, **kwargs):
            if not inside:
                calls.append(_method)
            inside.append(_method)
            try:
                return _real(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, method, spy)
    return calls


def test_the_lookup_travels_with_the_identity(office, cache_calls, settings):
    settings.COUNT_CACHE_MIN_ROWS = 1  # the count is kept with the list (as a big one is)
    get(office["boss"])  # the session's first request records its activity
    get(office["boss"], HTTP_CACHE_CONTROL="no-cache")
    cache_calls.clear()

    served, _ = get(office["boss"])
    assert served.status_code == 200
    assert cache_calls == ["get_many"]  # the identity, the page and its generations

    cache_calls.clear()
    built, _ = get(office["boss"], HTTP_CACHE_CONTROL="no-cache")
    assert built.content == served.content
    assert cache_calls == ["get_many", "set"]  # ... and the page stored (its count known)

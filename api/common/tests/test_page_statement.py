"""A list page in one statement (api/common/page_statement.py) answers the very bytes
the three-query path answers, for every scope, filter, order and page, and is one
query however long the page is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from api.accounts.models import User
from api.accounts.roles import Role
from api.common import page_statement as ps
from api.common import representation as r
from api.org.models import Employee
from api.overtime.models import OvertimeBreak, OvertimeRegulation, OvertimeRequest
from api.overtime.selectors import overtime_requests_visible_to
from api.overtime.serializers import OVERTIME_REQUEST
from tests.factories import make_department, make_overtime, make_project, make_regulation, make_user

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="one statement a page is PostgreSQL's"
)

URL = "/api/v1/overtime-requests/"
QUERIES = [
    "",
    "?page_size=1",
    "?page_size=2&page=2",
    "?page_size=50",
    # A second key where the first ties (every row here has 0.00 net hours): which of
    # equal rows comes first is PostgreSQL's choice, and the two statements may differ.
    "?ordering=net_hours,start_at",
    "?ordering=-status,start_at",
    "?search=dinner",
    "?search=Quote",
    "?status=approved&status=rejected",
    "?project=0",
    "?start_at_from=2030-01-01T00:00:00Z",
]


@pytest.fixture
def office():
    """Requests with everything a row can show: breaks (fractions of seconds, several,
    none), the three decision makers, no project, a regulation verdict, text that JSON
    must escape, in two departments."""
    finance, sales = make_department(code="FIN"), make_department(code="SAL")
    boss = make_user(Role.SUPERADMIN, first_name="Zoë", last_name="")
    admin = make_user(Role.PTB_ADMIN, department=finance)
    staff = make_user(Role.STAFF, department=finance)
    seller = make_user(Role.STAFF, department=sales)
    start = datetime(2026, 3, 2, 11, 0, 0, 250000, tzinfo=UTC)
    rows = [
        make_overtime(
            employee=staff.employee,
            start_at=start,
            project=make_project(name='Quote "x" \\ \u2028 \x07 ünï'),
            regulation=make_regulation(),
            regulation_check={"limits": {"day": "4.00"}, "ratio": 1.5, "notes": ["ß", None]},
            status="rejected",
            first_approved_by=admin,
            first_approved_at=start + timedelta(hours=3, microseconds=5),
            second_approved_by=boss,
            second_approved_at=start + timedelta(hours=4),
            rejected_by=boss,
            rejected_at=start + timedelta(hours=5),
            rejection_reason="No budget\nthis month",
            submitted_at=start + timedelta(minutes=1),
        ),
        make_overtime(
            employee=staff.employee, start_at=start + timedelta(days=1), status="approved"
        ),
        make_overtime(employee=seller.employee, start_at=start - timedelta(days=1), reason="Quote"),
        make_overtime(employee=admin.employee, start_at=start - timedelta(days=2)),
        make_overtime(start_at=start + timedelta(days=3), created_by=staff),
        # The same shift as the first: timestamps that recur on a page.
        make_overtime(employee=seller.employee, start_at=start, end_at=start + timedelta(hours=2)),
    ]
    first = rows[0]
    for minutes, note in ((40, "dinner"), (10, ""), (10, "tie: same start, later id")):
        OvertimeBreak.objects.create(
            request=first,
            start_at=first.start_at + timedelta(minutes=minutes, microseconds=120),
            end_at=first.start_at + timedelta(minutes=minutes + 5),
            note=note,
        )
    OvertimeBreak.objects.create(
        request=rows[2], start_at=rows[2].start_at, end_at=rows[2].end_at, note="dinner"
    )
    return {"boss": boss, "admin": admin, "staff": staff, "seller": seller, "rows": rows}


def bodies(client, queries=QUERIES):
    """Each page's status and body (an error's body names its request: left out)."""
    answers = [client.get(URL + query, HTTP_CACHE_CONTROL="no-cache") for query in queries]
    return [(a.status_code, a.content if a.status_code == 200 else b"") for a in answers]


@on_postgresql
@pytest.mark.parametrize("time_zone", ["UTC", "Asia/Jakarta"])
@pytest.mark.parametrize("who", ["boss", "admin", "staff", "seller"])
def test_one_statement_answers_the_bytes_three_queries_answer(
    office, client_for, settings, monkeypatch, time_zone, who
):
    settings.TIME_ZONE = time_zone
    client = client_for(office[who])
    one_statement = bodies(client)
    monkeypatch.setattr(ps, "page_statement", lambda rendering, using: None)
    three_queries = bodies(client)

    assert one_statement == three_queries
    assert any(b'"breaks":[{' in body for _, body in one_statement)


@pytest.mark.parametrize("time_zone", ["UTC", "Asia/Jakarta"])
def test_a_page_is_the_detail_representation_of_its_rows(office, client_for, settings, time_zone):
    """Byte for byte what rendering each record as an instance gives, in the list's
    order: the one representation, whichever path reads the rows."""
    settings.TIME_ZONE = time_zone
    client = client_for(office["boss"])
    response = client.get(URL + "?page_size=4&page=1", HTTP_CACHE_CONTROL="no-cache")

    records = overtime_requests_visible_to(user=office["boss"]).order_by("-start_at", "-id")
    expected = {
        "count": len(office["rows"]),
        "page": 1,
        "page_size": 4,
        "total_pages": 2,
        "next": "http://testserver/api/v1/overtime-requests/?page=2&page_size=4",
        "previous": None,
        "results": [OVERTIME_REQUEST.render(record) for record in records[:4]],
    }
    assert response.content == JSONRenderer().render(expected)
    starts = [row["start_at"] for row in expected["results"]]
    assert len(set(starts)) < len(starts)  # a timestamp recurs on the page


@on_postgresql
@pytest.mark.parametrize("page_size", [1, 5])
def test_a_page_is_one_query_whatever_its_length(office, client_for, page_size):
    client = client_for(office["boss"])
    client.get(URL)  # the session's first request records its activity
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{URL}?page_size={page_size}", HTTP_CACHE_CONTROL="no-cache")

    assert len(response.json()["results"]) == page_size
    pages = [q["sql"] for q in queries if "COUNT(" not in q["sql"].upper()]
    assert len(pages) == 1, pages
    assert "json_agg" in pages[0]


def prepared_pages() -> list[str]:
    """The page statements this session's PostgreSQL keeps prepared."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [text for (text,) in cursor.fetchall() if "WITH ORDINALITY" in text]


@on_postgresql
def test_a_page_without_parameters_keeps_its_plan_one_with_parameters_does_not(office, client_for):
    client = client_for(office["boss"])  # sees every row: no scope parameter
    before = prepared_pages()
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{URL}?page_size=3", HTTP_CACHE_CONTROL="no-cache")
        assert response.status_code == 200
        assert len([q for q in queries if "WITH ORDINALITY" in q["sql"]]) == 1  # still logged
    kept = [text for text in prepared_pages() if text not in before]
    assert len(kept) == 1  # prepared once, run three times
    assert "LIMIT 3" in kept[0]

    client.get(f"{URL}?page_size=3&search=dinner", HTTP_CACHE_CONTROL="no-cache")
    client_for(office["staff"]).get(f"{URL}?page_size=3", HTTP_CACHE_CONTROL="no-cache")
    assert [text for text in prepared_pages() if text not in before] == kept


@on_postgresql
@pytest.mark.parametrize("query", ["?page_size=3", "?page_size=3&search=dinner"])
def test_the_statements_own_timestamp_loader_stays_on_its_cursor(office, client_for, query):
    # Prepared (no parameter) and not: neither leaves psycopg's loader to the ORM,
    # whose timestamps keep Django's zone object.
    response = client_for(office["boss"]).get(URL + query, HTTP_CACHE_CONTROL="no-cache")
    assert response.status_code == 200
    read = OvertimeRequest.objects.order_by("id").first().start_at
    assert read.tzinfo is connection.timezone


@on_postgresql
def test_an_empty_page_sends_no_page_query(office, client_for):
    client = client_for(office["boss"])
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL + "?start_at_from=2030-01-01T00:00:00Z")

    assert response.json()["results"] == []
    assert [q["sql"] for q in queries if "json_agg" in q["sql"]] == []


# Relations whose columns JSON cannot carry unchanged keep their own query.
WITH_DECIMALS = r.Rendering(
    Employee,
    (
        r.Field("id"),
        r.Many("overtime_requests", OvertimeRequest, "employee", (r.decimal_field("net_hours"),)),
    ),
)
WITH_A_DATE = r.Rendering(
    OvertimeRequest,
    (
        r.Field("id"),
        r.Brief(
            "regulation",
            OvertimeRegulation,
            (r.Field("id"), r.Field("effective_from")),
            joined=False,
        ),
    ),
)
WITH_JSON = r.Rendering(
    Employee,
    (
        r.Field("id"),
        r.Many("overtime_requests", OvertimeRequest, "employee", (r.Field("regulation_check"),)),
    ),
)
LOOKED_UP = r.Rendering(
    OvertimeRequest,
    (
        r.Field("id"),
        r.Brief("rejected_by", User, (r.Field("id"), r.Field("username")), joined=False),
        r.Many("breaks", OvertimeBreak, "request", (r.datetime_field("end_at"), r.Field("id"))),
    ),
)


def test_only_relations_json_carries_unchanged_go_into_the_statement():
    assert ps.PageStatement(OVERTIME_REQUEST).possible()
    assert ps.PageStatement(LOOKED_UP).possible()
    assert not ps.PageStatement(WITH_DECIMALS).possible()
    assert not ps.PageStatement(WITH_A_DATE).possible()
    assert not ps.PageStatement(WITH_JSON).possible()


@pytest.mark.parametrize("rendering", [WITH_DECIMALS, WITH_A_DATE, WITH_JSON, LOOKED_UP])
def test_any_rendering_reads_the_rows_the_three_query_path_reads(office, rendering):
    listed = rendering.model.objects.order_by("-id")
    rows = list(listed.values(*rendering.columns())[0:4])

    assert ps.RenderedQuerySet(listed, rendering)[0:4] == rendering.render_rows(rows)
    assert ps.RenderedQuerySet(listed, rendering)[1] == rendering.render_rows(rows)[1]
    assert ps.RenderedQuerySet(listed, rendering).count() == listed.count()


# Decimals of the row and of a joined relation: read as PostgreSQL's text of them.
WITH_DECIMAL_TEXT = r.Rendering(
    OvertimeRequest,
    (
        r.Field("id"),
        r.decimal_field("net_hours"),
        r.decimal_field("compensation_hours"),
        r.Brief(
            "regulation",
            OvertimeRegulation,
            (r.Field("id"), r.decimal_field("max_hours_per_day")),
        ),
    ),
)


@on_postgresql
@pytest.mark.parametrize(
    ("net", "compensation"),
    [
        (Decimal("0.00"), None),
        (Decimal("1.50"), Decimal("-0.25")),
        (Decimal("9999.99"), Decimal("1234.50")),
        (Decimal("7"), Decimal("0.1")),
    ],
)
def test_decimals_read_as_text_are_what_decimal_writes(office, net, compensation):
    listed = OvertimeRequest.objects.order_by("-id")
    listed.update(total_hours=net, break_hours=0, net_hours=net, compensation_hours=compensation)
    OvertimeRegulation.objects.update(max_hours_per_day=Decimal("0.5"))
    rows = list(listed.values(*WITH_DECIMAL_TEXT.columns())[0:4])

    with CaptureQueriesContext(connection) as queries:
        page = ps.RenderedQuerySet(listed, WITH_DECIMAL_TEXT)[0:4]

    assert page == WITH_DECIMAL_TEXT.render_rows(rows)
    assert page[0]["net_hours"] == str(net.quantize(Decimal("0.01")))
    (statement,) = [q["sql"] for q in queries if "WITH ORDINALITY" in q["sql"]]
    assert statement.count("::text") == 3


@on_postgresql
def test_a_looked_up_relation_and_its_children_come_with_the_row(office):
    listed = OvertimeRequest.objects.order_by("start_at", "id")
    with CaptureQueriesContext(connection) as queries:
        rendered = ps.RenderedQuerySet(listed, LOOKED_UP)[0:10]

    assert len(queries) == 1
    decided = next(row for row in rendered if row["id"] == office["rows"][0].pk)
    assert decided["rejected_by"] == {"id": office["boss"].pk, "username": office["boss"].username}
    assert [item["id"] for item in decided["breaks"]] == list(
        office["rows"][0].breaks.order_by("id").values_list("id", flat=True)
    )


# ------------------------------------------------------------- rows read again unchanged


def test_remembered_rows_keep_two_generations_and_move_what_is_used_to_the_recent_one():
    remembered = ps.RenderedRows(capacity=2)
    remembered.put("a", {"a": 1})
    remembered.put("b", {"b": 1})
    remembered.put("c", {"c": 1})  # the recent generation was full: a and b are older now

    assert remembered.get("a") == {"a": 1}  # found in the older one: recent again
    remembered.put("d", {"d": 1})  # recent (c, a) full: it becomes the older one, b goes
    assert remembered.get("b") is None
    assert [remembered.get(key) for key in "acd"] == [{"a": 1}, {"c": 1}, {"d": 1}]
    assert len(remembered.recent) + len(remembered.older) <= 2 * remembered.capacity


def test_a_capacity_of_zero_remembers_nothing():
    remembered = ps.RenderedRows(capacity=0)
    remembered.put("a", {"a": 1})
    assert remembered.get("a") is None


def remembered_page(client, query="?page_size=50"):
    response = client.get(URL + query, HTTP_CACHE_CONTROL="no-cache")
    assert response.status_code == 200, response.content
    return response.content


@on_postgresql
def test_a_row_read_again_unchanged_is_not_rendered_again(office, client_for, monkeypatch):
    statement = ps.page_statement(OVERTIME_REQUEST, "default")
    statement.rendered_rows.clear()
    client = client_for(office["boss"])
    first = remembered_page(client)
    (head_tail, render, bundled) = statement._written
    rendered_rows = []

    def counting(rows, *args):
        rendered_rows.extend(rows)
        return render(rows, *args)

    monkeypatch.setitem(statement.__dict__, "_written", (head_tail, counting, bundled))
    with CaptureQueriesContext(connection) as queries:
        again = remembered_page(client)

    assert again == first
    assert rendered_rows == []
    assert [q["sql"] for q in queries if "WITH ORDINALITY" in q["sql"]]  # still read


@on_postgresql
@pytest.mark.parametrize(
    "change",
    [
        "status",
        "employee name",
        "department name",
        "project name",
        "break note",
        "break added",
        "decision maker name",
        "regulation verdict",
    ],
)
def test_a_row_whose_shown_values_changed_is_rendered_anew(office, client_for, monkeypatch, change):
    """Whatever a row shows changes, itself or a row it shows: the page answers what
    the three-query path answers (which remembers nothing), not what was remembered."""
    client = client_for(office["boss"])
    before = remembered_page(client)
    first = office["rows"][0]
    if change == "status":
        OvertimeRequest.objects.filter(pk=first.pk).update(status="approved")
    elif change == "employee name":
        Employee.objects.filter(pk=first.employee_id).update(first_name="Renamed")
    elif change == "department name":
        first.employee.department.__class__.objects.filter(pk=first.employee.department_id).update(
            name="Renamed department"
        )
    elif change == "project name":
        first.project.__class__.objects.filter(pk=first.project_id).update(name="Renamed")
    elif change == "break note":
        first.breaks.filter(note="dinner").update(note="supper")
    elif change == "break added":
        OvertimeBreak.objects.create(
            request=first,
            start_at=first.start_at + timedelta(minutes=90),
            end_at=first.start_at + timedelta(minutes=95),
            note="second dinner",
        )
    elif change == "decision maker name":
        User.objects.filter(pk=office["boss"].pk).update(last_name="Renamed")
    elif change == "regulation verdict":
        OvertimeRequest.objects.filter(pk=first.pk).update(regulation_check={"changed": True})
    remembered = remembered_page(client)
    monkeypatch.setattr(ps, "page_statement", lambda rendering, using: None)
    fresh = remembered_page(client)

    assert remembered == fresh
    assert remembered != before


@on_postgresql
def test_rows_are_remembered_in_the_zone_they_were_written_in(office, client_for, settings):
    client = client_for(office["boss"])
    settings.TIME_ZONE = "UTC"
    in_utc = remembered_page(client)
    settings.TIME_ZONE = "Asia/Jakarta"
    in_jakarta = remembered_page(client)

    assert b"2026-03-02T11:00:00.250000Z" in in_utc
    assert b"2026-03-02T18:00:00.250000+07:00" in in_jakarta
    assert b"2026-03-02T11:00:00.250000Z" not in in_jakarta


@on_postgresql
def test_rows_that_cannot_be_a_key_are_rendered_and_not_remembered(office, client_for, monkeypatch):
    statement = ps.page_statement(OVERTIME_REQUEST, "default")
    client = client_for(office["boss"])
    expected = remembered_page(client)
    statement.rendered_rows.clear()

    def unhashable(key):
        raise TypeError("unhashable type: 'list'")

    monkeypatch.setattr(statement.rendered_rows, "get", unhashable)
    assert remembered_page(client) == expected
    assert statement.rendered_rows.recent == {}

"""Query parameters: an unknown one is a 400 naming it; the filter backend skips
django-filter only when no parameter could be a filter."""

from __future__ import annotations

import django_filters
import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_yasg import openapi
from drf_yasg.generators import OpenAPISchemaGenerator
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.accounts.roles import Role
from api.common.filters import FilterBackend, filter_parameters, names_a_filter
from api.overtime.filters import OvertimeRequestFilter
from api.overtime.models import OvertimeRequest
from tests.factories import make_department, make_user


class WithRanges(django_filters.FilterSet):
    created = django_filters.DateFromToRangeFilter()
    hours = django_filters.RangeFilter(field_name="net_hours")
    is_weekend = django_filters.BooleanFilter()

    class Meta:
        model = OvertimeRequest
        fields = ()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, False),
        ({"page": "2", "page_size": "50", "search": "x", "ordering": "-start_at"}, False),
        ({"status": "approved"}, True),
        ({"start_at_from": "2026-01-01T00:00:00Z"}, True),
        ({"requires_second_approval": "true"}, True),
        ({"page_size": "50", "department": "3"}, True),
    ],
)
def test_overtime_filter_parameters(params, expected):
    assert names_a_filter(params, OvertimeRequestFilter) is expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("created_after", True),
        ("created_before", True),
        ("hours_min", True),
        ("hours_max", True),
        ("is_weekend", True),
        ("weekend", False),
        ("is", False),
        ("created", True),
        ("createdx_after", False),
    ],
)
def test_widget_suffixes_count_as_the_filter(key, expected):
    assert names_a_filter({key: "1"}, WithRanges) is expected


class View:
    filterset_class = OvertimeRequestFilter


def _request(query: str) -> Request:
    return Request(APIRequestFactory().get("/x/" + query))


@pytest.mark.django_db
def test_no_filter_parameter_returns_the_queryset_untouched():
    queryset = OvertimeRequest.objects.all()
    assert FilterBackend().filter_queryset(_request("?page_size=50"), queryset, View()) is queryset


@pytest.mark.django_db
def test_a_filter_parameter_still_filters_and_validates():
    queryset = OvertimeRequest.objects.all()
    filtered = FilterBackend().filter_queryset(_request("?status=approved"), queryset, View())
    assert "status" in str(filtered.query)
    with pytest.raises((ValidationError, DjangoValidationError)):
        FilterBackend().filter_queryset(_request("?status=no-such-status"), queryset, View())


def test_filter_parameters_name_each_widget_input():
    assert filter_parameters(WithRanges) == {
        "created_after",
        "created_before",
        "hours_min",
        "hours_max",
        "is_weekend",
    }


# ----------------------------------------------------------------- the contract over HTTP


@pytest.fixture
def admin(client_for):
    return client_for(make_user(Role.SUPERADMIN))


def _fields(response) -> dict:
    assert response.status_code == 400, response.content[:300]
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    return body["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/overtime-requests/",
        "/api/v1/employees/",
        "/api/v1/tasks/",
        "/api/v1/task-groups/",
        "/api/v1/holidays/",
        "/api/v1/report-jobs/",
    ],
)
def test_an_unknown_list_parameter_is_a_400_naming_it(admin, url):
    assert _fields(admin.get(url, {"statuss": "approved"})) == {
        "statuss": ["Unknown query parameter."]
    }


@pytest.mark.django_db
def test_every_unknown_parameter_is_named_at_once(admin):
    fields = _fields(admin.get("/api/v1/overtime-requests/", {"a": "1", "b": "2", "status": "x"}))
    assert set(fields) == {"a", "b"}


@pytest.mark.django_db
def test_the_generic_parameters_and_declared_filters_are_understood(admin):
    response = admin.get(
        "/api/v1/overtime-requests/",
        {
            "page": "1",
            "page_size": "5",
            "search": "x",
            "ordering": "-start_at,status",
            "format": "json",
            "status": ["approved", "submitted"],
            "start_at_from": "2026-01-01T00:00:00Z",
            "start_date_to": "2026-12-31",
            "is_weekend": "false",
        },
    )
    assert response.status_code == 200, response.content[:300]


@pytest.mark.django_db
def test_an_ordering_outside_the_list_fields_is_a_400_listing_them(admin):
    (message,) = _fields(admin.get("/api/v1/overtime-requests/", {"ordering": "employee"}))[
        "ordering"
    ]
    assert "employee" in message
    for allowed in ("start_at", "end_at", "created_at", "net_hours", "status"):
        assert allowed in message


@pytest.mark.django_db
def test_one_bad_term_spoils_the_ordering(admin):
    fields = _fields(admin.get("/api/v1/employees/", {"ordering": "last_name,-salary"}))
    assert "-salary" in fields["ordering"][0]


@pytest.mark.django_db
def test_search_on_a_list_without_text_search_is_a_400(admin):
    assert _fields(admin.get("/api/v1/report-jobs/", {"search": "x"})) == {
        "search": ["This list has no text search."]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "old", "new"),
    [
        ("/api/v1/overtime-requests/", "date_from", "start_date_from"),
        ("/api/v1/overtime-requests/", "start_to", "start_at_to"),
        ("/api/v1/calendar-events/", "start", "end_at_from"),
        ("/api/v1/calendar-events/", "end", "start_at_to"),
        ("/api/v1/employee-leaves/", "date_from", "end_date_from"),
        ("/api/v1/tasks/", "due_from", "due_date_from"),
        ("/api/v1/task-time-logs/", "started_from", "started_at_from"),
        ("/api/v1/notifications/", "created_from", "created_at_from"),
        ("/api/v1/purchase-requests/", "created_to", "created_at_to"),
        ("/api/v1/activity-logs/", "created_from", "created_at_from"),
        ("/api/v1/report-jobs/", "period_from", "period_start_from"),
        ("/api/v1/projects/", "start_date__gte", "start_date_from"),
    ],
)
def test_an_old_range_name_answers_with_the_new_one(admin, url, old, new):
    assert _fields(admin.get(url, {old: "2026-01-01"})) == {old: [f"Renamed: use {new}."]}


@pytest.mark.django_db
def test_a_single_record_understands_only_format(admin):
    department = make_department()
    url = f"/api/v1/departments/{department.pk}/"

    assert admin.get(url, {"format": "json"}).status_code == 200
    assert _fields(admin.get(url, {"is_active": "false"})) == {
        "is_active": ["Unknown query parameter."]
    }
    assert "page" in _fields(admin.patch(f"{url}?page=2", {"name": "x"}, format="json"))


@pytest.mark.django_db
def test_an_action_understands_only_format(admin):
    assert "kind" in _fields(admin.get("/api/v1/notifications/unread-count/", {"kind": "x"}))


@pytest.mark.django_db
def test_the_board_refuses_an_unknown_parameter(admin):
    assert admin.get("/api/v2/board/", {"project": "1"}).status_code == 200
    assert _fields(admin.get("/api/v2/board/", {"projects": "1"})) == {
        "projects": ["Unknown query parameter."]
    }


# ----------------------------------------------------------------- the schema


@pytest.fixture
def schema(api_client):
    response = api_client.get("/swagger.json")
    assert response.status_code == 200
    return response.json()


def _query_parameters(schema, path) -> dict[str, dict]:
    operation = schema["paths"][path]["get"]
    return {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}


@pytest.mark.django_db
def test_filters_are_documented_with_their_type_and_choices(schema):
    parameters = _query_parameters(schema, "/v1/overtime-requests/")

    status = parameters["status"]
    assert (status["type"], status["collectionFormat"]) == ("array", "multi")
    assert {"approved", "submitted"} <= set(status["items"]["enum"])
    assert (parameters["start_at_from"]["type"], parameters["start_at_from"]["format"]) == (
        "string",
        "date-time",
    )
    assert parameters["start_date_to"]["format"] == "date"
    assert parameters["employee"]["type"] == "integer"
    assert parameters["is_weekend"]["type"] == "boolean"
    assert not {"date_from", "start_from"} & set(parameters)


@pytest.mark.django_db
def test_search_is_documented_only_where_a_list_has_it(schema):
    assert "search" in _query_parameters(schema, "/v1/overtime-requests/")
    assert "search" not in _query_parameters(schema, "/v1/report-jobs/")


@pytest.mark.django_db
def test_every_documented_list_parameter_is_understood(schema, admin):
    """The schema and the server agree: no documented parameter is refused as unknown."""
    lists = [
        path
        for path, operations in schema["paths"].items()
        if "get" in operations and "{" not in path and path.startswith("/v1/")
    ]
    assert len(lists) > 15
    for path in lists:
        names = set(_query_parameters(schema, path)) - {"page", "page_size", "format"}
        response = admin.get(f"/api{path}", dict.fromkeys(names, ""))
        # An empty value may be invalid for its filter; it must never be unknown.
        fields = response.json()["error"]["fields"] if response.status_code == 400 else {}
        assert response.status_code in (200, 400), (path, response.status_code)
        assert not [name for name, why in fields.items() if "Unknown" in why[0]], path


def test_the_docs_name_the_fields_a_list_sorts_by(client_for):
    """Swagger lists what `ordering` accepts: the fields the 400 would list."""
    generator = OpenAPISchemaGenerator(openapi.Info(title="docs", default_version="v1"))
    schema = generator.get_schema(request=None, public=True)
    (ordering,) = [
        p
        for p in schema["paths"]["/v1/overtime-requests/"]["get"]["parameters"]
        if p["name"] == "ordering"
    ]
    refused = client_for(make_user(Role.SUPERADMIN)).get(
        "/api/v1/overtime-requests/", {"ordering": "nope"}
    )

    assert refused.status_code == 400
    for field in ("start_at", "net_hours", "status"):
        assert field in ordering["description"]
        assert field in refused.json()["error"]["fields"]["ordering"][0]

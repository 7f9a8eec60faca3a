"""The overtime endpoints' OpenAPI documentation: the day terms on every request, and
the allowance, check and bulk-decide answers."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client):
    response = api_client.get("/swagger.json")
    assert response.status_code == 200
    return response.json()


def _answer(schema, path, method):
    ref = schema["paths"][path][method]["responses"]["200"]["schema"]["$ref"]
    return schema["definitions"][ref.rsplit("/", 1)[1]]


def test_requests_document_their_day_terms(schema):
    properties = schema["definitions"]["OvertimeRequest"]["properties"]

    assert properties["day_category"]["enum"] == [
        "workday",
        "rest_day",
        "public_holiday",
        "holiday_shortest_day",
    ]
    assert properties["compensation_hours"]["type"] == "string"
    assert properties["meal_due"]["type"] == "boolean"


def test_the_new_endpoints_document_their_answers(schema):
    allowance = schema["paths"]["/v1/overtime-requests/allowance/"]["get"]
    assert {p["name"] for p in allowance["parameters"]} == {"employee", "date"}
    assert set(_answer(schema, "/v1/overtime-requests/allowance/", "get")["properties"]) >= {
        "periods",
        "rest_day_rule",
    }
    check = _answer(schema, "/v1/overtime-requests/check/", "post")["properties"]
    assert {"violations", "overlaps", "compensation_hours", "meal_due"} <= set(check)
    bulk = _answer(schema, "/v1/overtime-requests/bulk-decide/", "post")["properties"]
    assert set(bulk) == {"results"}

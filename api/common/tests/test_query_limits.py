"""Query strings, search terms and dates have documented limits that answer 400 naming
the parameter or field, never 500."""

import pytest

from api.accounts.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_for):
    return client_for(make_user(Role.SUPERADMIN))


def test_a_search_of_hundreds_of_terms_is_a_400_naming_search(admin_client):
    response = admin_client.get(
        "/api/v1/overtime-requests/", {"search": " ".join(f"t{n}" for n in range(500))}
    )

    assert response.status_code == 400, response.content[:300]
    assert "search" in response.json()["error"]["fields"]


def test_a_search_within_the_bounds_still_searches(admin_client):
    response = admin_client.get("/api/v1/overtime-requests/", {"search": "a b c d e"})

    assert response.status_code == 200


def test_an_overlong_search_is_a_400(admin_client):
    response = admin_client.get("/api/v1/employees/", {"search": "x" * 1000})

    assert response.status_code == 400
    assert "search" in response.json()["error"]["fields"]


@pytest.mark.parametrize("day", ["9999-12-15", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_an_export_for_a_date_out_of_range_is_a_400_naming_date(admin_client, day):
    response = admin_client.post(
        "/api/v1/overtime-requests/export/", {"kind": "daily", "date": day}, format="json"
    )

    assert response.status_code == 400, response.content[:300]
    assert "date" in response.json()["error"]["fields"]


@pytest.mark.parametrize("param", ["start_date_from", "start_date_to"])
def test_a_filter_date_out_of_range_is_a_400_naming_it(admin_client, param):
    response = admin_client.get("/api/v1/overtime-requests/", {param: "9999-12-31"})

    assert response.status_code == 400, response.content[:300]
    assert param in response.json()["error"]["fields"]


def test_an_overlong_query_string_is_a_400_naming_it(admin_client):
    response = admin_client.get("/api/v1/overtime-requests/", {"reason": "x" * 5000})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "query_too_long"
    assert "query_string" in response.json()["error"]["fields"]

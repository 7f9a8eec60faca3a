"""Swagger UI, ReDoc and the schema are served by the app itself (no internet needed)."""

import re

import pytest

pytestmark = pytest.mark.django_db

AUTH_PATHS = (
    "/api/auth/login/local/",
    "/api/auth/login/external/",
    "/api/auth/token/refresh/",
    "/api/auth/token/verify/",
    "/api/auth/logout/",
)


@pytest.fixture
def schema(api_client):
    response = api_client.get("/swagger.json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_public_and_documents_bearer_auth(schema):
    assert schema["swagger"] == "2.0"
    assert "Bearer" in schema["securityDefinitions"]
    assert schema["info"]["title"] == "PTB Overtime API"


@pytest.mark.parametrize("path", AUTH_PATHS)
def test_auth_endpoints_document_request_and_response_bodies(schema, path):
    operation = schema["paths"][path.removeprefix("/api")]["post"]
    body = [p for p in operation["parameters"] if p["in"] == "body"]
    assert body, f"{path} has no documented request body"
    assert "200" in operation["responses"]
    assert "401" in operation["responses"] or path.endswith("logout/")


def test_me_documents_the_profile_shape(schema):
    response = schema["paths"]["/auth/me/"]["get"]["responses"]["200"]
    properties = schema["definitions"][response["schema"]["$ref"].rsplit("/", 1)[-1]]["properties"]
    assert {"role", "permissions", "employee"} <= set(properties)


@pytest.mark.parametrize("page", ["/swagger/", "/redoc/"])
def test_ui_pages_load_their_assets_from_this_server(api_client, page):
    response = api_client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets, "the page references no scripts or styles"
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset} would need the internet"
        assert api_client.get(asset).status_code == 200, asset

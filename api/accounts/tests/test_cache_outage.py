"""With Redis (the cache) down, signed-in requests keep working and logouts still hold."""

import pytest

from api.accounts.roles import Role
from conftest import free_port
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "api.common.redis_cache.SharedClientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }


def test_authenticated_requests_work_without_the_cache(client_for, dead_cache, settings):
    settings.THROTTLING_ENABLED = True  # throttles fail open instead of failing requests
    client = client_for(make_user(Role.STAFF))

    response = client.get("/api/auth/me/")

    assert response.status_code == 200


def test_logout_holds_without_the_cache(api_client, dead_cache):
    user = make_user()
    tokens = api_client.post(
        "/api/auth/login/local/",
        {"username": user.username, "password": PASSWORD},
        format="json",
    ).json()
    api_client.post("/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json")

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = api_client.get("/api/auth/me/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_ended"

"""SSO sign-ins get our own token pair: they last like local sessions, and every renewal
re-checks the person with the SSO/HR service (the bundled reference server, over HTTP)."""

import jwt
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.accounts.models import AuthSource, UserSession
from api.accounts.signals import sessions_ended
from conftest import free_port
from generate_data.directory import build_directory

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/external/"
REFRESH = "/api/auth/token/refresh/"
LOGOUT = "/api/auth/logout/"
ME = "/api/auth/me/"
LOOKUP = "GET /hr/employees/{id}"


def sso_login(client, username="demo.employee") -> dict:
    response = client.post(
        LOGIN, {"username": username, "password": "demo-password"}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def refresh(client, token):
    return client.post(REFRESH, {"refresh": token}, format="json")


def me(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(ME)


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def ended_sessions():
    """Session ids announced as ended: the path that closes their sockets with 4000."""
    seen: list[str] = []

    def receiver(sender, sessions, **kwargs):
        seen.extend(session_id for _, session_id in sessions)

    sessions_ended.connect(receiver, weak=False)
    yield seen
    sessions_ended.disconnect(receiver)


def directory_where(change) -> dict:
    directory = build_directory(seed=42, employees=12)
    change(directory["employees"])
    return directory


def test_sso_login_answers_our_pair_in_a_token_family(api_client, external_api, settings):
    body = sso_login(api_client)

    assert body["auth_source"] == AuthSource.EXTERNAL
    assert body["refresh"]
    assert claims(body["access"])["iss"] != settings.EXTERNAL_JWT_ISSUER  # ours, not the SSO's
    assert claims(body["access"])["sid"] == body["session_id"]
    session = UserSession.objects.get(session_id=body["session_id"])
    assert session.auth_source == AuthSource.EXTERNAL
    assert session.token_jti == claims(body["refresh"])["jti"]
    assert me(body["access"]).json()["auth_source"] == AuthSource.EXTERNAL


def test_refreshing_an_sso_session_gives_a_new_pair(api_client, external_api):
    first = sso_login(api_client)

    response = refresh(api_client, first["refresh"])

    assert response.status_code == 200, response.content
    second = response.json()
    assert second["refresh"] != first["refresh"]
    assert me(second["access"]).json()["auth_source"] == AuthSource.EXTERNAL
    assert refresh(api_client, second["refresh"]).status_code == 200


def test_reusing_an_old_sso_refresh_token_ends_the_family(api_client, external_api, ended_sessions):
    first = sso_login(api_client)
    second = refresh(api_client, first["refresh"]).json()

    reuse = refresh(api_client, first["refresh"])

    assert reuse.status_code == 401
    assert reuse.json()["error"]["code"] == "token_reused"
    assert me(second["access"]).json()["error"]["code"] == "session_ended"
    assert refresh(api_client, second["refresh"]).status_code == 401
    assert ended_sessions == [first["session_id"]]


def test_within_the_bound_a_renewal_costs_no_lookup(api_client, external_api, settings):
    settings.EXTERNAL_REVALIDATE_SECONDS = 300
    tokens = sso_login(api_client)
    external_api.reset_stats()

    assert refresh(api_client, tokens["refresh"]).status_code == 200
    assert external_api.count(LOOKUP) == 0


def test_past_the_bound_a_renewal_asks_the_service(api_client, external_api, settings):
    settings.EXTERNAL_REVALIDATE_SECONDS = 0
    tokens = sso_login(api_client)
    external_api.reset_stats()

    assert refresh(api_client, tokens["refresh"]).status_code == 200
    assert external_api.count(LOOKUP) == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda people: people[0].update(is_active=False), "external_user_inactive"),
        (lambda people: people.pop(0), "external_user_unknown"),
    ],
    ids=["disabled", "removed"],
)
def test_a_person_the_sso_drops_is_refused_and_their_sso_sessions_end(
    api_client, external_api, settings, ended_sessions, change, code
):
    settings.EXTERNAL_REVALIDATE_SECONDS = 0
    phone = sso_login(api_client)
    laptop = sso_login(APIClient())
    external_api.replace_directory(directory_where(change))

    response = refresh(api_client, phone["refresh"])

    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert sorted(ended_sessions) == sorted([phone["session_id"], laptop["session_id"]])
    assert not UserSession.objects.filter(logout_at__isnull=True).exists()
    assert me(laptop["access"]).json()["error"]["code"] == "session_ended"
    assert refresh(api_client, laptop["refresh"]).status_code == 401


def test_service_down_past_the_bound_is_503_and_the_session_stays(
    api_client, external_api, settings
):
    settings.EXTERNAL_REVALIDATE_SECONDS = 0
    tokens = sso_login(api_client)
    settings.EXTERNAL_API_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    response = refresh(api_client, tokens["refresh"])

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert UserSession.objects.get(session_id=tokens["session_id"]).logout_at is None
    assert me(tokens["access"]).status_code == 200


def test_service_down_within_the_bound_still_renews(api_client, external_api, settings):
    settings.EXTERNAL_REVALIDATE_SECONDS = 300
    tokens = sso_login(api_client)
    settings.EXTERNAL_API_URL = f"http://127.0.0.1:{free_port()}"

    assert refresh(api_client, tokens["refresh"]).status_code == 200


def test_logging_out_of_an_sso_session_ends_it(api_client, external_api, ended_sessions):
    tokens = sso_login(api_client)

    response = api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 200
    assert ended_sessions == [tokens["session_id"]]
    assert me(tokens["access"]).status_code == 401
    assert refresh(api_client, tokens["refresh"]).status_code == 401
    assert UserSession.objects.get(session_id=tokens["session_id"]).logout_at is not None


def test_a_cache_outage_asks_the_service_instead(api_client, external_api, settings):
    settings.EXTERNAL_REVALIDATE_SECONDS = 300
    tokens = sso_login(api_client)
    cache.clear()  # the "checked lately" mark is gone, as after a Redis restart
    external_api.reset_stats()

    assert refresh(api_client, tokens["refresh"]).status_code == 200
    assert external_api.count(LOOKUP) == 1

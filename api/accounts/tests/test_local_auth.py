"""Local sign-in end to end through the HTTP API: login, refresh, verify, logout, me."""

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from api.accounts.models import AuthSource, UserSession
from api.accounts.roles import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/local/"
REFRESH = "/api/auth/token/refresh/"
VERIFY = "/api/auth/token/verify/"
LOGOUT = "/api/auth/logout/"
ME = "/api/auth/me/"


def login(api_client, user, password=PASSWORD, **headers):
    return api_client.post(
        LOGIN, {"username": user.username, "password": password}, format="json", **headers
    )


def bearer(api_client, access):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api_client


def test_login_returns_token_pair_profile_and_opens_a_session(api_client):
    user = make_user(Role.PTB_ADMIN)

    response = login(api_client, user, HTTP_USER_AGENT="pytest-browser/1.0")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["access"]
    assert body["refresh"]
    assert body["token_type"] == "Bearer"
    assert body["user"]["username"] == user.username
    assert body["user"]["role"] == Role.PTB_ADMIN
    assert "approve" in body["user"]["permissions"]["overtime_requests"]
    session = UserSession.objects.get(session_id=body["session_id"])
    assert session.user == user
    assert session.auth_source == AuthSource.LOCAL
    assert session.ip_address == "127.0.0.1"
    assert session.user_agent == "pytest-browser/1.0"
    assert session.logout_at is None


def test_wrong_password_is_401_in_the_error_shape(api_client):
    user = make_user()

    response = login(api_client, user, password="not-the-password")

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "invalid_credentials"
    assert error["status"] == 401
    assert "request_id" in error
    assert not UserSession.objects.exists()


def test_missing_password_is_400_naming_the_field(api_client):
    response = api_client.post(LOGIN, {"username": "someone"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": ["This field is required."]}


def test_me_shows_profile_role_department_and_effective_permissions(api_client):
    user = make_user(Role.STAFF)
    tokens = login(api_client, user).json()

    response = bearer(api_client, tokens["access"]).get(ME)

    assert response.status_code == 200
    me = response.json()
    assert me["role"] == Role.STAFF
    assert me["auth_source"] == AuthSource.LOCAL
    assert me["employee"]["department"]["code"] == user.employee.department.code
    assert me["permissions"]["overtime_requests"] == ["view", "create", "change", "delete"]
    assert "approve" not in me["permissions"]["overtime_requests"]


def test_me_without_token_is_401(api_client):
    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_refresh_rotates_and_the_old_refresh_token_is_refused(api_client):
    user = make_user()
    first = login(api_client, user).json()

    rotated = api_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200, rotated.content
    second = rotated.json()
    assert second["refresh"] != first["refresh"]
    assert bearer(api_client, second["access"]).get(ME).status_code == 200

    # The session follows the rotation: its current token is the new one.
    session = UserSession.objects.get(session_id=first["session_id"])
    assert session.token_jti == RefreshToken(second["refresh"])["jti"]
    assert session.logout_at is None


def test_verify_accepts_a_live_access_token_and_refuses_garbage(api_client):
    user = make_user()
    tokens = login(api_client, user).json()

    ok = api_client.post(VERIFY, {"token": tokens["access"]}, format="json")
    bad = api_client.post(VERIFY, {"token": tokens["access"][:-4] + "AAAA"}, format="json")

    assert ok.status_code == 200
    assert ok.json()["valid"] is True
    assert ok.json()["auth_source"] == "local"
    assert bad.status_code == 401


def test_logout_blacklists_refresh_closes_session_and_ends_access_tokens(api_client):
    user = make_user()
    tokens = login(api_client, user).json()

    out = api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")

    assert out.status_code == 200
    session = UserSession.objects.get(session_id=tokens["session_id"])
    assert session.logout_at is not None
    again = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401
    me = bearer(api_client, tokens["access"]).get(ME)
    assert me.status_code == 401
    assert me.json()["error"]["code"] == "session_ended"


def test_logout_without_a_token_is_400_naming_refresh(api_client):
    response = api_client.post(LOGOUT, {}, format="json")

    assert response.status_code == 400
    assert "refresh" in response.json()["error"]["fields"]


def test_disabled_user_cannot_log_in_nor_use_or_refresh_old_tokens(api_client):
    user = make_user()
    tokens = login(api_client, user).json()
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert login(api_client, user).status_code == 401
    assert bearer(api_client, tokens["access"]).get(ME).status_code == 401
    api_client.credentials()
    assert (
        api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json").status_code == 401
    )


def test_password_change_ends_existing_tokens(api_client):
    user = make_user()
    tokens = login(api_client, user).json()

    user.set_password("A-new-password-77")
    user.save()

    assert bearer(api_client, tokens["access"]).get(ME).status_code == 401


def test_session_activity_is_recorded_without_a_write_per_request(
    api_client, django_assert_max_num_queries
):
    user = make_user()
    tokens = login(api_client, user).json()
    bearer(api_client, tokens["access"]).get(ME)  # first use records the activity
    session = UserSession.objects.get(session_id=tokens["session_id"])
    first_seen = session.last_activity_at

    # At most the profile's own reads; no UPDATE (the user and overrides are cached).
    with django_assert_max_num_queries(4):
        api_client.get(ME)

    session.refresh_from_db()
    assert session.last_activity_at == first_seen

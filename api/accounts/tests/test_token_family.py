"""A stolen refresh token dies with its family; logout and verify check what
authentication checks."""

import threading

import pytest
from django.db import close_old_connections, connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from api.accounts.models import UserSession
from api.audit.models import UserActivityLog
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/local/"
REFRESH = "/api/auth/token/refresh/"
VERIFY = "/api/auth/token/verify/"
LOGOUT = "/api/auth/logout/"
ME = "/api/auth/me/"


def sign_in(client, user) -> dict:
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def refresh(client, token):
    return client.post(REFRESH, {"refresh": token})


def me(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(ME)


def test_reusing_a_rotated_refresh_token_ends_the_whole_family(api_client):
    user = make_user()
    first = sign_in(api_client, user)
    second = refresh(api_client, first["refresh"]).json()
    assert me(second["access"]).status_code == 200

    reuse = refresh(api_client, first["refresh"])

    assert reuse.status_code == 401
    assert reuse.json()["error"]["code"] == "token_reused"
    assert me(second["access"]).json()["error"]["code"] == "session_ended"
    assert me(first["access"]).status_code == 401
    assert refresh(api_client, second["refresh"]).status_code == 401
    session = UserSession.objects.get(session_id=first["session_id"])
    assert session.logout_at is not None
    # The current refresh token is blacklisted too: the database alone refuses it.
    assert BlacklistedToken.objects.filter(
        token__jti=RefreshToken(second["refresh"], verify=False)["jti"]
    ).exists()
    audit = UserActivityLog.objects.get(action="token_family_revoked")
    assert audit.user == user
    assert audit.changes == {"reason": "refresh_token_reused", "session_id": first["session_id"]}
    assert audit.ip_address == "127.0.0.1"


def test_other_sessions_of_the_same_user_survive_a_reuse(api_client):
    user = make_user()
    stolen = sign_in(api_client, user)
    other = sign_in(api_client, user)
    refresh(api_client, stolen["refresh"])

    assert refresh(api_client, stolen["refresh"]).status_code == 401

    assert me(other["access"]).status_code == 200
    assert refresh(api_client, other["refresh"]).status_code == 200


def test_a_rotation_chain_keeps_working_without_reuse(api_client):
    user = make_user()
    tokens = sign_in(api_client, user)
    current = tokens["refresh"]
    for _ in range(4):
        response = refresh(api_client, current)
        assert response.status_code == 200, response.content
        current = response.json()["refresh"]
    assert me(response.json()["access"]).status_code == 200
    assert not UserActivityLog.objects.filter(action="token_family_revoked").exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_of_one_token_cannot_both_win():
    """The row lock makes the second refresh see the first one's rotation."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers on separate connections")
    user = make_user()
    tokens = sign_in(APIClient(), user)
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            answers.append(refresh(APIClient(), tokens["refresh"]).status_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive()

    assert sorted(answers) == [200, 401]
    assert UserSession.objects.get(session_id=tokens["session_id"]).logout_at is not None


def test_deleted_users_refresh_token_is_401(api_client):
    user = make_user()
    tokens = sign_in(api_client, user)
    user.delete()

    response = refresh(api_client, tokens["refresh"])

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "user_not_found"


def test_refresh_after_a_password_change_is_401(api_client):
    user = make_user()
    tokens = sign_in(api_client, user)
    user.set_password("Another-password-91")
    user.save()

    response = refresh(api_client, tokens["refresh"])

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "password_changed"


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_verify_refuses_what_authentication_refuses(api_client, kind):
    def verdict(token) -> tuple[int, str | None]:
        response = api_client.post(VERIFY, {"token": token})
        return response.status_code, response.json().get("error", {}).get("code")

    deleted, inactive, renamed, ended, rotated = users = [make_user() for _ in range(5)]
    tokens = {u.username: sign_in(api_client, u)[kind] for u in users}
    assert verdict(tokens[deleted.username]) == (200, None)

    deleted.delete()
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    renamed.set_password("Changed-password-55")
    renamed.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[ended.username]}")
    assert (
        api_client.post(
            LOGOUT, {kind: tokens[ended.username]} if kind == "refresh" else {}
        ).status_code
        == 200
    )
    api_client.credentials()

    assert verdict(tokens[deleted.username]) == (401, "user_not_found")
    assert verdict(tokens[inactive.username]) == (401, "user_inactive")
    assert verdict(tokens[renamed.username]) == (401, "password_changed")
    assert verdict(tokens[ended.username]) == (401, "session_ended")
    if kind == "refresh":
        assert refresh(api_client, tokens[rotated.username]).status_code == 200
        assert verdict(tokens[rotated.username]) == (401, "token_not_valid")


def test_logout_with_the_access_token_alone_ends_the_session(api_client):
    user = make_user()
    tokens = sign_in(api_client, user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    response = api_client.post(LOGOUT, {})

    assert response.status_code == 200
    assert UserSession.objects.get(session_id=tokens["session_id"]).logout_at is not None
    assert me(tokens["access"]).status_code == 401
    api_client.credentials()
    assert refresh(api_client, tokens["refresh"]).status_code == 401


def test_logout_after_a_reuse_was_detected_still_answers_200(api_client):
    user = make_user()
    first = sign_in(api_client, user)
    second = refresh(api_client, first["refresh"]).json()
    assert refresh(api_client, first["refresh"]).status_code == 401

    assert api_client.post(LOGOUT, {"refresh": second["refresh"]}).status_code == 200
    assert api_client.post(LOGOUT, {"refresh": first["refresh"]}).status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {second['access']}")
    assert api_client.post(LOGOUT, {}).status_code == 200


def test_logout_with_a_forged_token_is_401(api_client):
    user = make_user()
    tokens = sign_in(api_client, user)

    response = api_client.post(LOGOUT, {"refresh": tokens["refresh"][:-4] + "AAAA"})

    assert response.status_code == 401
    assert UserSession.objects.get(session_id=tokens["session_id"]).logout_at is None

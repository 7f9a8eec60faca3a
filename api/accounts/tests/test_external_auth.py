"""Sign-in through the company SSO, against the bundled reference server (a real HTTP
server on 127.0.0.1, not a mock)."""

import time

import jwt
import pytest
from django.core.cache import cache

from api.accounts.auth.external import _token_key
from api.accounts.models import AuthSource, ExternalUser, UserSession
from api.accounts.roles import Role
from api.org.models import Employee
from conftest import free_port
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/external/"
ME = "/api/auth/me/"
VERIFY_KEY = "POST /auth/verify"


def sso_login(api_client, username="demo.employee", password="demo-password"):
    return api_client.post(LOGIN, {"username": username, "password": password}, format="json")


def test_external_login_creates_user_identity_and_employee(api_client, external_api):
    response = sso_login(api_client)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["auth_source"] == AuthSource.EXTERNAL
    assert body["user"]["username"] == "demo.employee"
    assert body["user"]["role"] == Role.STAFF
    identity = ExternalUser.objects.select_related("user", "employee__department").get(
        username="demo.employee"
    )
    assert not identity.user.has_usable_password()
    assert identity.employee.department.code == "ENG"
    assert identity.employee.user == identity.user
    assert body["user"]["employee"]["department"]["code"] == "ENG"
    session = UserSession.objects.get(session_id=body["session_id"])
    assert session.auth_source == AuthSource.EXTERNAL
    # Our own pair, in the same token family as a local sign-in.
    assert (
        session.token_jti == jwt.decode(body["refresh"], options={"verify_signature": False})["jti"]
    )


def test_second_external_login_updates_instead_of_duplicating(api_client, external_api):
    assert sso_login(api_client).status_code == 200
    assert sso_login(api_client).status_code == 200

    assert ExternalUser.objects.filter(username="demo.employee").count() == 1
    assert Employee.objects.filter(user__username="demo.employee").count() == 1


def test_external_login_with_wrong_password_is_401(api_client, external_api):
    response = sso_login(api_client, password="wrong")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert not ExternalUser.objects.exists()


def test_external_login_when_service_is_down_is_503_with_a_clear_message(api_client, settings):
    settings.EXTERNAL_API_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    response = sso_login(api_client)

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert "sign-in service is unreachable" in error["message"]


def test_external_login_refuses_to_take_over_a_local_username(api_client, external_api):
    make_user(username="demo.employee")

    response = sso_login(api_client)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "username_taken"


def test_external_token_is_verified_once_then_served_from_cache(api_client, external_api):
    token = external_api.login("demo.admin")["access_token"]
    external_api.reset_stats()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    responses = [api_client.get(ME) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].json()["auth_source"] == AuthSource.EXTERNAL
    assert external_api.count(VERIFY_KEY) == 1


def test_cached_verdict_never_outlives_the_token(api_client, external_api_factory, settings):
    settings.EXTERNAL_TOKEN_CACHE_SECONDS = 300
    api = external_api_factory(token_ttl=20)
    token = api.login("demo.admin")["access_token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert api_client.get(ME).status_code == 200

    ttl = cache.ttl(_token_key(token)) if hasattr(cache, "ttl") else None
    if ttl is None:  # local-memory cache (embedded default) has no TTL query
        ttl = cache._expire_info[cache.make_and_validate_key(_token_key(token))] - time.time()
    assert 0 < ttl <= 20


def test_login_through_our_api_needs_no_verify_round_trip_afterwards(api_client, external_api):
    token = sso_login(api_client).json()["access"]
    external_api.reset_stats()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert api_client.get(ME).status_code == 200
    assert external_api.count(VERIFY_KEY) == 0


def test_token_with_another_algorithm_is_refused_without_asking_the_service(
    api_client, external_api, settings
):
    forged = jwt.encode(
        {
            "iss": settings.EXTERNAL_JWT_ISSUER,
            "aud": settings.EXTERNAL_JWT_AUDIENCE,
            "sub": "emp-00001",
            "exp": int(time.time()) + 600,
        },
        "x" * 64,
        algorithm="HS512",
    )
    external_api.reset_stats()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")

    response = api_client.get(ME)

    assert response.status_code == 401
    assert external_api.count(VERIFY_KEY) == 0


def test_forged_signature_is_refused_by_the_service(api_client, external_api, settings):
    forged = jwt.encode(
        {
            "iss": settings.EXTERNAL_JWT_ISSUER,
            "aud": settings.EXTERNAL_JWT_AUDIENCE,
            "sub": "emp-00001",
            "jti": "forged",
            "exp": int(time.time()) + 600,
        },
        "not-the-sso-secret-but-long-enough-for-hs256",
        algorithm="HS256",
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")

    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_expired_external_token_is_refused_locally(api_client, external_api, settings):
    expired = jwt.encode(
        {
            "iss": settings.EXTERNAL_JWT_ISSUER,
            "aud": settings.EXTERNAL_JWT_AUDIENCE,
            "sub": "emp-00001",
            "exp": int(time.time()) - 60,
        },
        "whatever-secret-long-enough-for-hs256-keys",
        algorithm="HS256",
    )
    external_api.reset_stats()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {expired}")

    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"
    assert external_api.count(VERIFY_KEY) == 0


def test_external_logout_refuses_the_token_afterwards(api_client, external_api):
    token = sso_login(api_client).json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert api_client.post("/api/auth/logout/", {}, format="json").status_code == 200

    assert api_client.get(ME).status_code == 401
    assert UserSession.objects.get(auth_source=AuthSource.EXTERNAL).logout_at is not None


def test_unreachable_service_on_uncached_token_is_503_not_500(api_client, external_api, settings):
    token = external_api.login("demo.admin")["access_token"]
    settings.EXTERNAL_API_URL = f"http://127.0.0.1:{free_port()}"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api_client.get(ME)

    assert response.status_code == 503

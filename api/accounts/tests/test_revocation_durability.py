"""A logout, a deactivation, a password change and a revoked token family hold when
the cache forgets: the database decides, the cache only makes the check fast."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/local/"
REFRESH = "/api/auth/token/refresh/"
LOGOUT = "/api/auth/logout/"
ME = "/api/auth/me/"
EMBEDDED_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "revocation-test",
        "OPTIONS": {"MAX_ENTRIES": 300},  # the embedded default's bound
    }
}


def sign_in(user) -> dict:
    response = APIClient().post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()


def me(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get(ME)


def forget_everything() -> None:
    """What eviction, a flush or a Redis restart do to every marker."""
    for n in range(400):  # more than the local-memory cache keeps
        cache.set(f"filler:{n}", "x" * 100)
    cache.clear()


def revocations():
    def logout(user, tokens):
        assert APIClient().post(LOGOUT, {"refresh": tokens["refresh"]}).status_code == 200

    def deactivate(user, tokens):
        user.is_active = False
        user.save(update_fields=["is_active"])

    def new_password(user, tokens):
        user.set_password("A-brand-new-one-71")
        user.save()

    def family(user, tokens):
        rotated = APIClient().post(REFRESH, {"refresh": tokens["refresh"]}).json()
        assert APIClient().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
        tokens["access"] = rotated["access"]

    return {"logout": logout, "deactivate": deactivate, "password": new_password, "family": family}


def revocation_outlives_the_cache(revocation: str) -> None:
    user = make_user()
    tokens = sign_in(user)
    assert me(tokens["access"]).status_code == 200  # cached as valid
    revocations()[revocation](user, tokens)
    assert me(tokens["access"]).status_code == 401

    forget_everything()

    assert me(tokens["access"]).status_code == 401
    assert APIClient().post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401


@pytest.mark.parametrize("revocation", sorted(revocations()))
def test_a_revocation_outlives_the_redis_cache(revocation, settings, redis_available):
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    revocation_outlives_the_cache(revocation)


@pytest.mark.parametrize("revocation", sorted(revocations()))
def test_a_revocation_outlives_the_embedded_local_memory_cache(revocation):
    with override_settings(CACHES=EMBEDDED_CACHE):
        revocation_outlives_the_cache(revocation)


def test_an_open_session_still_works_after_the_cache_forgot_it():
    user = make_user()
    tokens = sign_in(user)
    forget_everything()

    assert me(tokens["access"]).status_code == 200

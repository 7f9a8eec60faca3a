"""The caller's identity from one cache round trip (api/accounts/auth/identity.py):
never staler than the last write to the user, never holding a password hash."""

from __future__ import annotations

import pickle

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.tokens import AccessToken

from api.accounts.auth.identity import _user_key, token_user
from api.accounts.models import User
from api.accounts.roles import Role
from api.common.generations import rows_changed
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"


@pytest.fixture
def signed_in(client_for):
    user = make_user(Role.STAFF)
    client = client_for(user)
    assert client.get(ME).status_code == 200  # caches the user
    return user, client


def user_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(ME).status_code == 200
    return sum('FROM "api_user"' in query["sql"] for query in captured.captured_queries)


def test_the_user_row_is_read_once_then_cached(signed_in):
    _, client = signed_in
    assert user_queries(client) == 0


def test_a_deactivation_counts_from_the_next_request(signed_in):
    user, client = signed_in
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "user_inactive"


def test_a_bulk_deactivation_counts_too(signed_in):
    user, client = signed_in
    User.objects.filter(pk=user.pk).update(is_active=False)
    rows_changed(User)  # as the HR sync does after its bulk update
    assert client.get(ME).status_code == 401


def test_a_new_password_ends_tokens_issued_before_it(signed_in):
    user, client = signed_in
    user.set_password("A-new-password-77")
    user.save()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "password_changed"


def test_a_role_change_shows_at_once(signed_in):
    user, client = signed_in
    user.role = Role.PTB_ADMIN
    user.save()
    assert client.get(ME).json()["role"] == Role.PTB_ADMIN


def test_the_cache_never_holds_the_password_hash(signed_in):
    user, _ = signed_in
    user.refresh_from_db()
    entry = cache.get(_user_key(user.pk))
    assert entry is not None
    _, cached_user, _ = entry
    assert "password" not in cached_user.__dict__
    assert user.password.encode() not in pickle.dumps(entry)


def test_saving_a_cached_user_keeps_the_password(signed_in):
    user, client = signed_in
    token = client.tokens["access"]
    cached = token_user(AccessToken(token))
    assert "password" in cached.get_deferred_fields()
    cached.first_name = "Renamed"
    cached.save()

    user.refresh_from_db()
    assert user.first_name == "Renamed"
    assert user.check_password(PASSWORD)

"""A local access token is validated once per process and kept: its expiry is still
checked on every request, and any other text is validated on its own."""

from datetime import timedelta

import pytest
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.utils import aware_utcnow

from api.accounts.auth import authentication
from api.accounts.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"


@pytest.fixture
def signed_in(client_for):
    authentication._local_token.cache_clear()
    return client_for(make_user(Role.STAFF))


def test_a_token_is_validated_once(signed_in, monkeypatch):
    validations = []
    real = JWTAuthentication.get_validated_token
    monkeypatch.setattr(
        JWTAuthentication,
        "get_validated_token",
        lambda self, raw: validations.append(raw) or real(self, raw),
    )

    assert signed_in.get(ME).status_code == 200
    assert signed_in.get(ME).status_code == 200
    assert len(validations) == 1


def test_a_kept_token_that_expired_is_refused(signed_in, monkeypatch):
    assert signed_in.get(ME).status_code == 200
    later = aware_utcnow() + timedelta(days=1)
    monkeypatch.setattr(authentication, "aware_utcnow", lambda: later)
    monkeypatch.setattr("rest_framework_simplejwt.tokens.aware_utcnow", lambda: later)

    response = signed_in.get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_another_text_is_validated_on_its_own(signed_in):
    assert signed_in.get(ME).status_code == 200
    access = signed_in.tokens["access"]
    signed_in.credentials(HTTP_AUTHORIZATION=f"Bearer {access[:-2]}xx")

    assert signed_in.get(ME).status_code == 401

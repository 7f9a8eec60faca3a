"""Security properties seen from outside: a live Daphne on PostgreSQL and Redis,
spoken to over HTTP and WebSocket like a client (or an attacker) would."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.realtime.consumers import CloseCode
from tests.factories import PASSWORD
from tests.factories import make_user as _make_user

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_available"),
]

LOGIN = "/api/auth/login/local/"
REFRESH = "/api/auth/token/refresh/"
ME = "/api/auth/me/"
FRONT_END = "http://localhost:3333"  # CORS_ALLOWED_ORIGINS' default


def make_user(*args, **kwargs):
    """A user the server process can sign in: the suite's own process hashes with a
    fast hasher the server does not accept, so use the server's default one."""
    user = _make_user(*args, **kwargs)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    return user


def test_parallel_guesses_are_each_counted_before_the_password_is_checked(daphne_factory):
    server = daphne_factory()
    user = make_user()

    async def guesses() -> list[int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            answers = await asyncio.gather(
                *(
                    client.post(LOGIN, json={"username": user.username, "password": f"guess-{n}"})
                    for n in range(30)
                )
            )
        return [answer.status_code for answer in answers]

    codes = asyncio.run(guesses())

    assert sorted(codes) == [401] * 5 + [429] * 25
    assert UserActivityLog.objects.filter(action="login_failed", user=user).count() == 5
    right = httpx.post(
        f"{server.url}{LOGIN}", json={"username": user.username, "password": PASSWORD}
    )
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) > 0
    assert right.json()["error"]["code"] == "login_locked"


def test_reusing_a_refresh_token_closes_the_sessions_live_socket(daphne_factory):
    server = daphne_factory()
    user = make_user(Role.STAFF)
    first = httpx.post(
        f"{server.url}{LOGIN}", json={"username": user.username, "password": PASSWORD}
    )
    assert first.status_code == 200, server.log()
    r1 = first.json()["refresh"]
    second = httpx.post(f"{server.url}{REFRESH}", json={"refresh": r1}).json()
    a2, r2 = second["access"], second["refresh"]

    async def scenario() -> int:
        async with connect(f"{server.ws_url}/ws/notifications/", origin=server.url) as ws:
            await ws.send(json.dumps({"type": "auth", "token": a2}))
            while json.loads(await asyncio.wait_for(ws.recv(), 15))["type"] != "subscribed":
                pass
            async with httpx.AsyncClient(base_url=server.url) as client:
                reuse = await client.post(REFRESH, json={"refresh": r1})
            assert reuse.status_code == 401
            assert reuse.json()["error"]["code"] == "token_reused"
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 15)
            except ConnectionClosed as closed:
                return closed.rcvd.code

    assert asyncio.run(scenario()) == CloseCode.SESSION_ENDED == 4000
    me = httpx.get(f"{server.url}{ME}", headers={"Authorization": f"Bearer {a2}"})
    assert me.status_code == 401
    assert me.json()["error"]["code"] == "session_ended"
    assert httpx.post(f"{server.url}{REFRESH}", json={"refresh": r2}).status_code == 401
    assert UserActivityLog.objects.filter(action="token_family_revoked", user=user).exists()


def test_a_browser_front_end_may_send_and_read_the_documented_headers(daphne_factory):
    server = daphne_factory()
    user = make_user()
    preflight = httpx.options(
        f"{server.url}/api/v1/overtime-requests/",
        headers={
            "Origin": FRONT_END,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, if-none-match, x-request-id",
        },
    )
    assert preflight.status_code == 200
    allowed = {h.strip() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "if-none-match", "x-request-id"} <= allowed

    login = httpx.post(
        f"{server.url}{LOGIN}",
        json={"username": user.username, "password": PASSWORD},
        headers={"Origin": FRONT_END},
    )
    exposed = {h.strip().lower() for h in login.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "location", "retry-after", "x-request-id"} <= exposed
    assert login.headers["access-control-allow-origin"] == FRONT_END
    foreign = httpx.post(
        f"{server.url}{LOGIN}",
        json={"username": user.username, "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert "access-control-allow-origin" not in foreign.headers

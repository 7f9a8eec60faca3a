"""Password guessing is bounded on both sign-in endpoints, whatever THROTTLING_ENABLED
says: per account, per client address, before the SSO is asked, and audited."""

import pytest
from django.core.cache import cache

from api.accounts.auth.login_guard import LoginGuard
from api.accounts.models import UserSession
from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.common.client import ClientInfo
from conftest import free_port
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOCAL = "/api/auth/login/local/"
EXTERNAL = "/api/auth/login/external/"
SSO_LOGIN_KEY = "POST /auth/login"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.THROTTLING_ENABLED = False  # the guard holds with the switch off
    settings.LOGIN_FAILURES_PER_ACCOUNT = 5
    settings.LOGIN_FAILURES_PER_ADDRESS = 12
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900


def attempt(client, username, password="wrong-password", url=LOCAL, **headers):
    return client.post(url, {"username": username, "password": password}, **headers)


def answers(client, username, count, **kwargs) -> list[int]:
    return [attempt(client, username, **kwargs).status_code for _ in range(count)]


def test_the_sixth_failure_is_429_and_then_even_the_right_password(api_client):
    user = make_user()

    assert answers(api_client, user.username, 5) == [401] * 5
    locked = attempt(api_client, user.username)
    right = attempt(api_client, user.username, PASSWORD)

    for response in (locked, right):
        assert response.status_code == 429
        error = response.json()["error"]
        assert error["code"] == "login_locked"
        assert error["status"] == 429
        assert "request_id" in error
        assert 0 < int(response["Retry-After"]) <= 900
        assert error["retry_after_seconds"] == int(response["Retry-After"])
    assert not UserSession.objects.exists()


def test_unknown_and_known_usernames_get_the_same_answers(api_client):
    user = make_user()
    known = [
        (r.status_code, r.json()["error"]["code"])
        for r in (attempt(api_client, user.username) for _ in range(6))
    ]
    unknown = [
        (r.status_code, r.json()["error"]["code"])
        for r in (attempt(api_client, "nobody-by-this-name") for _ in range(6))
    ]

    assert known == unknown == [(401, "invalid_credentials")] * 5 + [(429, "login_locked")]


def test_a_success_clears_the_accounts_count(api_client):
    user = make_user()
    assert answers(api_client, user.username, 4) == [401] * 4

    assert attempt(api_client, user.username, PASSWORD).status_code == 200

    assert answers(api_client, user.username, 5) == [401] * 5
    assert attempt(api_client, user.username).status_code == 429


def test_the_window_ends_and_the_account_may_try_again(api_client):
    user = make_user()
    answers(api_client, user.username, 6)
    guard = LoginGuard(source="local", username=user.username, client=ClientInfo("127.0.0.1", ""))

    # What the end of the window does: its counter expires with it.
    cache.delete_many([guard.account.key, guard.account.until_key])

    assert attempt(api_client, user.username, PASSWORD).status_code == 200


def test_one_address_trying_many_usernames_is_stopped_by_the_address_bound(api_client):
    names = [f"guess-{n}" for n in range(14)]

    codes = [attempt(api_client, name).status_code for name in names]

    assert codes == [401] * 12 + [429] * 2
    # Another address is unaffected.
    assert attempt(api_client, "guess-99", REMOTE_ADDR="10.1.2.3").status_code == 401


def test_rotating_x_forwarded_for_does_not_escape_without_trusted_proxies(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    codes = [
        attempt(api_client, f"rotating-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(13)
    ]

    assert codes[-1] == 429


def test_behind_one_proxy_the_address_is_the_one_the_proxy_saw(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client writes the first entries; the proxy appends the address it saw.
    codes = [
        attempt(
            api_client,
            f"spoofed-{n}",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",
        ).status_code
        for n in range(13)
    ]
    other = attempt(api_client, "someone", HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert codes[-1] == 429
    assert other.status_code == 401


def test_failures_and_the_lockout_are_audited_without_the_password(api_client):
    user = make_user()
    answers(api_client, user.username, 7, password="hunter2-secret")
    attempt(api_client, "ghost-user", password="hunter2-secret")

    failed = UserActivityLog.objects.filter(action="login_failed")
    locked = UserActivityLog.objects.filter(action="login_locked")
    assert failed.filter(user=user).count() == 5
    assert locked.count() == 1  # the first refusal only, not every echo
    row = locked.get()
    assert row.user == user
    assert row.ip_address == "127.0.0.1"
    assert row.changes["locked_by"] == ["account"]
    ghost = failed.get(user=None)
    assert ghost.changes["username"] == "ghost-user"
    assert ghost.created_at is not None
    for entry in UserActivityLog.objects.all():
        assert "hunter2-secret" not in str(entry.changes)


def test_a_superadmin_sees_the_failed_sign_ins(api_client):
    victim = make_user()
    answers(api_client, victim.username, 2)
    admin = make_user(Role.SUPERADMIN)
    api_client.force_authenticate(admin)

    response = api_client.get("/api/v1/activity-logs/", {"action": "login_failed"})

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert len(rows) == 2
    assert all(row["action"] == "login_failed" for row in rows)
    assert {row["ip_address"] for row in rows} == {"127.0.0.1"}
    assert all(row["changes"]["username"] == victim.username for row in rows)
    assert all(row["created_at"] for row in rows)

    # A department admin does not see sign-in failures (they belong to no department).
    api_client.force_authenticate(make_user(Role.PTB_ADMIN))
    hidden = api_client.get("/api/v1/activity-logs/", {"action": "login_failed"})
    assert hidden.status_code == 200
    assert hidden.json()["results"] == []


def test_sso_guesses_are_refused_before_the_sso_is_asked(api_client, external_api):
    external_api.reset_stats()

    codes = answers(api_client, "demo.employee", 8, url=EXTERNAL)

    assert codes == [401] * 5 + [429] * 3
    assert external_api.count(SSO_LOGIN_KEY) == 5  # the locked three never left
    right = attempt(api_client, "demo.employee", "demo-password", url=EXTERNAL)
    assert right.status_code == 429
    assert external_api.count(SSO_LOGIN_KEY) == 5


def test_an_unreachable_sso_does_not_count_as_a_failure(api_client, settings):
    settings.EXTERNAL_API_URL = f"http://127.0.0.1:{free_port()}"

    codes = answers(api_client, "demo.employee", 7, url=EXTERNAL)

    assert codes == [503] * 7

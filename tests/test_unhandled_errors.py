"""A real unhandled exception inside a view travels the whole stack — Daphne, the
middleware, DRF, the error handlers — and reaches the client as the JSON error shape
with a request id, never a traceback, in production mode and in the embedded
default's DEBUG mode alike."""

import httpx
import pytest

from api.accounts.roles import Role
from api.realtime.tests.conftest import token_for
from tests.factories import make_user

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_available"),
]


@pytest.mark.parametrize("debug", ["False", "True"])
def test_a_bug_in_a_view_is_a_json_500_with_a_request_id(daphne_factory, settings, debug):
    server = daphne_factory(
        DJANGO_SETTINGS_MODULE="tests.faults.settings",
        DEBUG=debug,
        SECURE_SSL_REDIRECT="False",
        # The keys the suite signs its tokens with.
        SECRET_KEY=settings.SECRET_KEY,
        JWT_SIGNING_KEY=settings.SIMPLE_JWT["SIGNING_KEY"],
    )
    token = token_for(make_user(Role.STAFF))

    response = httpx.get(
        f"{server.url}/api/v1/_fault/",
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "fault-probe-1"},
    )

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == 500
    assert error["code"] == "server_error"
    assert error["request_id"] == response.headers["x-request-id"]
    assert "secret-internal-detail" not in response.text
    assert "Traceback" not in response.text
    # The server logged it, with the same request id, for whoever investigates.
    log = server.log()
    assert "secret-internal-detail" in log
    assert error["request_id"] in log

"""A front-end on another origin, in a real browser: a page served by a small static
server of its own (front.test:<port>) signs in over REST (CORS), takes a socket
ticket, opens ws/notifications/ and shows a notification that an approval, made over
REST by another user, sends to it. The same page from an origin the server does not
list gets neither the API nor a socket."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from api.accounts.auth.tokens import issue_local_tokens
from api.accounts.roles import Role
from api.common.client import ClientInfo
from tests.browser.conftest import live_password
from tests.factories import PASSWORD, make_department, make_regulation, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]

DAY = date(2026, 11, 17)

# The page a front-end developer would write (docs/client-guide.md): fetch + WebSocket.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Overtime front-end</title></head>
<body data-state="starting">
<p id="state">starting</p>
<ul id="notifications"></ul>
<script>
const CONFIG = %(config)s;
function show(state) {
  document.body.dataset.state = state;
  document.getElementById("state").textContent = state;
}
async function main() {
  const login = await fetch(`${CONFIG.api}/api/auth/login/local/`, {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({username: CONFIG.username, password: CONFIG.password}),
  });
  if (!login.ok) return show(`login ${login.status}`);
  const {access} = await login.json();
  const answer = await fetch(`${CONFIG.api}/api/v1/realtime/tickets/`, {
    method: "POST",
    headers: {Authorization: `Bearer ${access}`},
  });
  const {ticket} = await answer.json();
  const socket = new WebSocket(`${CONFIG.ws}/ws/notifications/`);
  socket.onopen = () => socket.send(JSON.stringify({type: "auth", ticket}));
  socket.onclose = (event) => show(`closed ${event.code}`);
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "subscribed") show("subscribed");
    if (message.type === "notification.created") {
      const {title, message: text} = message.payload.notification;
      const item = document.createElement("li");
      item.textContent = `${title}: ${text}`;
      document.getElementById("notifications").append(item);
    }
  };
}
main().catch((error) => show(`failed: ${error.name}`));
</script>
</body></html>
"""

# Only a socket, no API call: what a foreign page could try without CORS.
SOCKET_ONLY = """<!doctype html><html><body data-state="starting"><script>
const socket = new WebSocket(%(ws)s + "/ws/notifications/");
socket.onopen = () => { document.body.dataset.state = "open"; };
socket.onclose = (event) => { document.body.dataset.state = `closed ${event.code}`; };
</script></body></html>
"""


def at(hour: int) -> str:
    tz = timezone.get_current_timezone()
    return datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=tz).isoformat()


def bearer(user) -> dict[str, str]:
    tokens = issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "browser-test"))
    return {"Authorization": f"Bearer {tokens['access']}"}


def page_for(server, user) -> str:
    config = {"api": server.url, "ws": server.ws_url, "username": user.username}
    config["password"] = PASSWORD
    return PAGE % {"config": json.dumps(config)}


@pytest.fixture
def team(transactional_db):
    department = make_department(code="OPS")
    make_regulation(second_approval_threshold_hours=Decimal("8"))  # one approval is enough
    employee = make_user(Role.STAFF, department=department)
    live_password(employee)
    return employee, make_user(Role.PTB_ADMIN, department=department)


def test_a_page_of_the_front_end_origin_shows_a_notification_sent_by_an_approval(
    daphne_factory, static_site, recorded_page, team
):
    employee, admin = team
    site = static_site()
    # The front-end's host is only in the CORS list: the server's own names stay as they are.
    server = daphne_factory(CORS_ALLOWED_ORIGINS=site.origin)
    page = recorded_page.page

    page.goto(site.write("index.html", page_for(server, employee)))
    expect(page.locator("body")).to_have_attribute("data-state", "subscribed")
    expect(page.locator("#notifications li")).to_have_count(0)

    with httpx.Client(base_url=server.url, timeout=30) as api:
        created = api.post(
            "/api/v1/overtime-requests/",
            json={"start_at": at(18), "end_at": at(20), "reason": "Release", "submit": True},
            headers=bearer(employee),
        )
        assert created.status_code == 201, created.text
        approved = api.post(
            f"/api/v1/overtime-requests/{created.json()['id']}/approve/",
            json={"note": "Thanks for staying"},
            headers=bearer(admin),
        )
        assert approved.status_code == 200, approved.text

    expect(page.locator("#notifications li")).to_have_text(
        [f"Overtime approved: {DAY:%Y-%m-%d}: Thanks for staying"]
    )
    assert page.locator("body").get_attribute("data-state") == "subscribed"  # still open


def test_a_page_of_an_unlisted_origin_gets_neither_the_api_nor_a_socket(
    daphne_factory, static_site, recorded_page, team
):
    employee, _ = team
    listed, foreign = static_site(), static_site()
    server = daphne_factory(CORS_ALLOWED_ORIGINS=listed.origin)
    page = recorded_page.page

    # The browser sends the request but keeps the answer from the page (no CORS header).
    page.goto(foreign.write("index.html", page_for(server, employee)))
    expect(page.locator("body")).to_have_attribute("data-state", "failed: TypeError")
    # A socket needs no CORS, so the server refuses the handshake itself (1006 in a page).
    page.goto(foreign.write("socket.html", SOCKET_ONLY % {"ws": json.dumps(server.ws_url)}))
    expect(page.locator("body")).to_have_attribute("data-state", "closed 1006")
    # The same socket page from the listed origin opens.
    page.goto(listed.write("socket.html", SOCKET_ONLY % {"ws": json.dumps(server.ws_url)}))
    expect(page.locator("body")).to_have_attribute("data-state", "open")

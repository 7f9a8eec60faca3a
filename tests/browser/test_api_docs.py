"""Swagger UI and ReDoc in a real browser, served by a live Daphne: they work offline
(no request leaves for another host) and Swagger UI can call the API with a token."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from api.accounts.auth.tokens import issue_local_tokens
from api.common.client import ClientInfo
from tests.browser.conftest import server_url
from tests.factories import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_available")]


def access_token(user) -> str:
    return issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "browser-test"))["access"]


def test_swagger_ui_authorizes_with_a_bearer_token_and_calls_me(named_server, recorded_page):
    server = named_server()
    user = make_user()
    page = recorded_page.page

    page.goto(f"{server_url(server)}/swagger/")
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    dialog.locator("input").fill(f"Bearer {access_token(user)}")
    dialog.locator("button.authorize").click()
    dialog.locator("button.btn-done").click()

    me = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/auth/me/"])')
    me.locator(".opblock-summary").click()
    me.locator("button.try-out__btn").click()
    me.locator("button.execute").click()

    status = me.locator(".live-responses-table .response .response-col_status")
    expect(status).to_have_text("200")
    expect(me.locator(".live-responses-table .microlight").first).to_contain_text(user.username)
    # The validator badge and everything else: this server only.
    page.wait_for_load_state("networkidle")
    assert recorded_page.hosts() == {f"overtime.test:{server.port}"}, recorded_page.urls


def test_redoc_renders_without_asking_any_other_host(named_server, recorded_page):
    server = named_server()
    page = recorded_page.page

    page.goto(f"{server_url(server)}/redoc/")
    expect(page.locator(".api-info h1")).to_contain_text("PTB Overtime API")
    expect(page.get_by_text("/auth/me/").first).to_be_attached()
    page.wait_for_load_state("networkidle")

    assert recorded_page.hosts() == {f"overtime.test:{server.port}"}, recorded_page.urls

"""A real browser for end-to-end tests: Debian's chromium (/usr/bin/chromium, never a
downloaded one) driven by Playwright's sync API, headless.

Host names: the browser resolves the names below to 127.0.0.1 (Chromium's
--host-resolver-rules), so a test can serve the API as `overtime.test` and a front-end
page as `front.test`. Those are real other origins to the browser, unlike another
port of 127.0.0.1, and not loopback names that pages treat specially (Swagger UI, for
one, skips its online validator for localhost and 127.0.0.1).

Under CI=true a missing chromium fails the run; elsewhere these tests skip."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connections
from playwright.sync_api import Browser, Page, expect, sync_playwright

from conftest import require_service
from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
SERVER_HOST = "overtime.test"
FRONT_END_HOST = "front.test"
# Room for pages on a busy machine: ReDoc alone takes seconds to lay out a big schema.
TIMEOUT_MS = 90_000
expect.set_options(timeout=TIMEOUT_MS)


def live_password(user) -> None:
    """Lets a live server sign `user` in with PASSWORD: this process hashes with a fast
    hasher the servers do not accept, so store the servers' default (PBKDF2) instead."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])


def server_url(server) -> str:
    """The live Daphne as the browser reaches it, by name."""
    return f"http://{SERVER_HOST}:{server.port}"


@pytest.fixture
def named_server(daphne_factory):
    """A Daphne that answers to SERVER_HOST too (its ALLOWED_HOSTS)."""

    def start(**env: str):
        env.setdefault("DJANGO_ALLOWED_HOSTS", f"127.0.0.1 localhost {SERVER_HOST}")
        return daphne_factory(**env)

    return start


@pytest.fixture
def browser(monkeypatch) -> Iterator[Browser]:
    require_service(
        "chromium (Debian's package; .ci/run installs it)",
        None if os.access(CHROMIUM, os.X_OK) else f"{CHROMIUM} is not installed",
    )
    # Playwright's sync API keeps an event loop running in this thread while the browser
    # is open, and Django refuses ORM calls under a running loop. The test's ORM calls
    # are plain synchronous ones, in this thread: what Playwright's docs advise for Django.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    rules = ", ".join(f"MAP {host} 127.0.0.1" for host in (SERVER_HOST, FRONT_END_HOST))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=[f"--host-resolver-rules={rules}"]
        )
        yield launched
        launched.close()
        # Under Playwright's loop the ORM's connections are the loop context's own, out
        # of pytest-django's reach: closed here, or the test database cannot be dropped.
        connections.close_all()


@dataclass
class RecordedPage:
    page: Page
    urls: list[str]

    def hosts(self) -> set[str]:
        """host:port of every request the page made (data: and blob: have none)."""
        return {urlsplit(url).netloc for url in self.urls if urlsplit(url).netloc}


@pytest.fixture
def recorded_page(browser) -> Iterator[RecordedPage]:
    """A fresh page whose every request is kept."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    recorded = RecordedPage(page=page, urls=[])
    page.on("request", lambda request: recorded.urls.append(request.url))
    yield recorded
    context.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


@dataclass
class StaticSite:
    """Files written by the test, served from a directory of their own."""

    origin: str
    root: Path

    def write(self, name: str, text: str) -> str:
        (self.root / name).write_text(text)
        return f"{self.origin}/{name}"


@pytest.fixture
def static_site(tmp_path) -> Iterator:
    """`start()` serves a new site on a free port of 127.0.0.1, reached by the browser
    as FRONT_END_HOST: its origin is known before the pages are written."""
    servers: list[ThreadingHTTPServer] = []

    def start() -> StaticSite:
        root = tmp_path / f"site-{len(servers)}"
        root.mkdir()
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return StaticSite(origin=f"http://{FRONT_END_HOST}:{server.server_address[1]}", root=root)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()

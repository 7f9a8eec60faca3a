"""Tokens a client puts in a URL reach no log: not nginx's access log (the shipped
template), not Daphne's access log, not the app's own log lines.

Real processes: Daphne with `--access-log` to a file and JSON logs to its console and to
`app.log`, behind the shipped nginx configuration rendered as in tests/test_nginx.py.
Requests carry real tokens in their query strings (and in a Referer), over HTTPS, plain
HTTP, straight to Daphne, and in WebSocket handshakes; then every log is read whole.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import ssl
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from websockets.asyncio.client import connect

from api.accounts.auth.tokens import issue_local_tokens
from api.common.client import ClientInfo
from conftest import free_port, require_service, wait_for_port
from tests.factories import PASSWORD, make_user
from tests.live import DaphneProcess, server_environment
from tests.test_nginx import TEMPLATE, render, self_signed_certificate

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_available"),
]


def start_daphne_with_access_log(port: int, root: Path, **env: str) -> DaphneProcess:
    """The web process as the Dockerfile runs it (backend.serve, Daphne's arguments) plus
    --access-log to a file."""
    env.setdefault("TRUSTED_PROXY_COUNT", "1")
    server = DaphneProcess(
        port=port,
        process=None,
        log_path=root / "daphne-console.log",
        command=[
            sys.executable, "-m", "backend.serve", "-b", "127.0.0.1", "-p", str(port),
            "--access-log", str(root / "daphne-access.log"),
            "backend.asgi:application",
        ],
        env=server_environment(**env),
    )  # fmt: skip
    server._launch()  # answering on /api/health/live/ before this returns
    return server


class Stack:
    """nginx in front of Daphne; `stop()` ends both so every log line is written."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.daphne: DaphneProcess | None = None
        self.nginx: subprocess.Popen | None = None
        self.http_port = self.https_port = 0
        self.cert: Path | None = None

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def logs(self) -> dict[str, str]:
        names = {
            "nginx access log": "nginx-access.log",
            "nginx error log": "nginx/error.log",
            "Daphne access log": "daphne-access.log",
            "app console log": "daphne-console.log",
            "app.log": "app-logs/app.log",
        }
        return {
            what: (self.root / name).read_text(errors="replace")
            if (self.root / name).exists()
            else ""
            for what, name in names.items()
        }

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=10)
        if self.daphne is not None:
            self.daphne.stop()


@pytest.fixture
def stack(transactional_db, tmp_path):
    from django.conf import settings

    require_service(
        "PostgreSQL for live servers",
        None if settings.USING_POSTGRES else "DATABASE_URL is not PostgreSQL",
    )
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    require_service(
        "nginx (Debian's nginx package; .ci/run installs it)", None if binary else "not installed"
    )
    require_service("openssl", None if shutil.which("openssl") else "not installed")

    result = Stack(tmp_path)
    result.daphne = start_daphne_with_access_log(
        free_port(),
        tmp_path,
        LOG_TO_FILE="true",
        LOG_DIR=str(tmp_path / "app-logs"),
        LOG_JSON_CONSOLE="true",
        LOG_LEVEL="INFO",
        APP_LOG_LEVEL="INFO",
    )
    root = tmp_path / "nginx"
    static = root / "static"
    static.mkdir(parents=True)
    result.cert, key = self_signed_certificate(root)
    result.http_port, result.https_port = free_port(), free_port()
    site = render(
        TEMPLATE.read_text(),
        {
            "APP_UPSTREAM_1": f"127.0.0.1:{result.daphne.port}",
            "APP_UPSTREAM_2": f"127.0.0.1:{result.daphne.port}",
            "SERVER_NAME": "_",
            "HTTP_PORT": str(result.http_port),
            "HTTPS_PORT": str(result.https_port),
            "TLS_CERT": str(result.cert),
            "TLS_KEY": str(key),
            "STATIC_ROOT": str(static),
        },
    )
    (root / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "\n".join(
        f"    {kind}_temp_path {root / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # The image's main file logs everything with the `combined` format (query strings
    # included) at the http level; the template's server blocks must replace that.
    (root / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {root / 'nginx.pid'};\n"
        f"error_log {root / 'error.log'} info;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n    access_log {tmp_path / 'nginx-combined.log'} combined;\n"
        f"{temp_paths}\n    include {root / 'site.conf'};\n}}\n"
    )
    # The template logs to /dev/stdout (the container's log in the official image).
    result.nginx = subprocess.Popen(
        [binary, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
        stdout=(tmp_path / "nginx-access.log").open("wb"),
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(result.https_port)
        yield result
    finally:
        result.stop()


def test_tokens_in_urls_reach_no_log(stack):
    user = make_user()
    tokens = issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "pytest"))
    access, refresh = tokens["access"], tokens["refresh"]
    tls = ssl.create_default_context(cafile=str(stack.cert))
    with httpx.Client(base_url=stack.https, verify=tls) as client:
        ticket = client.post(
            "/api/v1/realtime/tickets/", headers={"Authorization": f"Bearer {access}"}
        ).json()["ticket"]
    secret_values = {
        "access token": access,
        "refresh token": refresh,
        "ticket": ticket,
        "password": PASSWORD,
    }
    query = "?" + urlencode(
        {"token": access, "access": access, "refresh": refresh, "ticket": ticket}
        | {"password": PASSWORD, "page": "1"}
    )
    referer = f"https://frontend.example/board{query}"

    with httpx.Client(base_url=stack.https, verify=tls) as client:
        me = client.get(
            f"/api/auth/me/{query}",
            headers={"Authorization": f"Bearer {access}", "Referer": referer},
        )
        assert me.status_code == 200
        assert client.get(f"/api/v1/departments/{query}").status_code == 401
        assert client.get(f"/api/no-such-endpoint/{query}").status_code == 404
        # Django refuses the host and logs the request (its repr carries the full URL).
        bad_host = client.get(f"/api/health/{query}", headers={"Host": "evil.example"})
        assert bad_host.status_code == 400
    redirect = httpx.get(f"http://127.0.0.1:{stack.http_port}/api/health/{query}")
    assert redirect.status_code == 301
    direct = httpx.get(f"{stack.daphne.url}/api/health/{query}", headers={"Referer": referer})
    assert direct.status_code == 200

    async def sockets() -> None:
        for url, kwargs in (
            (f"wss://127.0.0.1:{stack.https_port}/ws/notifications/{query}", {"ssl": tls}),
            (f"ws://127.0.0.1:{stack.daphne.port}/ws/board/{query}", {}),
        ):
            async with connect(url, origin="https://127.0.0.1", **kwargs) as ws:
                await ws.send(json.dumps({"type": "auth", "token": access}))
                seen = [json.loads(await asyncio.wait_for(ws.recv(), 15))["type"]]
                while "auth.ok" not in seen and len(seen) < 20:
                    seen.append(json.loads(await asyncio.wait_for(ws.recv(), 15))["type"])
                assert "auth.ok" in seen

    asyncio.run(sockets())
    stack.stop()

    logs = stack.logs()
    # No secret, and no query string, in any of them...
    leaks = {
        (log, what)
        for log, text in logs.items()
        for what, secret in secret_values.items()
        if secret in text
    }
    assert leaks == set()
    for log in ("nginx access log", "Daphne access log"):
        assert "?" not in logs[log], logs[log]
    # ...though they did record this traffic (paths, statuses, sockets).
    assert "/api/auth/me/" in logs["nginx access log"]
    assert "/ws/notifications/" in logs["nginx access log"]
    assert '"https://frontend.example/board"' in logs["nginx access log"]
    assert '"GET /api/auth/me/"' in logs["Daphne access log"]
    assert '"GET /api/health/"' in logs["Daphne access log"]
    assert "WSCONNECT /ws/board/" in logs["Daphne access log"]
    assert "WSCONNECT /ws/notifications/" in logs["Daphne access log"]
    assert "/api/auth/me/" in logs["app.log"]
    assert "DisallowedHost" in logs["app console log"]
    # The main file's `combined` log (query strings included) got nothing: the
    # template's own access_log replaces it in both servers.
    assert (stack.root / "nginx-combined.log").read_text() == ""

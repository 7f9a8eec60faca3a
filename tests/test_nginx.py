"""The shipped nginx configuration (nginx/templates/default.conf.template), rendered
the way the official nginx image renders it and run by Debian's nginx in front of a
real Daphne: TLS, the HTTP redirect, static files, the WebSocket upgrade, forwarded
headers, the upload limit, and media never served from disk."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from api.accounts.roles import Role
from api.realtime.tests.conftest import token_for
from conftest import REPO_ROOT, free_port, require_service, wait_for_port
from tests.factories import make_department, make_user

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("redis_available"),
]

TEMPLATE = REPO_ROOT / "nginx" / "templates" / "default.conf.template"


def render(template: str, values: dict[str, str]) -> str:
    """What the image's envsubst does: replace ${NAME} for the names given, and
    leave every other $word (nginx's own variables) alone."""
    rendered = re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)
    leftover = set(re.findall(r"\$\{(\w+)\}", rendered))
    assert not leftover, f"template needs values for {leftover}"
    return rendered


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class Nginx:
    def __init__(self, root: Path, http_port: int, https_port: int, cert: Path) -> None:
        self.root, self.http_port, self.https_port, self.cert = root, http_port, https_port, cert
        self.process: subprocess.Popen | None = None

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def log(self) -> str:
        path = self.root / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def nginx_binary() -> str:
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    require_service(
        "nginx (Debian's nginx package; .ci/run installs it)", None if binary else "not installed"
    )
    require_service("openssl", None if shutil.which("openssl") else "not installed")
    return binary


def start_nginx(root: Path, upstreams: tuple[str, str], *, access_log: bool = False) -> Nginx:
    """The shipped template in front of two Daphne replicas (host:port each; the same
    one twice stands for a single replica). Stop it with `.process.terminate()`.
    `access_log`: root/access.log says which replica answered each request."""
    binary = nginx_binary()
    static = root / "static"
    static.mkdir(parents=True)
    (static / "probe.txt").write_text("served by nginx\n")
    cert, key = self_signed_certificate(root)
    http_port, https_port = free_port(), free_port()
    site = render(
        TEMPLATE.read_text(),
        {
            "APP_UPSTREAM_1": upstreams[0],
            "APP_UPSTREAM_2": upstreams[1],
            "SERVER_NAME": "_",
            "HTTP_PORT": str(http_port),
            "HTTPS_PORT": str(https_port),
            "TLS_CERT": str(cert),
            "TLS_KEY": str(key),
            "STATIC_ROOT": str(static),
        },
    )
    (root / "site.conf").write_text(site)
    # The main file the image would provide; as root, workers must stay root to read
    # pytest's private temporary directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "\n".join(
        f"    {kind}_temp_path {root / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    mime = "    include /etc/nginx/mime.types;\n" if Path("/etc/nginx/mime.types").exists() else ""
    # The site's own access log (its format, to stdout) says which replica answered
    # each request; with `access_log` nginx's stdout goes to root/access.log.
    access = "    access_log off;\n"
    (root / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {root / 'nginx.pid'};\n"
        f"error_log {root / 'error.log'} warn;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n{mime}{access}{temp_paths}\n    include {root / 'site.conf'};\n}}\n"
    )
    proxy = Nginx(root, http_port, https_port, cert)
    check = subprocess.run(
        [binary, "-t", "-p", str(root), "-c", str(root / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    proxy.process = subprocess.Popen(
        [binary, "-p", str(root), "-c", str(root / "nginx.conf"), "-g", "daemon off;"],
        stdout=(root / "access.log").open("ab") if access_log else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(https_port)
    except TimeoutError:
        proxy.process.terminate()
        raise
    return proxy


@pytest.fixture
def nginx(daphne_factory, tmp_path):
    nginx_binary()
    server = daphne_factory(behind_proxies=1)
    address = f"127.0.0.1:{server.port}"
    proxy = start_nginx(tmp_path / "nginx", (address, address))
    try:
        yield proxy
    finally:
        proxy.process.terminate()
        proxy.process.wait(timeout=10)


def test_plain_http_redirects_to_https(nginx):
    response = httpx.get(f"http://127.0.0.1:{nginx.http_port}/api/health/?x=1")
    assert response.status_code == 301
    assert response.headers["location"] == f"https://127.0.0.1:{nginx.https_port}/api/health/?x=1"


def test_the_api_answers_over_tls_and_knows_it(nginx):
    superadmin = make_user(Role.SUPERADMIN)
    make_department(code="AAA")
    make_department(code="BBB")
    with httpx.Client(base_url=nginx.https, verify=nginx.tls()) as client:
        health = client.get("/api/health/")
        assert health.status_code == 200, nginx.log()
        assert health.json()["status"] == "ok"

        response = client.get(
            "/api/v1/departments/",
            params={"page_size": 1},
            headers={"Authorization": f"Bearer {token_for(superadmin)}"},
        )
    assert response.status_code == 200
    # Daphne trusted X-Forwarded-Proto from nginx: the app builds https links.
    assert response.json()["next"].startswith("https://127.0.0.1")
    assert "server" not in response.headers or "nginx/" not in response.headers["server"]


def test_static_files_come_from_nginx_with_long_caching(nginx):
    response = httpx.get(f"{nginx.https}/static/probe.txt", verify=nginx.tls())
    assert response.status_code == 200
    assert response.text == "served by nginx\n"
    caching = {part.strip() for part in response.headers["cache-control"].split(",")}
    assert caching == {"max-age=2592000", "public"}  # 30 days
    assert len(response.headers.get_list("cache-control")) == 1


def test_media_is_never_served_from_disk(daphne_factory, tmp_path):
    """A real file under MEDIA_ROOT: nginx's /media/ block refuses it, and the request
    never reaches Daphne (downloads go through the API's permission checks)."""
    media = tmp_path / "media"
    (media / "reports").mkdir(parents=True)
    secret = b"PK\x03\x04 payroll of every employee"
    (media / "reports" / "payroll.xlsx").write_bytes(secret)
    server = daphne_factory(behind_proxies=1, MEDIA_ROOT=str(media))
    address = f"127.0.0.1:{server.port}"
    proxy = start_nginx(tmp_path / "nginx", (address, address))
    try:
        probe = httpx.get(f"{proxy.https}/api/health/live/", verify=proxy.tls())
        response = httpx.get(f"{proxy.https}/media/reports/payroll.xlsx", verify=proxy.tls())
    finally:
        proxy.process.terminate()
        proxy.process.wait(timeout=10)

    assert probe.status_code == 200  # nginx does reach this Daphne
    assert response.status_code == 404
    assert secret not in response.content
    log = server.log()
    assert "/api/health/live/" in log
    assert "/media/" not in log


def test_uploads_over_the_limit_are_refused_by_nginx(nginx):
    response = httpx.post(
        f"{nginx.https}/api/v1/user-reports/",
        content=b"x" * (13 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
        verify=nginx.tls(),
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (413, "payload_too_large")
    assert error["request_id"]


def test_websockets_upgrade_through_nginx(nginx):
    user = make_user(Role.STAFF)
    token = token_for(user)

    async def scenario() -> list[str]:
        async with connect(
            f"wss://127.0.0.1:{nginx.https_port}/ws/notifications/",
            origin="https://127.0.0.1",
            ssl=nginx.tls(),
        ) as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            seen = []
            deadline = time.monotonic() + 15
            while "subscribed" not in seen and time.monotonic() < deadline:
                seen.append(json.loads(await asyncio.wait_for(ws.recv(), 15))["type"])
            await ws.send(json.dumps({"type": "ping"}))
            while seen[-1] != "pong":
                seen.append(json.loads(await asyncio.wait_for(ws.recv(), 15))["type"])
            return seen

    seen = asyncio.run(scenario())
    assert "auth.ok" in seen
    assert "subscribed" in seen
    assert seen[-1] == "pong"


def test_rotating_x_forwarded_for_through_nginx_escapes_no_sign_in_bound(nginx):
    """The client writes X-Forwarded-For; nginx appends the address it saw, and with
    TRUSTED_PROXY_COUNT=1 (the compose file's value) only that one counts."""
    from api.accounts.models import UserSession
    from api.audit.models import UserActivityLog
    from tests.factories import PASSWORD

    user = make_user()
    limit = 50  # LOGIN_FAILURES_PER_ADDRESS's default
    # Each refused guess still hashes a password (the same cost as a real one): on a
    # busy machine 53 of them in a row need more than httpx's default 5 s read timeout.
    with httpx.Client(base_url=nginx.https, verify=nginx.tls(), timeout=60) as client:
        codes = [
            client.post(
                "/api/auth/login/local/",
                json={"username": f"guess-{n}", "password": "wrong"},
                headers={"X-Forwarded-For": f"198.51.100.{n % 250}"},
            ).status_code
            for n in range(limit + 3)
        ]
        assert codes == [401] * limit + [429] * 3, nginx.log()

        # The address recorded for a session is also the one nginx saw.
        signed_in = client.post(
            "/api/auth/login/local/",
            json={"username": user.username, "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.66", "X-Forwarded-Proto": "https"},
        )
    assert signed_in.status_code == 429  # the address is locked, whoever signs in
    assert not UserSession.objects.filter(user=user).exists()
    recorded = set(
        UserActivityLog.objects.filter(action="login_failed").values_list("ip_address", flat=True)
    )
    assert recorded == {"127.0.0.1"}


# ----------------------------------------------------------------- any port, compression


def test_links_the_app_builds_keep_the_port_the_client_used(nginx):
    superadmin = make_user(Role.SUPERADMIN)
    make_department(code="AAA")
    make_department(code="BBB")

    response = httpx.get(
        f"{nginx.https}/api/v1/departments/",
        params={"page_size": 1},
        headers={"Authorization": f"Bearer {token_for(superadmin)}"},
        verify=nginx.tls(),
    )

    assert response.status_code == 200, nginx.log()
    assert response.json()["next"].startswith(f"https://127.0.0.1:{nginx.https_port}/api/v1/")


def test_the_acme_challenge_is_served_over_http_not_redirected(nginx):
    response = httpx.get(f"http://127.0.0.1:{nginx.http_port}/.well-known/acme-challenge/abc")

    # Nothing was issued here, so nothing is found; certbot's webroot is the only source.
    assert response.status_code == 404
    assert "location" not in response.headers


def test_json_and_static_text_are_compressed_above_a_minimum_size(nginx):
    static = nginx.root / "static"
    (static / "big.css").write_text("body { margin: 0; }\n" * 200)
    (static / "big.js").write_text("console.log('ptb');\n" * 200)
    gzip = {"Accept-Encoding": "gzip"}
    with httpx.Client(base_url=nginx.https, verify=nginx.tls(), headers=gzip) as client:
        schema = client.get("/swagger.json")
        css = client.get("/static/big.css")
        js = client.get("/static/big.js")
        small_json = client.get("/api/health/live/")
        small_text = client.get("/static/probe.txt")

    for response in (schema, css, js):
        assert response.status_code == 200, nginx.log()
        assert response.headers["content-encoding"] == "gzip", response.url
        assert "accept-encoding" in response.headers["vary"].lower()
    assert schema.headers["content-type"].startswith("application/json")
    assert schema.json()["swagger"] == "2.0"  # decoded, the same document
    assert css.text == "body { margin: 0; }\n" * 200
    for response in (small_json, small_text):
        assert response.status_code == 200
        assert "content-encoding" not in response.headers, response.url


def test_a_static_file_the_app_serves_carries_one_cache_control(nginx):
    """A file this nginx copy lacks goes to the app (WhiteNoise): still one header."""
    response = httpx.get(f"{nginx.https}/static/admin/css/base.css", verify=nginx.tls())

    assert response.status_code == 200, nginx.log()
    assert len(response.headers.get_list("cache-control")) == 1


@pytest.mark.parametrize(
    ("headers", "url_tail", "status", "code"),
    [
        ({}, "?reason=" + "x" * 60_000, 414, "query_too_long"),
        ({"X-Note": "y" * 60_000}, "", 400, "headers_too_large"),
    ],
)
def test_an_oversized_request_line_or_header_is_refused_in_json(
    nginx, headers, url_tail, status, code
):
    """nginx answers these itself (its buffers are smaller than the line): not with its
    HTML page, and not with a dropped connection."""
    response = httpx.get(
        f"{nginx.https}/api/v1/overtime-requests/{url_tail}", headers=headers, verify=nginx.tls()
    )

    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["request_id"]

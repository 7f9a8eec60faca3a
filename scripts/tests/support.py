"""What the reference SSO/HR server's tests share: the server on a free port, clients,
tokens crafted by hand."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt

from generate_data.directory import DEMO_PASSWORD, build_directory
from scripts.external_api_server import ExternalApiServer, make_server

REPO_ROOT = Path(__file__).resolve().parents[2]
# >= 64 bytes, so PyJWT warns about a short HMAC key neither for HS256 nor for HS512.
SECRET = "test-sso-secret-" + "x" * 48
API_KEY = "test-hr-api-key"
ISSUER = "test-issuer"
AUDIENCE = "test-audience"
TTL = 600
TLS_CONTEXT = ssl.create_default_context()


@contextmanager
def running_server(**options: Any) -> Iterator[ExternalApiServer]:
    settings: dict[str, Any] = {
        "directory": build_directory(seed=1, employees=10),
        "secret": SECRET,
        "api_key": API_KEY,
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "token_ttl": TTL,
        **options,
    }
    server = make_server("127.0.0.1", 0, **settings)
    # A short poll interval makes shutdown() (once per test) near-instant.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def client_for(server: ExternalApiServer) -> Iterator[httpx.Client]:
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    # Plain HTTP on loopback: reuse one TLS context instead of loading CA certificates per
    # client, and ignore proxy variables from the environment.
    with httpx.Client(base_url=base_url, timeout=5, verify=TLS_CONTEXT, trust_env=False) as client:
        yield client


def login(client: httpx.Client, username: str = "demo.employee") -> httpx.Response:
    return client.post("/auth/login", json={"username": username, "password": DEMO_PASSWORD})


def token_for(client: httpx.Client, username: str = "demo.employee") -> str:
    response = login(client, username)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def verify(client: httpx.Client, token: str) -> httpx.Response:
    return client.post("/auth/verify", headers={"Authorization": f"Bearer {token}"})


def valid_claims(**overrides: Any) -> dict[str, Any]:
    """Claims the server would accept for demo.employee, for crafting tokens by hand."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "emp-00001",
        "username": "demo.employee",
        "iat": now,
        "exp": now + 300,
        "jti": "0" * 32,
    }
    return {**claims, **overrides}


def hs256(claims: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def assert_invalid_token(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["active"] is False
    assert body["error"] == "invalid_token"
    assert reason in body["message"]

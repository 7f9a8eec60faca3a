"""The reference SSO/HR server over real HTTP: login, verify and revoke.

No Django and no database: the server is started in-process on a free port and spoken to
with httpx, exactly as the backend's client does.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from generate_data.directory import DEMO_PASSWORD, build_directory
from scripts.tests.support import (
    API_KEY,
    AUDIENCE,
    ISSUER,
    SECRET,
    TTL,
    assert_invalid_token,
    client_for,
    hs256,
    login,
    running_server,
    token_for,
    valid_claims,
    verify,
)

# --------------------------------------------------------------------------- login


def test_login_returns_hs256_jwt_with_contract_claims(client: httpx.Client) -> None:
    response = login(client)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == TTL
    token = body["access_token"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer=ISSUER, audience=AUDIENCE)
    assert claims["sub"] == "emp-00001"
    assert claims["username"] == "demo.employee"
    assert claims["email"] == "demo.employee@ptb.example.com"
    assert claims["name"] == "Demo Employee"
    assert claims["employee_code"] == "E00001"
    assert claims["department_code"] == "ENG"
    assert claims["exp"] - claims["iat"] == TTL
    assert re.fullmatch(r"[0-9a-f]{32}", claims["jti"])
    assert body["user"] == {
        "external_id": "emp-00001",
        "username": "demo.employee",
        "email": "demo.employee@ptb.example.com",
        "first_name": "Demo",
        "last_name": "Employee",
        "employee_code": "E00001",
        "department_code": "ENG",
        "department_name": "Engineering",
        "position": "Software Engineer",
        "is_active": True,
    }


def test_each_login_gets_a_distinct_jti(client: httpx.Client) -> None:
    first, second = token_for(client), token_for(client)
    decode = jwt.decode_complete
    jti = [
        decode(t, options={"verify_signature": False})["payload"]["jti"] for t in (first, second)
    ]
    assert jti[0] != jti[1]


def test_login_username_is_case_insensitive(client: httpx.Client) -> None:
    assert login(client, "Demo.Admin").status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [("demo.employee", "wrong-password"), ("nobody", DEMO_PASSWORD), ("demo.employee", "")],
)
def test_login_rejects_bad_credentials_without_saying_which_part(
    client: httpx.Client, username: str, password: str
) -> None:
    response = client.post("/auth/login", json={"username": username, "password": password})

    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_credentials",
        "message": "invalid username or password",
    }


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[1, 2]", b'{"username": "demo.employee"}', b'{"username": 1, "password": 2}'],
)
def test_login_rejects_malformed_body_with_400(client: httpx.Client, content: bytes) -> None:
    response = client.post("/auth/login", content=content)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_login_rejects_inactive_user(client: httpx.Client) -> None:
    directory = build_directory(seed=1, employees=10)
    directory["employees"][0]["is_active"] = False
    assert client.put("/_directory", json=directory).status_code == 200

    assert login(client).status_code == 401


def test_password_from_data_file_overrides_demo_password() -> None:
    directory = build_directory(seed=1, employees=10)
    directory["employees"][0]["password"] = "own-password"

    with running_server(directory=directory) as server, client_for(server) as client:
        own = {"username": "demo.employee", "password": "own-password"}
        assert client.post("/auth/login", json=own).status_code == 200
        assert login(client).status_code == 401
        employees = client.get("/hr/employees", headers={"X-API-Key": API_KEY}).json()
        assert all("password" not in employee for employee in employees["results"])


# --------------------------------------------------------------------------- verify / revoke


def test_verify_accepts_fresh_token_and_returns_current_user(client: httpx.Client) -> None:
    token = token_for(client, "demo.admin")

    response = verify(client, token)

    assert response.status_code == 200
    body = response.json()
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer=ISSUER, audience=AUDIENCE)
    assert body["active"] is True
    assert {k: body[k] for k in ("sub", "username", "exp", "iat", "jti", "iss", "aud")} == {
        k: claims[k] for k in ("sub", "username", "exp", "iat", "jti", "iss", "aud")
    }
    assert body["user"]["username"] == "demo.admin"
    assert body["user"]["employee_code"] == "E00002"


def test_verify_accepts_token_in_json_body(client: httpx.Client) -> None:
    response = client.post("/auth/verify", json={"token": token_for(client)})

    assert response.status_code == 200
    assert response.json()["active"] is True


def test_verify_without_token_is_401(client: httpx.Client) -> None:
    assert_invalid_token(client.post("/auth/verify"), "no bearer token")


def test_verify_rejects_tampered_payload(client: httpx.Client) -> None:
    header, _, signature = token_for(client).split(".")
    forged_claims = valid_claims(sub="emp-00002", username="demo.admin")
    forged_payload = jwt.utils.base64url_encode(json.dumps(forged_claims).encode()).decode()

    response = verify(client, f"{header}.{forged_payload}.{signature}")

    assert_invalid_token(response, "signature is invalid")


def test_verify_rejects_token_signed_with_another_secret(client: httpx.Client) -> None:
    token = hs256(valid_claims(), secret="some-other-secret-that-is-also-32-bytes+")
    assert_invalid_token(verify(client, token), "signature is invalid")


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda claims: jwt.encode(claims, None, algorithm="none"), id="alg-none"),
        pytest.param(lambda claims: jwt.encode(claims, SECRET, algorithm="HS512"), id="HS512"),
    ],
)
def test_verify_accepts_only_the_pinned_hs256_algorithm(
    client: httpx.Client, make_token: Callable[[dict[str, Any]], str]
) -> None:
    assert_invalid_token(verify(client, make_token(valid_claims())), "algorithm is not allowed")


def test_verify_rejects_expired_token(client: httpx.Client) -> None:
    now = int(time.time())
    token = hs256(valid_claims(iat=now - 7200, exp=now - 3600))
    assert_invalid_token(verify(client, token), "expired")


def test_server_with_negative_ttl_issues_tokens_that_fail_verification() -> None:
    with running_server(token_ttl=-60) as server, client_for(server) as client:
        assert_invalid_token(verify(client, token_for(client)), "expired")


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"iss": "someone-else"}, "issuer is invalid"),
        ({"aud": "another-app"}, "audience is invalid"),
        ({"jti": None}, "missing the 'jti' claim"),
    ],
)
def test_verify_checks_issuer_audience_and_required_claims(
    client: httpx.Client, overrides: dict[str, Any], reason: str
) -> None:
    claims = {k: v for k, v in valid_claims(**overrides).items() if v is not None}
    assert_invalid_token(verify(client, hs256(claims)), reason)


def test_verify_rejects_garbage_token(client: httpx.Client) -> None:
    assert_invalid_token(verify(client, "not-a-jwt"), "malformed")


def test_revoked_token_no_longer_verifies(client: httpx.Client) -> None:
    token, other = token_for(client), token_for(client)

    response = client.post("/auth/revoke", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == {"revoked": True}
    assert_invalid_token(verify(client, token), "revoked")
    assert verify(client, other).status_code == 200  # only that jti is revoked


def test_revoke_requires_a_valid_token(client: httpx.Client) -> None:
    response = client.post("/auth/revoke", headers={"Authorization": "Bearer nope"})
    assert_invalid_token(response, "malformed")


def test_verify_rejects_token_of_user_removed_from_directory(client: httpx.Client) -> None:
    token = token_for(client)
    directory = build_directory(seed=1, employees=10)
    directory["employees"] = directory["employees"][1:]  # demo.employee leaves the company
    assert client.put("/_directory", json=directory).status_code == 200

    assert_invalid_token(verify(client, token), "no longer exists")


def test_verify_rejects_token_of_deactivated_user(client: httpx.Client) -> None:
    token = token_for(client)
    directory = build_directory(seed=1, employees=10)
    directory["employees"][0]["is_active"] = False
    client.put("/_directory", json=directory)

    assert_invalid_token(verify(client, token), "inactive")

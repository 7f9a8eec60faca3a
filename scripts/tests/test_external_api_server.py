"""The reference SSO/HR server over real HTTP, plus the generators that feed it.

No Django and no database: the server is started in-process on a free port and spoken to
with httpx, exactly as the backend's client does.
"""

from __future__ import annotations

import copy
import json
import re
import ssl
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from generate_data import generate_employee, generate_project
from generate_data.directory import DEMO_PASSWORD, DEPARTMENTS, build_directory
from scripts.external_api_server import ExternalApiServer, RequestHandler, make_server

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


@pytest.fixture
def server() -> Iterator[ExternalApiServer]:
    with running_server() as server:
        yield server


@pytest.fixture
def client(server: ExternalApiServer) -> Iterator[httpx.Client]:
    with client_for(server) as client:
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


# --------------------------------------------------------------------------- HR API


@pytest.mark.parametrize("path", ["/hr/employees", "/hr/departments", "/hr/employees/emp-00001"])
@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}], ids=["no-key", "wrong-key"])
def test_hr_endpoints_require_the_api_key(
    client: httpx.Client, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_api_key"


def test_hr_employees_pages_through_every_employee_exactly_once(client: httpx.Client) -> None:
    pages: list[dict[str, Any]] = []
    page: int | None = 1
    while page is not None:
        response = client.get(
            "/hr/employees", params={"page": page, "page_size": 3}, headers={"X-API-Key": API_KEY}
        )
        assert response.status_code == 200
        pages.append(response.json())
        page = pages[-1]["next_page"]

    assert [p["page"] for p in pages] == [1, 2, 3, 4]
    assert [len(p["results"]) for p in pages] == [3, 3, 3, 1]
    assert {p["count"] for p in pages} == {10}
    assert {p["page_size"] for p in pages} == {3}
    codes = [e["employee_code"] for p in pages for e in p["results"]]
    assert sorted(codes) == [f"E{n:05d}" for n in range(1, 11)]


def test_hr_employees_defaults_and_caps_page_size(client: httpx.Client) -> None:
    headers = {"X-API-Key": API_KEY}
    default = client.get("/hr/employees", headers=headers).json()
    capped = client.get("/hr/employees", params={"page_size": 10_000}, headers=headers).json()

    assert (default["page"], default["page_size"], default["next_page"]) == (1, 100, None)
    assert capped["page_size"] == 500


def test_hr_employees_page_past_the_end_is_empty(client: httpx.Client) -> None:
    params = {"page": 9, "page_size": 5}
    body = client.get("/hr/employees", params=params, headers={"X-API-Key": API_KEY}).json()

    assert (body["count"], body["results"], body["next_page"]) == (10, [], None)


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": "abc"}, {"page_size": -1}])
def test_hr_employees_rejects_bad_paging(client: httpx.Client, params: dict[str, Any]) -> None:
    response = client.get("/hr/employees", params=params, headers={"X-API-Key": API_KEY})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_hr_employee_lookup_answers_the_current_user_object(client: httpx.Client) -> None:
    response = client.get("/hr/employees/emp-00001", headers={"X-API-Key": API_KEY})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["username"] == "demo.employee"
    assert body["employee_code"] == "E00001"
    assert body["department_code"] == "ENG"
    assert body["department_name"] == "Engineering"
    assert body["is_active"] is True
    assert "password" not in body


def test_hr_employee_lookup_reports_inactive_and_unknown_people(client: httpx.Client) -> None:
    directory = build_directory(seed=1, employees=10)
    directory["employees"][0]["is_active"] = False
    directory["employees"] = directory["employees"][:1] + directory["employees"][2:]
    assert client.put("/_directory", json=directory).status_code == 200
    headers = {"X-API-Key": API_KEY}

    inactive = client.get("/hr/employees/emp-00001", headers=headers)
    gone = client.get("/hr/employees/emp-00002", headers=headers)

    assert inactive.status_code == 200
    assert inactive.json()["is_active"] is False
    assert gone.status_code == 404
    assert gone.json()["error"] == "unknown_employee"


def test_hr_employee_lookups_are_counted_under_one_route(client: httpx.Client) -> None:
    headers = {"X-API-Key": API_KEY}
    client.get("/hr/employees/emp-00001", headers=headers)
    client.get("/hr/employees/emp-00002", headers=headers)

    assert client.get("/_stats").json()["requests"]["GET /hr/employees/{id}"] == 2


def test_hr_departments_lists_the_department_tree(client: httpx.Client) -> None:
    body = client.get("/hr/departments", headers={"X-API-Key": API_KEY}).json()

    by_code = {d["code"]: d for d in body["results"]}
    assert body["count"] == len(by_code) == 6
    assert by_code["ENG"] == {
        "external_id": "dept-ENG",
        "code": "ENG",
        "name": "Engineering",
        "parent_code": "PTB",
        "manager_employee_code": "E00002",
    }


# --------------------------------------------------------------------------- test controls


def test_stats_count_requests_per_method_and_path(client: httpx.Client) -> None:
    token = token_for(client)
    verify(client, token)
    verify(client, token)
    client.get("/hr/employees?page=2", headers={"X-API-Key": API_KEY})
    client.get("/missing")
    client.get("/_health")  # test-control paths are not counted

    assert client.get("/_stats").json() == {
        "requests": {
            "GET /hr/employees": 1,
            "GET /missing": 1,
            "POST /auth/login": 1,
            "POST /auth/verify": 2,
        }
    }
    assert client.post("/_stats/reset").status_code == 200
    assert client.get("/_stats").json() == {"requests": {}}


def test_stats_counter_is_exact_under_concurrent_requests(client: httpx.Client) -> None:
    def hit() -> None:
        for _ in range(10):
            client.get("/_nothing_here")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert client.get("/_stats").json()["requests"] == {"GET /_nothing_here": 80}


def test_put_directory_replaces_the_served_data(client: httpx.Client) -> None:
    directory = build_directory(seed=7, employees=4)

    response = client.put("/_directory", json=directory)

    assert response.status_code == 200
    assert response.json() == {"replaced": True, "departments": 6, "employees": 4}
    body = client.get("/hr/employees", headers={"X-API-Key": API_KEY}).json()
    assert body["results"] == directory["employees"]


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda d: d.pop("employees"), id="missing-employees"),
        pytest.param(lambda d: d["employees"].append(d["employees"][0]), id="duplicate"),
        pytest.param(lambda d: d["employees"][0].pop("username"), id="no-username"),
    ],
)
def test_put_directory_rejects_invalid_data_and_keeps_the_old(
    client: httpx.Client, mutate: Callable[[dict[str, Any]], Any]
) -> None:
    directory: dict[str, Any] = copy.deepcopy(dict(build_directory(seed=7, employees=4)))
    mutate(directory)

    response = client.put("/_directory", json=directory)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert client.get("/hr/employees", headers={"X-API-Key": API_KEY}).json()["count"] == 10


def test_health(client: httpx.Client) -> None:
    assert client.get("/_health").json() == {"status": "ok"}


def test_unknown_path_is_json_404(client: httpx.Client) -> None:
    response = client.get("/auth/nope")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_wrong_method_is_json_405_with_allow_header(client: httpx.Client) -> None:
    response = client.get("/auth/login")

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["error"] == "method_not_allowed"


def test_unhandled_exception_is_json_500_not_html(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(handler: RequestHandler) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(RequestHandler.routes["/_health"], "GET", explode)

    response = client.get("/_health")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": "server_error", "message": "internal server error"}
    assert client.get("/auth/nope").status_code == 404  # the server keeps serving


def test_make_server_reads_defaults_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTERNAL_SSO_SECRET", "env-secret-long-enough-for-hs256-keys!!")
    monkeypatch.setenv("EXTERNAL_API_KEY", "env-key")
    monkeypatch.setenv("EXTERNAL_JWT_ISSUER", "env-iss")
    monkeypatch.setenv("EXTERNAL_JWT_AUDIENCE", "env-aud")
    server = make_server("127.0.0.1", 0, directory=build_directory(seed=1, employees=3))
    server.server_close()

    config = server.config
    assert (config.secret, config.api_key, config.issuer, config.audience) == (
        "env-secret-long-enough-for-hs256-keys!!",
        "env-key",
        "env-iss",
        "env-aud",
    )


def test_default_secret_is_long_enough_for_hs256(monkeypatch: pytest.MonkeyPatch) -> None:
    # PyJWT warns about HMAC keys under 32 bytes; as an error it would turn logins into 500s.
    monkeypatch.delenv("EXTERNAL_SSO_SECRET", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", jwt.InsecureKeyLengthWarning)
        with running_server(secret=None) as server, client_for(server) as client:
            token = token_for(client)
            assert verify(client, token).status_code == 200
    assert len(server.config.secret.encode()) >= 32


@pytest.mark.integration
def test_script_runs_standalone_from_the_repository_root() -> None:
    process = subprocess.Popen(
        [sys.executable, "scripts/external_api_server.py", "--port", "0", "--employees", "5"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", banner)
        assert match, banner
        url = f"http://127.0.0.1:{match.group(1)}/_health"
        response = httpx.get(url, timeout=5, verify=TLS_CONTEXT, trust_env=False)
        assert response.json() == {"status": "ok"}
    finally:
        process.terminate()
        process.wait(timeout=5)


# --------------------------------------------------------------------------- generators


def test_build_directory_is_deterministic_per_seed() -> None:
    assert build_directory(seed=3) == build_directory(seed=3)
    assert build_directory(seed=3) != build_directory(seed=4)


def test_build_directory_shape_and_demo_users() -> None:
    directory = build_directory(seed=42, employees=60)
    employees, departments = directory["employees"], directory["departments"]

    assert len(employees) == 60
    assert [(e["username"], e["department_code"]) for e in employees[:2]] == [
        ("demo.employee", "ENG"),
        ("demo.admin", "ENG"),
    ]
    usernames = [e["username"] for e in employees]
    assert len(set(usernames)) == len(usernames)
    assert all(re.fullmatch(r"[a-z][a-z0-9.]*", u) for u in usernames)
    assert all(e["email"] == f"{e['username']}@ptb.example.com" for e in employees)
    assert all(e["first_name"].isascii() and e["last_name"].isascii() for e in employees)

    members = {(e["department_code"], e["employee_code"]) for e in employees}
    parents = {d["code"]: d["parent_code"] for d in departments}
    for department in departments:
        manager = department["manager_employee_code"]
        assert manager is None or (department["code"], manager) in members
        parent = department["parent_code"]
        assert parent is None or parents[parent] is None  # at most two levels


def test_build_directory_needs_room_for_the_demo_users() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        build_directory(employees=1)


def test_generate_employee_writes_natural_key_fixture(tmp_path: Path) -> None:
    output = tmp_path / "employees.json"

    assert generate_employee.main(["--seed", "1", "--count", "10", "--output", str(output)]) == 0

    rows = json.loads(output.read_text())
    assert all(set(row) == {"model", "fields"} for row in rows)  # natural keys, no pk
    departments = [r["fields"] for r in rows if r["model"] == "api.department"]
    employees = [r["fields"] for r in rows if r["model"] == "api.employee"]
    assert len(departments) + len(employees) == len(rows)
    assert rows[: len(departments)] == [r for r in rows if r["model"] == "api.department"]
    seen: set[str] = set()
    for department in departments:  # parents first, as loaddata needs
        assert department["parent"] is None or department["parent"][0] in seen
        seen.add(department["code"])
        assert department["manager"] is None
    assert len(employees) == 10
    assert all(e["department"][0] in seen for e in employees)
    assert all(e["user"] is None for e in employees)
    assert {"created_at", "updated_at"} <= set(employees[0])


def test_generate_project_writes_natural_key_fixture(tmp_path: Path) -> None:
    output = tmp_path / "projects.json"

    assert generate_project.main(["--seed", "1", "--output", str(output)]) == 0

    rows = json.loads(output.read_text())
    department_codes = {code for code, _, _ in DEPARTMENTS}
    assert len(rows) == 12
    assert all(set(row) == {"model", "fields"} and row["model"] == "api.project" for row in rows)
    projects = [row["fields"] for row in rows]
    assert [p["code"] for p in projects] == [f"PRJ-{n:03d}" for n in range(1, 13)]
    for project in projects:
        assert project["department"] is None or project["department"][0] in department_codes
        assert project["end_date"] is None or project["end_date"] >= project["start_date"]
        assert {"created_at", "updated_at"} <= set(project)


@pytest.mark.parametrize(
    ("module", "filename"),
    [(generate_employee, "employees.json"), (generate_project, "projects.json")],
)
def test_committed_fixtures_match_their_generators(module: Any, filename: str) -> None:
    committed = json.loads((REPO_ROOT / "generate_data" / filename).read_text())
    assert committed == module.build_fixture(), f"regenerate {filename} with defaults"


def test_generator_scripts_run_standalone(tmp_path: Path) -> None:
    for script in ("generate_employee.py", "generate_project.py"):
        output = tmp_path / script.replace(".py", ".json")
        subprocess.run(
            [sys.executable, f"generate_data/{script}", "--output", str(output)],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
        assert isinstance(json.loads(output.read_text()), list)

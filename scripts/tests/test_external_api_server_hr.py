"""The reference SSO/HR server over real HTTP: the HR directory and the test controls
(statistics, replacing the directory, errors, configuration, running standalone).
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest

from generate_data.directory import build_directory
from scripts.external_api_server import RequestHandler, make_server
from scripts.tests.support import (
    API_KEY,
    REPO_ROOT,
    TLS_CONTEXT,
    client_for,
    running_server,
    token_for,
    verify,
)

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

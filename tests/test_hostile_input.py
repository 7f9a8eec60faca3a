"""No input crashes the server, and every error on an API path is the JSON error shape.

Against live Daphne processes on PostgreSQL:

- a sweep of every operation in /swagger.json, as a superadmin, with hostile bodies
  (over the size limit with and without Content-Length, deep nesting, 1 MB strings,
  control characters, NUL and lone surrogates, invalid UTF-8, wrong types at the top
  and in every property, malformed and hostile multipart and form bodies), hostile
  query strings and hostile path ids: no 5xx, and every 4xx is the error shape;
- one test per guard: the body limit (and that nginx's matches it), nesting, unknown
  URLs and wrong methods with DEBUG on and off, Django's own refusals, upload names,
  request ids.

In-process tests of the same guards: api/common/tests/test_input_guards.py.
"""

from __future__ import annotations

import json
import re
import socket
import string
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command

from api.accounts.auth.tokens import issue_local_tokens
from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.common.client import ClientInfo
from api.kanban.models import TaskAttachment
from api.kanban.tests.factories import make_column, make_comment, make_task
from api.overtime.models import OvertimeRegulationDocument
from api.system.models import UserReport
from conftest import REPO_ROOT, free_port, require_service
from tests.factories import make_overtime, make_project, make_regulation, make_user
from tests.live import start_daphne

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% hostile input test\n"
BOUNDARY = "hostile-input-boundary-7f3a"
MiB = 1024 * 1024


def check_answer(response: httpx.Response, what: str) -> list[str]:
    """Problems with one answer: a 5xx, or an error that is not the JSON error shape."""
    status = response.status_code
    if status >= 500:
        return [f"{what}: {status} {response.text[:300]!r}"]
    if status < 400:
        return []
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("application/json"):
        return [f"{what}: {status} answered as {content_type!r}: {response.text[:200]!r}"]
    try:
        body = response.json()
    except ValueError:
        return [f"{what}: {status} body is not JSON: {response.text[:200]!r}"]
    error = body.get("error") if isinstance(body, dict) else None
    if (
        not isinstance(error, dict)
        or set(body) != {"error"}
        or error.get("status") != status
        or not isinstance(error.get("code"), str)
        or not isinstance(error.get("message"), str)
        or not error.get("request_id")
        or ("fields" in error and not isinstance(error["fields"], dict))
    ):
        return [f"{what}: {status} not the error shape: {response.text[:300]!r}"]
    return []


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    problems = check_answer(response, f"{response.request.method} {response.request.url}")
    assert not problems, problems
    assert response.status_code == status, response.text[:500]
    error = response.json()["error"]
    if code is not None:
        assert error["code"] == code, error
    return error


def token_of(user) -> str:
    return issue_local_tokens(user=user, client=ClientInfo("127.0.0.1", "hostile"))["access"]


def multipart(fields: dict[str, bytes], files: list[tuple[str, bytes, bytes]]) -> bytes:
    """A multipart/form-data body built by hand, so names and values may be any bytes."""
    out = []
    for name, value in fields.items():
        out.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
        )
    for name, filename, content in files:
        out.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="'.encode()
            + filename
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + content
            + b"\r\n"
        )
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(out)


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


# ----------------------------------------------------------------------- the nginx template


def test_nginx_client_max_body_size_is_the_apps_body_limit():
    template = (REPO_ROOT / "nginx" / "templates" / "default.conf.template").read_text()
    values = re.findall(r"^\s*client_max_body_size\s+(\d+)([kKmMgG]?)\s*;", template, re.M)
    assert len(values) == 1, values
    number, unit = values[0]
    factor = {"": 1, "k": 1024, "m": MiB, "g": 1024 * MiB}[unit.lower()]

    assert int(number) * factor == settings.REQUEST_BODY_MAX_BYTES
    env_example = (REPO_ROOT / ".env.example").read_text()
    assert f"REQUEST_BODY_MAX_BYTES={settings.REQUEST_BODY_MAX_BYTES}\n" in env_example


# ----------------------------------------------------------------------- one guard per test


@pytest.fixture(scope="module")
def live(django_db_setup, tmp_path_factory):
    """One Daphne with the default settings (DEBUG on, the real body limit) for the
    tests of single guards; each test still has its own committed rows."""
    require_service(
        "PostgreSQL for live servers",
        None if settings.USING_POSTGRES else "DATABASE_URL is not PostgreSQL",
    )
    root = tmp_path_factory.mktemp("hostile-live")
    (root / "media").mkdir()
    server = start_daphne(free_port(), root / "daphne.log", MEDIA_ROOT=str(root / "media"))
    server.extra["media_root"] = root / "media"
    yield server
    server.stop()


@pytest.fixture
def superadmin(transactional_db):
    return make_user(Role.SUPERADMIN)


def chunks(data: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    """As a generator, httpx sends it with Transfer-Encoding: chunked, no Content-Length."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_bodies_over_the_limit_are_413_json_with_or_without_content_length(live, superadmin):
    server = live
    limit = settings.REQUEST_BODY_MAX_BYTES
    auth = {"Authorization": f"Bearer {token_of(superadmin)}"}
    big_json = b'{"username": "' + b"x" * limit + b'", "password": "x"}'
    big_multipart = multipart({"title": b"big"}, [("screenshot", b"big.png", PNG + b"\0" * limit)])
    cases = [
        ("/api/auth/login/local/", big_json, "application/json"),
        ("/api/v1/user-reports/", big_json, "application/json"),
        ("/api/v1/user-reports/", big_multipart, MULTIPART),
        ("/api/no-such-endpoint/", big_json, "application/json"),
    ]
    with httpx.Client(base_url=server.url, headers=auth, timeout=60) as client:
        for url, body, content_type in cases:
            for content in (body, chunks(body)):
                response = client.post(url, content=content, headers={"Content-Type": content_type})
                error = assert_error(response, 413, "payload_too_large")
                assert str(limit) in error["message"]

        # Under the limit, a chunked body is read (Django alone would see it empty).
        small = json.dumps({"username": "nobody", "password": "wrong"}).encode()
        response = client.post(
            "/api/auth/login/local/",
            content=chunks(small, 8),
            headers={"Content-Type": "application/json"},
        )
        assert_error(response, 401, "invalid_credentials")


@pytest.mark.parametrize(
    ("request_head", "status", "code"),
    [
        # Over Twisted's 16 KiB line: it used to drop the connection without an answer.
        (
            b"GET /api/v1/overtime-requests/?reason=" + b"x" * 60_000 + b" HTTP/1.1\r\n",
            414,
            "query_too_long",
        ),
        (
            b"GET /api/v1/departments/ HTTP/1.1\r\nX-Note: " + b"y" * 20_000 + b"\r\n",
            400,
            "headers_too_large",
        ),
        # Many headers under the line limit, over 16 KiB in all: a bare 400 before.
        (
            b"GET /api/v1/departments/ HTTP/1.1\r\n"
            + b"X-Note: "
            + b"z" * 8_000
            + b"\r\n"
            + b"X-Other: "
            + b"z" * 8_000
            + b"\r\n"
            + b"X-Third: "
            + b"z" * 2_000
            + b"\r\n",
            400,
            "malformed_request",
        ),
    ],
)
def test_what_daphne_cannot_read_is_answered_in_json(live, request_head, status, code):
    """Straight to Daphne, as the embedded default serves (no nginx in front)."""
    host, port = live.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request_head + b"Host: 127.0.0.1\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")

    assert head.startswith(b"HTTP/1.1 %d " % status)
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["request_id"]


def test_deeply_nested_json_is_a_400(live, superadmin):
    server = live
    auth = {"Authorization": f"Bearer {token_of(superadmin)}", "Content-Type": "application/json"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
        for body in (b"[" * 100_000, b'{"a":' * 100_000, b"[" * 100_000 + b"]" * 100_000):
            for url in ("/api/auth/login/local/", "/api/v1/departments/", "/api/v2/board/move/"):
                response = client.post(url, content=body)
                assert_error(response, 400, "parse_error")


@pytest.mark.parametrize("debug", ["true", "false"])  # the shared server has DEBUG on
def test_unknown_urls_and_wrong_methods_are_json(live, daphne_factory, superadmin, debug):
    server = live
    if debug == "false":
        server = daphne_factory(
            DEBUG=debug,
            # The keys the test's tokens are signed with.
            SECRET_KEY=settings.SECRET_KEY,
            JWT_SIGNING_KEY=settings.SIMPLE_JWT["SIGNING_KEY"],
            SECURE_SSL_REDIRECT="false",
        )
    auth = {"Authorization": f"Bearer {token_of(superadmin)}"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
        for url in ("/api/nope", "/api/nope/", "/api/v1/nope/1/", "/api/v1/departments/x/y/"):
            for method in ("GET", "POST", "PUT", "DELETE"):
                response = client.request(method, url)
                assert_error(response, 404, "not_found")
                assert "urlpatterns" not in response.text

        for method, url in (
            ("DELETE", "/api/health/"),
            ("PUT", "/api/health/live/"),
            ("POST", "/swagger.json"),
            ("DELETE", "/api/auth/me/"),
            ("POST", "/api/v1/activity-logs/"),
        ):
            response = client.request(method, url)
            assert_error(response, 405, "method_not_allowed")
            assert "allow" in response.headers

        # Django's own refusals: a Host it does not serve, a broken multipart body.
        response = client.get("/api/health/", headers={"Host": "evil.example.com"})
        assert_error(response, 400, "bad_request")
        for content_type in ("multipart/form-data", MULTIPART):
            response = client.post(
                "/api/v1/user-reports/",
                content=b"--not-the-boundary\r\nbroken",
                headers={"Content-Type": content_type},
            )
            assert_error(response, 400)

        # A missing trailing slash: GETs are redirected, other methods told.
        assert client.get("/api/health").status_code == 301
        response = client.post("/api/v1/departments", json={})
        assert "trailing slash" in assert_error(response, 404, "not_found")["message"]

    # Daphne's own refusal of a header value (before Django runs): JSON on API paths.
    for path, json_expected in (("/api/health/", True), ("/admin/login/", False)):
        head, body = raw_request(
            server.port,
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Odd: a\x0bb\r\n"
            "Connection: close\r\n\r\n".encode(),
        )
        assert head.startswith(b"HTTP/1.1 400"), head
        if json_expected:
            assert b"content-type: application/json" in head.lower(), head
            error = json.loads(body)["error"]
            assert error["status"] == 400
            assert error["request_id"]
        else:
            assert b"text/html" in head.lower(), head


def raw_request(port: int, request: bytes) -> tuple[bytes, bytes]:
    """Bytes an HTTP client library would refuse to send; the answer's head and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


@pytest.fixture
def media_root(tmp_path):
    path = tmp_path / "media"
    path.mkdir()
    return path


def test_long_upload_names_twice_are_stored_under_bounded_generated_names(live, superadmin):
    server, media_root = live, live.extra["media_root"]
    task = make_task(make_column(), created_by=superadmin)
    regulation = make_regulation()
    auth = {"Authorization": f"Bearer {token_of(superadmin)}"}
    ascii_name = "n" * 251 + ".png"  # 255 characters
    unicode_name = "é" * 300 + ".png"  # 600 bytes in UTF-8

    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
        created = []
        for name in (ascii_name, ascii_name, unicode_name, unicode_name):
            response = client.post(
                "/api/v1/task-attachments/",
                data={"task": str(task.pk)},
                files={"file": (name, PNG, "image/png")},
            )
            assert response.status_code == 201, response.text
            created.append(response.json())
        for number, name in enumerate((ascii_name, ascii_name)):
            response = client.post(
                "/api/v1/regulation-documents/",
                data={"regulation": str(regulation.pk), "title": "Doc", "version": f"v{number}"},
                files={"file": (name[:-4] + ".pdf", PDF, "application/pdf")},
            )
            assert response.status_code == 201, response.text
        for _ in range(2):
            response = client.post(
                "/api/v1/user-reports/",
                data={"title": "Shot", "description": "Long name"},
                files={"screenshot": (ascii_name, PNG, "image/png")},
            )
            assert response.status_code == 201, response.text
            assert response.json()["screenshot_name"] == ascii_name
            report_id = response.json()["id"]

        assert created[0]["original_name"] == ascii_name
        assert created[2]["original_name"] == ("é" * 251 + ".png")  # shortened, extension kept
        stored = [
            *TaskAttachment.objects.values_list("file", flat=True),
            *OvertimeRegulationDocument.objects.values_list("file", flat=True),
            *UserReport.objects.exclude(screenshot="").values_list("screenshot", flat=True),
        ]
        assert len(stored) == len(set(stored)) == 8
        for name in stored:
            assert re.fullmatch(r"[a-z-]+/\d+/[0-9a-f]{32}\.(png|pdf)", name), name
            assert (media_root / name).is_file()

        download = client.get(f"/api/v1/task-attachments/{created[1]['id']}/download/")
        assert download.status_code == 200
        assert download.content == PNG
        assert f'filename="{ascii_name}"' in download.headers["content-disposition"]
        download = client.get(f"/api/v1/task-attachments/{created[3]['id']}/download/")
        assert quote("é" * 251 + ".png") in download.headers["content-disposition"]
        download = client.get(f"/api/v1/user-reports/{report_id}/download-screenshot/")
        assert f'filename="{ascii_name}"' in download.headers["content-disposition"]


def test_unusable_request_ids_are_replaced_on_audited_writes(live, superadmin):
    server = live
    auth = {"Authorization": f"Bearer {token_of(superadmin)}"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as client:
        for number, given in enumerate(("r" * 200, "a b", "x" * 65, "ünï".encode())):
            response = client.post(
                "/api/v1/departments/",
                json={"code": f"RID{number}", "name": "Request ids"},
                headers={"X-Request-ID": given},
            )
            assert response.status_code == 201, response.text
            used = response.headers["x-request-id"]
            assert re.fullmatch(r"[0-9a-f]{32}", used), used
            audit = UserActivityLog.objects.get(object_id=str(response.json()["id"]))
            assert audit.request_id == used

        kept = "edge-7f3a.01:req_Z"
        response = client.post(
            "/api/v1/departments/",
            json={"code": "RIDOK", "name": "Request ids"},
            headers={"X-Request-ID": kept},
        )
        assert response.status_code == 201
        assert response.headers["x-request-id"] == kept
        assert UserActivityLog.objects.get(object_id=str(response.json()["id"])).request_id == kept
        error = assert_error(
            client.get("/api/nope/", headers={"X-Request-ID": "q" * 100}), 404, "not_found"
        )
        assert re.fullmatch(r"[0-9a-f]{32}", error["request_id"])


# ----------------------------------------------------------------------- every operation

# Small enough to make the oversize requests cheap, large enough for two 1 MB strings.
SWEEP_BODY_LIMIT = 2_200_000
LONG = "x" * MiB
CONTROL = "a\u0001\u0007\u001b\u007f\u0085\u200b\u202e\u2028\ufeff\n\tz"
HOSTILE_QUERY_VALUES = (
    ("control characters and invalid UTF-8", "%00%01%1b%7f%e2%80%ae%ff%fe%c3%28"),
    ("huge number", "99999999999999999999999"),
    ("brackets", "%5B%5D%7B%7D%5B"),
)
HOSTILE_IDS = ("99999999999999999999999", "-1", "%00%ff")


@dataclass
class Call:
    label: str
    method: str
    url: str
    content: bytes | Iterator[bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _definition(openapi: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = openapi["definitions"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def body_properties(openapi: dict, operation: dict) -> dict[str, dict]:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "body":
            schema = _definition(openapi, parameter.get("schema", {}))
            if schema.get("type") == "array":
                schema = _definition(openapi, schema.get("items", {}))
            return schema.get("properties", {}) or {"name": {"type": "string"}}
    return {"name": {"type": "string"}, "id": {"type": "integer"}}


def wrong_value(schema: dict):
    """A value of another type than the property's."""
    return {
        "integer": {"n": 1},
        "number": [1.5],
        "boolean": {"yes": True},
        "array": "not a list",
        "object": 5,
    }.get(schema.get("type"), {"not": ["a", "string"]})


def json_call(label: str, method: str, url: str, content: bytes | str, **headers) -> Call:
    if isinstance(content, str):
        content = content.encode()
    return Call(label, method, url, content, {"Content-Type": "application/json", **headers})


def rotating(url: str, choices: tuple):
    """One of `choices` per operation (stable for a URL): variants that exercise the
    parser rather than the view are spread over the operations, not all sent to each."""
    return choices[sum(url.encode()) % len(choices)]


def body_calls(method: str, url: str, properties: dict[str, dict]) -> list[Call]:
    names = list(properties)
    first = json.dumps(names[0])

    def every(*raw_values: str) -> str:
        """Each property set to one of `raw_values` (JSON text), in turn."""
        pairs = (
            f"{json.dumps(name)}: {raw_values[n % len(raw_values)]}" for n, name in enumerate(names)
        )
        return "{" + ", ".join(pairs) + "}"

    def call(label: str, content: bytes | str | Iterator[bytes], content_type: str) -> Call:
        if isinstance(content, str):
            content = content.encode()
        headers = {"Content-Type": content_type} if content_type else {}
        return Call(label, method, url, content, headers)

    json_type = "application/json"
    oversize = f'{{{first}: "'.encode() + b"x" * SWEEP_BODY_LIMIT + b'"}'
    texts = [  # the writable ones: the server ignores the others
        name
        for name, schema in properties.items()
        if schema.get("type") == "string" and not schema.get("readOnly")
    ]
    hostile_bytes = b"\x00\x01\xff\xfe\xc3\x28 " + CONTROL.encode()
    file_fields = {"file", "screenshot", *(n for n in names if "file" in n or "shot" in n)}
    calls = [
        # Over the limit with a Content-Length or chunked (both are covered at the
        # real limit by test_bodies_over_the_limit_are_413_json...).
        rotating(
            url,
            (
                call("oversize", oversize, json_type),
                call("oversize chunked", chunks(oversize), json_type),
            ),
        ),
        call("deep arrays", "[" * 100_000, json_type),
        call("deep objects in a property", f"{{{first}: " + '{"a":' * 20_000, json_type),
        call("control characters", json.dumps(dict.fromkeys(names, CONTROL)), json_type),
        call("NUL and surrogates", every('"a\\u0000b"', '"\\ud800"', '{"\\u0000": 1}'), json_type),
        call("raw control characters", f'{{{first}: "\x00\x01\x1f"}}', json_type),
        call("invalid UTF-8", f"{{{first}: ".encode() + b'"\xff\xfe\xc3\x28"}', json_type),
        rotating(
            url,
            (
                call("latin-1", b'{"x": "\xe9"}', "application/json; charset=latin-1"),
                call("unknown charset", "{}", "application/json; charset=no-such-charset"),
                call("BOM", b"\xef\xbb\xbf{}", json_type),
                call("text/plain", b"hello", "text/plain"),
                call("no content type", b'{"a": 1}', ""),
            ),
        ),
        call("non-finite and huge numbers", every("NaN", "1e400", "9" * 5000), json_type),
        call("huge integers", every(str(2**70), str(-(2**70))), json_type),
        call("objects everywhere", every('{"a": [1, {"b": null}]}'), json_type),
        call("lists everywhere", every('[1, "a", null]', "[]"), json_type),
        call("nulls and booleans everywhere", every("null", "true"), json_type),
        call(
            "wrong types",
            json.dumps({name: wrong_value(schema) for name, schema in properties.items()}),
            json_type,
        ),
        call(
            "list where an object belongs",
            rotating(url, ("[]", "[{}]", '[{"a": 1}, 2]')),
            json_type,
        ),
        call("string where an object belongs", rotating(url, ('"x"', "0", "null")), json_type),
        call(
            "multibyte 1 MB string",
            json.dumps({names[0]: "€" * 350_000}, ensure_ascii=False),
            json_type,
        ),
        call(
            "multipart hostile",
            multipart(
                dict.fromkeys(names, hostile_bytes),
                [(name, b"\xff\xfe" + b"n" * 300 + b".png", PNG) for name in file_fields],
            ),
            MULTIPART,
        ),
        call(
            "multipart odd names",
            multipart(
                {"n" * 5000: b"x"},
                [("file", b"../" * 100 + b"a\\b/c.png", PNG), ("file", b"", b""), ("", b"x", b"")],
            ),
            MULTIPART,
        ),
        rotating(
            url,
            (
                call("multipart without boundary", b"--x\r\n", "multipart/form-data"),
                call(
                    "multipart unterminated",
                    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nxx',
                    MULTIPART,
                ),
            ),
        ),
        call(
            "form hostile",
            "&".join(f"{quote(name)}=%00%ff%c3%28" for name in names) + "&%ff=%ff",
            "application/x-www-form-urlencoded",
        ),
    ]
    # 1 MB in every text property, two per request (under the sweep's body limit).
    for start in range(0, len(texts), 2):
        chunk = dict.fromkeys(texts[start : start + 2], LONG)
        calls.append(call(f"1 MB strings {start}", json.dumps(chunk), json_type))
    return calls


def query_calls(method: str, url: str, operation: dict) -> list[Call]:
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    names = names or ["search", "page"]
    # Long values share 12 KB: the request line must stay under the HTTP server's
    # 16 KiB, past which Twisted refuses it before any application code runs.
    long = "x" * (12_000 // len(names))
    return [
        Call(
            f"query {label}",
            method,
            url + "?" + "&".join(f"{quote(name)}={value}" for name in names),
        )
        for label, value in (*HOSTILE_QUERY_VALUES, ("long", long))
    ]


def real_ids(client: httpx.Client, openapi: dict, exclude: set[int]) -> dict[str, int]:
    """For each collection with an `{id}` path, the id of one of its real rows (if any)."""
    ids = {}
    for path in openapi["paths"]:
        if "{id}" not in path:
            continue
        collection = path.split("{id}", 1)[0]
        if collection in ids:
            continue
        response = client.get(openapi["basePath"] + collection, params={"page_size": 50})
        rows = response.json() if response.status_code == 200 else []
        rows = rows.get("results", []) if isinstance(rows, dict) else rows
        choices = [
            row["id"] for row in rows if isinstance(row, dict) and row.get("id") not in exclude
        ]
        ids[collection] = choices[0] if choices else 1
    return ids


def operation_calls(openapi: dict, path: str, method: str, ids: dict[str, int]) -> list[Call]:
    operation = openapi["paths"][path][method]
    base = openapi["basePath"]
    url = base + path
    calls = []
    if "{id}" in path:
        collection = path.split("{id}", 1)[0]
        url = base + path.replace("{id}", str(ids.get(collection, 1)))
        calls += [
            Call(f"path id {value!r}", method.upper(), base + path.replace("{id}", value))
            for value in HOSTILE_IDS
        ]
    calls += query_calls(method.upper(), url, operation)
    if method in ("post", "put", "patch"):
        calls += body_calls(method.upper(), url, body_properties(openapi, operation))
    return calls


def run_calls(server_url: str, token: str, calls: list[Call]) -> list[str]:
    problems = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server_url, headers=headers, timeout=60) as client:
        for call in calls:
            what = f"{call.method} {unquote(call.url)[:120]} [{call.label}]"
            try:
                response = client.request(
                    call.method, call.url, content=call.content, headers=call.headers
                )
            except httpx.HTTPError as exc:
                problems.append(f"{what}: no answer ({exc!r})")
                continue
            problems += check_answer(response, what)
    return problems


def test_every_operation_survives_hostile_input(external_api, daphne_factory, media_root):
    """Real rows behind the path ids; deletions and the auth endpoints run last, so the
    sweep keeps its rows and its token for as long as possible."""
    call_command("initialize_data", verbosity=0)
    superadmin = make_user(Role.SUPERADMIN)
    other = make_user(Role.STAFF)
    make_project()
    make_overtime(employee=other.employee)
    task = make_task(make_column(), created_by=superadmin, assignees=[other])
    make_comment(task, other)
    server = daphne_factory(
        REQUEST_BODY_MAX_BYTES=str(SWEEP_BODY_LIMIT),
        UPLOAD_MAX_BYTES=str(MiB),
        MEDIA_ROOT=str(media_root),
    )
    token = token_of(superadmin)
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        openapi = client.get("/swagger.json").json()
        client.post(
            "/api/v1/task-attachments/",
            data={"task": str(task.pk)},
            files={"file": ("sample.png", PNG, "image/png")},
        ).raise_for_status()
        client.post(
            "/api/v1/user-reports/",
            data={"title": "Sample", "description": "Sample"},
            files={"screenshot": ("sample.png", PNG, "image/png")},
        ).raise_for_status()
        client.post(
            "/api/v1/personal-notes/", json={"title": "Sample", "content": "Sample"}
        ).raise_for_status()
        ids = real_ids(client, openapi, exclude={superadmin.pk, superadmin.employee.pk})

    operations = [
        (path, method)
        for path, item in openapi["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    # Reads first (before rows with 1 MB strings make lists heavy), then writes, then
    # deletions, then the auth endpoints (logout) last.
    auth = [op for op in operations if op[0].startswith("/auth/")]
    phases = [
        [op for op in operations if op not in auth and op[1] == method]
        for method in ("get", "post", "put", "patch", "delete")
    ]
    phases.append(auth)
    assert len(operations) > 100, "the schema lost its operations"

    problems: list[str] = []
    total = 0
    for phase in phases:
        batches = [operation_calls(openapi, path, method, ids) for path, method in phase]
        total += sum(map(len, batches))
        with ThreadPoolExecutor(max_workers=4) as pool:
            for found in pool.map(lambda calls: run_calls(server.url, token, calls), batches):
                problems += found

    assert total > 3000
    shown = "\n".join(problems[:40])
    assert not problems, (
        f"{len(problems)} of {total} answers broke the contract:\n{shown}\n"
        f"--- server log ---\n{server.log()[-8000:]}"
    )


def test_printable_ascii_is_what_request_ids_may_use():
    # The safe pattern's alphabet, for the record: nothing that splits headers or logs.
    from api.common.request_id import REQUEST_ID_PATTERN

    allowed = {char for char in string.printable if REQUEST_ID_PATTERN.fullmatch(char)}
    assert allowed == set(string.ascii_letters + string.digits + "._:-")

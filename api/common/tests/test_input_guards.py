"""Hostile input stops at the edge as a JSON error: the body limit, the JSON parser,
unknown URLs and methods, Django's own refusals, request ids and upload names.

In-process (Django's test client); tests/test_hostile_input.py runs the same classes
against a live Daphne and across every operation of the schema."""

import io
import json
import re

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.db import DataError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.test import Client
from django.urls import include, path
from rest_framework.exceptions import ParseError

from api.accounts.roles import Role
from api.audit.models import UserActivityLog
from api.common.exceptions import api_exception_handler
from api.common.parsers import MAX_JSON_DEPTH, JSONParser, nesting_depth
from api.common.uploads import safe_extension, safe_name, stored_name
from api.common.views import bad_request_error, permission_denied_error
from tests.factories import make_user

pytestmark = pytest.mark.django_db


# Extra plain Django views under /api/, for answers Django builds by itself.
def _crash(request):
    raise RuntimeError("boom: secret internals")


def _get_only(request):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return HttpResponse("ok")


def _html_error(request):
    return HttpResponse("<h1>Teapot</h1>", status=418)


urlpatterns = [
    path("api/_test/crash/", _crash),
    path("api/_test/get-only/", _get_only),
    path("api/_test/html-error/", _html_error),
    path("admin-like/crash/", _crash),
    path("", include("backend.urls")),
]


def error_of(response, status: int, *, with_request_id: bool = True) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}
    error = body["error"]
    assert error["status"] == status
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    assert error["request_id"] or not with_request_id
    assert "Traceback" not in response.content.decode()
    return error


# ----------------------------------------------------------------------- JSON parser


def parse(raw: bytes, encoding: str = "utf-8"):
    return JSONParser().parse(io.BytesIO(raw), "application/json", {"encoding": encoding})


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000,
        b'{"a":' * 50_000,
        b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
        b'{"a": "\xff\xfe"}',
        b'{"a": "raw \x01 control"}',
        b'{"a": "\\u0000"}',
        b'{"\\u0000": 1}',
        b'{"a": ["\\ud800"]}',
        b'{"a": NaN}',
        b"\xef\xbb\xbf{}",
        b'{"a": 1' + b"1" * 5000 + b"}",
        b'"unterminated \\"' * 1000,
    ],
)
def test_hostile_json_is_a_parse_error(raw):
    with pytest.raises(ParseError):
        parse(raw)


def test_ordinary_json_parses_including_escaped_control_characters_and_pairs():
    document = (
        b'{"text": "line\\nnext\\t\\u001b[0m \\ud83d\\ude00", "deep": '
        + (b"[" * (MAX_JSON_DEPTH - 1) + b"1" + b"]" * (MAX_JSON_DEPTH - 1))
        + b', "brackets": "[[[[{{{{"}'
    )

    data = parse(document)

    assert data["text"] == "line\nnext\t\x1b[0m \U0001f600"
    assert data["brackets"] == "[[[[{{{{"


def test_nesting_depth_ignores_brackets_inside_strings():
    assert nesting_depth('["' + "[" * 500 + '"]') <= 1
    assert nesting_depth("[" * 70 + "]" * 70) == 70
    assert nesting_depth('{"a": [' * 40 + "1" + "]}" * 40) == 80


def test_deep_json_through_a_view_is_a_json_400(api_client):
    response = api_client.generic(
        "POST", "/api/auth/login/local/", b"[" * 100_000, content_type="application/json"
    )

    assert error_of(response, 400)["code"] == "parse_error"


def test_upload_views_use_the_bounded_parser_for_json_too(client_for):
    client = client_for(make_user(Role.SUPERADMIN))
    for url in ("/api/v1/regulation-documents/", "/api/v1/task-attachments/"):
        response = client.generic("POST", url, b"[" * 100_000, content_type="application/json")
        assert error_of(response, 400)["code"] == "parse_error", url


# ----------------------------------------------------------------------- body limit


@pytest.fixture
def small_limit(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    return 1000


def test_body_over_the_limit_is_413_json_before_any_view(api_client, small_limit):
    for url in ("/api/auth/login/local/", "/api/nope/", "/api/v1/user-reports/"):
        response = api_client.generic(
            "POST", url, b'{"a": "' + b"x" * 2000 + b'"}', content_type="application/json"
        )
        error = error_of(response, 413)
        assert error["code"] == "payload_too_large"
        assert "1000" in error["message"]


def test_413_carries_cors_headers_so_browsers_can_read_it(api_client, small_limit, settings):
    origin = settings.CORS_ALLOWED_ORIGINS[0]

    response = api_client.generic(
        "POST", "/api/auth/login/local/", b"x" * 2000, content_type="application/json",
        headers={"origin": origin},
    )  # fmt: skip

    assert error_of(response, 413)["code"] == "payload_too_large"
    assert response["Access-Control-Allow-Origin"] == origin


def test_multipart_body_over_the_limit_is_413_json(api_client, small_limit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_client.post(
        "/api/v1/user-reports/",
        {"title": "t", "screenshot": SimpleUploadedFile("a.png", b"x" * 5000)},
        format="multipart",
    )

    assert error_of(response, 413)["code"] == "payload_too_large"


def test_body_over_the_limit_outside_the_api_is_a_plain_413(small_limit):
    response = Client().generic("POST", "/admin/login/", b"x" * 2000)

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")


def test_malformed_content_length_is_a_json_400(api_client):
    response = api_client.generic(
        "POST", "/api/auth/login/local/", b"{}", content_type="application/json",
        CONTENT_LENGTH="12abc",
    )  # fmt: skip

    assert error_of(response, 400)["code"] == "bad_request"


def test_one_limit_drives_django_and_the_upload_limit_fits_under_it(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.REQUEST_BODY_MAX_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.REQUEST_BODY_MAX_BYTES
    assert settings.UPLOAD_MAX_BYTES < settings.REQUEST_BODY_MAX_BYTES


def test_too_many_form_fields_is_a_json_400_not_a_debug_page(api_client, settings):
    settings.DEBUG = True
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    body = "&".join(f"f{n}=x" for n in range(20))

    response = api_client.generic(
        "POST", "/api/auth/login/local/", body, content_type="application/x-www-form-urlencoded"
    )

    assert error_of(response, 400)["code"] == "bad_request"


def test_database_refusals_of_a_value_and_suspicious_files_are_400():
    data_error = api_exception_handler(DataError("value too long for type character varying"), {})
    suspicious = api_exception_handler(SuspiciousFileOperation("path escapes"), {})

    assert data_error.status_code == 400
    assert data_error.data["error"]["code"] == "invalid_value"
    assert suspicious.status_code == 400
    assert suspicious.data["error"]["code"] == "bad_request"


# ----------------------------------------------------------------------- URLs, methods, Django


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_api_urls_are_json_404_with_and_without_debug(api_client, settings, debug):
    settings.DEBUG = debug
    for url in ("/api/nope", "/api/nope/", "/api/v1/nope/deeper/", "/api/v9/", "/api/"):
        for method in ("GET", "POST", "DELETE"):
            response = api_client.generic(method, url)
            assert error_of(response, 404)["code"] == "not_found", (method, url)
            assert "urlpatterns" not in response.content.decode()


def test_missing_trailing_slash_redirects_gets_and_explains_other_methods(api_client, settings):
    settings.DEBUG = True  # Django itself would raise RuntimeError for the POST

    redirected = api_client.get("/api/health?x=1")
    posted = api_client.post("/api/v1/departments", {}, format="json")

    assert redirected.status_code == 301
    assert redirected["Location"] == "/api/health/?x=1"
    assert "trailing slash" in error_of(posted, 404)["message"]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("debug", [True, False])
def test_django_answers_on_api_paths_become_the_json_shape(settings, debug):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)

    crash = client.get("/api/_test/crash/")
    not_allowed = client.delete("/api/_test/get-only/")
    teapot = client.get("/api/_test/html-error/")
    bad_host = client.get("/api/health/", headers={"host": "evil.example.com"})

    assert error_of(crash, 500)["code"] == "server_error"
    assert "boom" not in crash.content.decode()
    assert error_of(not_allowed, 405)["code"] == "method_not_allowed"
    assert not_allowed["Allow"] == "GET"
    assert error_of(teapot, 418)["code"] == "i_m_a_teapot"
    assert error_of(bad_host, 400)["code"] == "bad_request"


@pytest.mark.urls(__name__)
def test_answers_outside_the_api_stay_django_pages(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/admin-like/crash/")

    assert response.status_code == 500
    assert not response["Content-Type"].startswith("application/json")


def test_swagger_json_errors_are_json(api_client):
    response = api_client.delete("/swagger.json")

    assert error_of(response, 405)["code"] == "method_not_allowed"


def test_handler400_and_403_answer_json_on_api_paths(rf):
    """Called directly, outside the middleware that sets the request id."""
    bad = error_of(bad_request_error(rf.get("/api/x/")), 400, with_request_id=False)
    denied = error_of(permission_denied_error(rf.get("/api/x/")), 403, with_request_id=False)

    assert bad["code"] == "bad_request"
    assert denied["code"] == "permission_denied"
    assert bad_request_error(rf.get("/admin/")).status_code == 400


# ----------------------------------------------------------------------- request ids


@pytest.mark.parametrize(
    "given", ["a" * 200, "a" * 65, "has space", "semi;colon", 'quote"d', "é", ""]
)
def test_unusable_request_ids_are_replaced_and_the_new_one_echoed(client_for, given):
    client = client_for(make_user(Role.SUPERADMIN))

    response = client.post(
        "/api/v1/departments/",
        {"code": f"R{len(given)}", "name": "Request id"},
        format="json",
        headers={"x-request-id": given},
    )

    assert response.status_code == 201, response.content
    used = response["X-Request-ID"]
    assert used != given
    assert re.fullmatch(r"[0-9a-f]{32}", used)
    audit = UserActivityLog.objects.get(action="create", resource="departments")
    assert audit.request_id == used


@pytest.mark.parametrize("given", ["abc-123", "a" * 64, "svc:trace.01_A-z"])
def test_plain_request_ids_are_kept(api_client, given):
    response = api_client.get("/api/health/", headers={"x-request-id": given})

    assert response["X-Request-ID"] == given


def test_audit_column_holds_the_longest_accepted_request_id():
    assert UserActivityLog._meta.get_field("request_id").max_length >= 64


# ----------------------------------------------------------------------- upload names


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("a\x00b\r\nc\u202e.pdf", "abc.pdf"),
        ("", "file"),
        ("/", "file"),
    ],
)
def test_safe_name_keeps_a_displayable_base_name(given, expected):
    assert safe_name(given) == expected


def test_safe_name_bounds_long_names_and_keeps_the_extension():
    long = "n" * 400 + ".pdf"

    assert len(safe_name(long)) == 255
    assert safe_name(long).endswith("n.pdf")
    assert len(safe_name("é" * 300)) == 255


def test_stored_names_are_generated_bounded_and_unique():
    first = stored_name("tasks/7", "x" * 300 + ".PNG")
    second = stored_name("tasks/7", "x" * 300 + ".PNG")

    assert first != second
    assert re.fullmatch(r"tasks/7/[0-9a-f]{32}\.png", first)
    assert safe_extension("archive.tar.gz") == ".gz"
    assert safe_extension("weird.<script>") == ""
    assert safe_extension("noext") == ""

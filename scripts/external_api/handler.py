"""HTTP plumbing of the reference server: dispatch, bodies, JSON answers, errors."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scripts.external_api.directory import ApiError, JsonObject, invalid_request, invalid_token
from scripts.external_api.state import ServiceConfig, ServiceState

logger = logging.getLogger("external_api_server")

# Large enough for a PUT /_directory of tens of thousands of employees.
MAX_BODY_BYTES = 16 * 1024 * 1024
# Idle keep-alive connections are dropped after this many seconds.
CONNECTION_TIMEOUT = 30

# Test-control paths are not counted in /_stats, so polling them never skews assertions.
TEST_CONTROL_PATHS = frozenset({"/_stats", "/_stats/reset", "/_directory", "/_health"})


class ExternalApiServer(ThreadingHTTPServer):
    """The HTTP server; ``config`` and ``state`` are shared by all handler threads."""

    daemon_threads = True
    # server_close() must not wait for clients that keep idle connections open.
    block_on_close = False

    def __init__(self, address: tuple[str, int], config: ServiceConfig, state: ServiceState):
        self.config = config
        self.state = state
        super().__init__(address, RequestHandler)

    def serve_forever(self, poll_interval: float = 0.05) -> None:
        # shutdown() waits up to one poll interval; the stdlib's 0.5 s would make every
        # test that starts and stops a server half a second slower.
        super().serve_forever(poll_interval)


Route = Callable[["RequestHandler"], tuple[HTTPStatus, JsonObject]]


class RequestHandler(BaseHTTPRequestHandler):
    server: ExternalApiServer
    protocol_version = "HTTP/1.1"  # keep-alive, like the real service behind its proxy
    server_version = "PTBReferenceSSO/1.0"
    timeout = CONNECTION_TIMEOUT
    # Headers and body go out in separate writes; with Nagle on, each response would wait
    # for the client's delayed ACK (~40 ms), which dominates a test suite's run time.
    disable_nagle_algorithm = True

    # One entry per path; filled after the handler functions are defined (ROUTES below).
    routes: dict[str, dict[str, Route]] = {}

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    # ------------------------------------------------------------------ plumbing

    def version_string(self) -> str:
        return self.server_version  # no Python version in the Server header

    @property
    def config(self) -> ServiceConfig:
        return self.server.config

    @property
    def state(self) -> ServiceState:
        return self.server.state

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        self.route_path = split.path
        self.query = parse_qs(split.query)
        self.body = b""
        headers: dict[str, str] = {}
        self.route_key, self.path_param = self._route_key(self.route_path)
        if self.route_key not in TEST_CONTROL_PATHS:
            self.state.count_request(f"{self.command} {self.route_key}")
        try:
            self.body = self._read_body()
            status, payload = self._route()
        except ApiError as exc:
            status, payload, headers = exc.status, exc.payload, exc.headers
        except Exception:  # the contract promises JSON, never an HTML traceback page
            logger.exception("unhandled error in %s %s", self.command, self.path)
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            payload = {"error": "server_error", "message": "internal server error"}
        self._send_json(status, payload, headers)

    def _route_key(self, path: str) -> tuple[str, str | None]:
        """The route a path belongs to, and its last segment when the route ends with
        ``{id}`` (``/hr/employees/emp-00001`` -> ``/hr/employees/{id}``, ``emp-00001``)."""
        if path in self.routes:
            return path, None
        base, _, last = path.rpartition("/")
        pattern = f"{base}/{{id}}"
        if last and pattern in self.routes:
            return pattern, last
        return path, None

    def _route(self) -> tuple[HTTPStatus, JsonObject]:
        methods = self.routes.get(self.route_key)
        if methods is None:
            raise ApiError(
                HTTPStatus.NOT_FOUND,
                {"error": "not_found", "message": f"no such path: {self.route_path}"},
            )
        handler = methods.get(self.command)
        if handler is None:
            raise ApiError(
                HTTPStatus.METHOD_NOT_ALLOWED,
                {"error": "method_not_allowed", "message": f"{self.command} is not allowed"},
                {"Allow": ", ".join(sorted(methods))},
            )
        return handler(self)

    def _read_body(self) -> bytes:
        """Always consume the body, so a keep-alive connection stays in sync."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise ApiError(
                HTTPStatus.LENGTH_REQUIRED,
                {"error": "invalid_request", "message": "send a Content-Length body"},
            )
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise invalid_request("invalid Content-Length header") from None
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            raise ApiError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                {"error": "invalid_request", "message": f"body over {MAX_BODY_BYTES} bytes"},
            )
        return self.rfile.read(length) if length else b""

    def json_body(self) -> JsonObject:
        """The request body as a JSON object; 400 ``invalid_request`` if it is not one."""
        try:
            data = json.loads(self.body or b"null")
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise invalid_request("body is not valid JSON") from None
        if not isinstance(data, dict):
            raise invalid_request("body must be a JSON object")
        return data

    def bearer_token(self) -> str:
        """Token from ``Authorization: Bearer``, else from a ``{"token": ...}`` body."""
        scheme, _, credentials = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
        token = self.json_body().get("token") if self.body else None
        if not isinstance(token, str) or not token:
            raise invalid_token("no bearer token supplied")
        return token

    def require_api_key(self) -> None:
        supplied = self.headers.get("X-API-Key", "")
        if not hmac.compare_digest(supplied.encode(), self.config.api_key.encode()):
            raise ApiError(
                HTTPStatus.UNAUTHORIZED,
                {"error": "invalid_api_key", "message": "missing or wrong X-API-Key header"},
            )

    def _send_json(
        self,
        status: HTTPStatus | int,
        payload: JsonObject,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # tokens and personal data
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        """Protocol-level errors (bad request line, unknown method) as JSON too."""
        self.close_connection = True
        status = HTTPStatus(code)
        error = "not_implemented" if code == HTTPStatus.NOT_IMPLEMENTED else "invalid_request"
        self._send_json(status, {"error": error, "message": message or status.phrase})

    def log_message(self, format: str, *args: Any) -> None:
        if self.config.verbose:
            super().log_message(format, *args)

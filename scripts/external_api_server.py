"""Reference implementation of the company's SSO + HR service (contract: docs/external-api.md).

The backend never talks to a mock object: tests, ``make external-api`` and the embedded
default all run this small real HTTP server, so the wire format (status codes, headers,
JSON bodies, JWT claims) is exercised exactly as with the production service.

Run it::

    python scripts/external_api_server.py --host 127.0.0.1 --port 9001

or start it inside a test::

    server = make_server("127.0.0.1", 0, directory=build_directory(seed=1, employees=10))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    ...
    server.shutdown()
    server.server_close()

Only the standard library and PyJWT are used; Django is deliberately not imported so the
server starts in milliseconds and from a bare checkout.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import sys
import threading
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

# Running as `python scripts/external_api_server.py` puts scripts/ on sys.path, not the
# repository root; add the root so `generate_data` imports either way.
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from generate_data.directory import DEMO_PASSWORD, build_directory  # noqa: E402

logger = logging.getLogger("external_api_server")

# Defaults of the reference server only (demo values, never production secrets). The
# secret is >= 32 bytes because RFC 7518 requires that for HS256 and PyJWT warns below it
# on every encode/decode, which would pollute the warnings of every test using the server.
DEFAULT_SECRET = "reference-sso-secret-for-local-development-only"  # noqa: S105 - demo default
DEFAULT_API_KEY = "dev-hr-api-key"
DEFAULT_ISSUER = "ptb-external-sso"
DEFAULT_AUDIENCE = "ptb-overtime"
DEFAULT_TOKEN_TTL = 3600

# The one algorithm tokens are signed and accepted with. Pinned: the token header never
# chooses the algorithm, which blocks "alg": "none" and algorithm-confusion attacks.
ALGORITHM = "HS256"
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "exp", "jti")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
# Large enough for a PUT /_directory of tens of thousands of employees.
MAX_BODY_BYTES = 16 * 1024 * 1024
# Idle keep-alive connections are dropped after this many seconds.
CONNECTION_TIMEOUT = 30

# Test-control paths are not counted in /_stats, so polling them never skews assertions.
TEST_CONTROL_PATHS = frozenset({"/_stats", "/_stats/reset", "/_directory", "/_health"})

JsonObject = dict[str, Any]


class ApiError(Exception):
    """An expected failure that becomes a JSON error response."""

    def __init__(
        self, status: HTTPStatus, payload: JsonObject, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(payload.get("message", status.phrase))
        self.status = status
        self.payload = payload
        self.headers = dict(headers or {})


def invalid_request(message: str) -> ApiError:
    return ApiError(HTTPStatus.BAD_REQUEST, {"error": "invalid_request", "message": message})


def invalid_token(message: str) -> ApiError:
    return ApiError(
        HTTPStatus.UNAUTHORIZED,
        {"active": False, "error": "invalid_token", "message": message},
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


# --------------------------------------------------------------------------- directory


@dataclass(frozen=True)
class DirectorySnapshot:
    """Validated, indexed directory data. Immutable, so readers never need the lock."""

    departments: tuple[JsonObject, ...]
    employees: tuple[JsonObject, ...]  # public objects: never contain the password
    by_username: Mapping[str, JsonObject]  # lower-cased username -> employee
    by_external_id: Mapping[str, JsonObject]
    passwords: Mapping[str, str]  # employee external_id -> password
    department_names: Mapping[str, str]  # department code -> name


_EMPLOYEE_DEFAULTS: JsonObject = {
    "last_name": "",
    "email": "",
    "department_code": None,
    "position": "",
    "is_active": True,
}


def _require_str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: '{key}' must be a non-empty string")
    return value


def _check_unique(values: list[str], what: str) -> None:
    duplicates = sorted(value for value, n in Counter(values).items() if n > 1)
    if duplicates:
        raise ValueError(f"duplicate {what}: {', '.join(duplicates)}")


def _validate_department(raw: Any, index: int) -> JsonObject:
    where = f"departments[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object")
    _require_str(raw, "code", where)
    _require_str(raw, "name", where)
    _require_str(raw, "external_id", where)
    department = dict(raw)
    department.setdefault("parent_code", None)
    department.setdefault("manager_employee_code", None)
    return department


def _validate_employee(raw: Any, index: int) -> tuple[JsonObject, str]:
    where = f"employees[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object")
    for key in ("external_id", "employee_code", "username", "first_name"):
        _require_str(raw, key, where)
    password = raw.get("password", DEMO_PASSWORD)
    if not isinstance(password, str) or not password:
        raise ValueError(f"{where}: 'password' must be a non-empty string when given")
    if not isinstance(raw.get("is_active", True), bool):
        raise ValueError(f"{where}: 'is_active' must be a boolean")
    public = {key: value for key, value in raw.items() if key != "password"}
    for key, default in _EMPLOYEE_DEFAULTS.items():
        public.setdefault(key, default)
    return public, password


def load_directory(data: Any) -> DirectorySnapshot:
    """Validate a ``{"departments": [...], "employees": [...]}`` document and index it.

    Only what the server itself relies on is checked (types and unique keys). References
    such as an employee's ``department_code`` are served as given, so tests can feed the
    backend inconsistent HR data on purpose. Raises ``ValueError`` with a readable reason.
    """
    if not isinstance(data, dict):
        raise ValueError("directory must be an object with 'departments' and 'employees'")
    raw_departments, raw_employees = data.get("departments"), data.get("employees")
    if not isinstance(raw_departments, list) or not isinstance(raw_employees, list):
        raise ValueError("'departments' and 'employees' must both be lists")

    departments = [_validate_department(d, i) for i, d in enumerate(raw_departments)]
    validated = [_validate_employee(e, i) for i, e in enumerate(raw_employees)]
    employees = [public for public, _ in validated]
    _check_unique([d["code"] for d in departments], "department codes")
    _check_unique([d["external_id"] for d in departments], "department external_ids")
    _check_unique([e["username"].lower() for e in employees], "usernames")
    _check_unique([e["external_id"] for e in employees], "employee external_ids")
    _check_unique([e["employee_code"] for e in employees], "employee codes")

    return DirectorySnapshot(
        departments=tuple(departments),
        employees=tuple(employees),
        by_username={e["username"].lower(): e for e in employees},
        by_external_id={e["external_id"]: e for e in employees},
        passwords={public["external_id"]: pw for public, pw in validated},
        department_names={d["code"]: d["name"] for d in departments},
    )


def user_object(employee: Mapping[str, Any], snapshot: DirectorySnapshot) -> JsonObject:
    """The ``user`` object of login and verify responses."""
    department_code = employee.get("department_code")
    return {
        "external_id": employee["external_id"],
        "username": employee["username"],
        "email": employee["email"],
        "first_name": employee["first_name"],
        "last_name": employee["last_name"],
        "employee_code": employee["employee_code"],
        "department_code": department_code,
        "department_name": snapshot.department_names.get(department_code or ""),
        "position": employee["position"],
        "is_active": employee["is_active"],
    }


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class ServiceConfig:
    secret: str
    api_key: str
    issuer: str
    audience: str
    token_ttl: int
    verbose: bool = False


@dataclass
class ServiceState:
    """Everything that changes while the server runs; every access goes through the lock."""

    snapshot: DirectorySnapshot
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: Counter[str] = field(default_factory=Counter)
    revoked: dict[str, int] = field(default_factory=dict)  # jti -> exp, pruned when expired

    def current(self) -> DirectorySnapshot:
        with self.lock:
            return self.snapshot

    def replace_directory(self, snapshot: DirectorySnapshot) -> None:
        with self.lock:
            self.snapshot = snapshot

    def count_request(self, key: str) -> None:
        with self.lock:
            self.requests[key] += 1

    def request_counts(self) -> dict[str, int]:
        with self.lock:
            return dict(sorted(self.requests.items()))

    def reset_counts(self) -> None:
        with self.lock:
            self.requests.clear()

    def revoke(self, jti: str, exp: int) -> None:
        now = int(time.time())
        with self.lock:
            # Expired tokens fail verification anyway; forgetting them bounds the set.
            for stale in [j for j, e in self.revoked.items() if e < now]:
                del self.revoked[stale]
            self.revoked[jti] = exp

    def is_revoked(self, jti: str) -> bool:
        with self.lock:
            return jti in self.revoked


# --------------------------------------------------------------------------- tokens


def issue_token(employee: Mapping[str, Any], config: ServiceConfig) -> tuple[str, JsonObject]:
    now = int(time.time())
    claims: JsonObject = {
        "iss": config.issuer,
        "aud": config.audience,
        "sub": employee["external_id"],
        "username": employee["username"],
        "email": employee["email"],
        "name": f"{employee['first_name']} {employee['last_name']}".strip(),
        "employee_code": employee["employee_code"],
        "department_code": employee.get("department_code"),
        "iat": now,
        "exp": now + config.token_ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, config.secret, algorithm=ALGORITHM), claims


# Most specific first: e.g. ExpiredSignatureError and InvalidSignatureError are subclasses.
_TOKEN_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "token has expired"),
    (jwt.ImmatureSignatureError, "token is not valid yet"),
    (jwt.InvalidAlgorithmError, f"token algorithm is not allowed (only {ALGORITHM})"),
    (jwt.InvalidSignatureError, "token signature is invalid"),
    (jwt.InvalidAudienceError, "token audience is invalid"),
    (jwt.InvalidIssuerError, "token issuer is invalid"),
    (jwt.DecodeError, "token is malformed"),
)


def decode_token(token: str, config: ServiceConfig) -> JsonObject:
    """Check signature (HS256 only), issuer, audience, expiry and required claims."""
    try:
        return jwt.decode(
            token,
            config.secret,
            algorithms=[ALGORITHM],
            audience=config.audience,
            issuer=config.issuer,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise invalid_token(f"token is missing the '{exc.claim}' claim") from exc
    except jwt.InvalidTokenError as exc:
        message = next((m for kind, m in _TOKEN_ERRORS if isinstance(exc, kind)), None)
        raise invalid_token(message or f"token is invalid: {exc}") from exc


# --------------------------------------------------------------------------- HTTP


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
        if self.route_path not in TEST_CONTROL_PATHS:
            self.state.count_request(f"{self.command} {self.route_path}")
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

    def _route(self) -> tuple[HTTPStatus, JsonObject]:
        methods = self.routes.get(self.route_path)
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


# --------------------------------------------------------------------------- endpoints


def _positive_int(handler: RequestHandler, name: str, default: int) -> int:
    values = handler.query.get(name)
    if not values:
        return default
    try:
        value = int(values[-1])
    except ValueError:
        raise invalid_request(f"'{name}' must be an integer") from None
    if value < 1:
        raise invalid_request(f"'{name}' must be at least 1")
    return value


def login(handler: RequestHandler) -> tuple[HTTPStatus, JsonObject]:
    body = handler.json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise invalid_request("'username' and 'password' must be strings")
    snapshot = handler.state.current()
    employee = snapshot.by_username.get(username.strip().lower())
    expected = snapshot.passwords.get(employee["external_id"]) if employee else None
    # Compare even for unknown users so the response time does not reveal who exists.
    matches = hmac.compare_digest(password.encode(), (expected or DEMO_PASSWORD).encode())
    if employee is None or not matches or not employee["is_active"]:
        raise ApiError(
            HTTPStatus.UNAUTHORIZED,
            {"error": "invalid_credentials", "message": "invalid username or password"},
        )
    token, _ = issue_token(employee, handler.config)
    return HTTPStatus.OK, {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": handler.config.token_ttl,
        "user": user_object(employee, snapshot),
    }


def verify(handler: RequestHandler) -> tuple[HTTPStatus, JsonObject]:
    claims = decode_token(handler.bearer_token(), handler.config)
    if handler.state.is_revoked(claims["jti"]):
        raise invalid_token("token has been revoked")
    snapshot = handler.state.current()
    employee = snapshot.by_external_id.get(claims["sub"])
    if employee is None:
        raise invalid_token("user no longer exists")
    if not employee["is_active"]:
        raise invalid_token("user is inactive")
    return HTTPStatus.OK, {
        "active": True,
        **{key: claims[key] for key in ("sub", "username", "exp", "iat", "jti", "iss", "aud")},
        "user": user_object(employee, snapshot),
    }


def revoke(handler: RequestHandler) -> tuple[HTTPStatus, JsonObject]:
    claims = decode_token(handler.bearer_token(), handler.config)
    handler.state.revoke(claims["jti"], claims["exp"])
    return HTTPStatus.OK, {"revoked": True}


def hr_employees(handler: RequestHandler) -> tuple[HTTPStatus, JsonObject]:
    handler.require_api_key()
    page = _positive_int(handler, "page", 1)
    page_size = min(_positive_int(handler, "page_size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    employees = handler.state.current().employees
    start = (page - 1) * page_size
    return HTTPStatus.OK, {
        "count": len(employees),
        "page": page,
        "page_size": page_size,
        "next_page": page + 1 if start + page_size < len(employees) else None,
        "results": list(employees[start : start + page_size]),
    }


def hr_departments(handler: RequestHandler) -> tuple[HTTPStatus, JsonObject]:
    handler.require_api_key()
    departments = handler.state.current().departments
    return HTTPStatus.OK, {"count": len(departments), "results": list(departments)}


def stats(handler: RequestHandler) -> tuple[HTTPStatus, JsonObject]:
    return HTTPStatus.OK, {"requests": handler.state.request_counts()}


def reset_stats(handler: RequestHandler) -> tuple[HTTPStatus, JsonObject]:
    handler.state.reset_counts()
    return HTTPStatus.OK, {"requests": {}}


def replace_directory(handler: RequestHandler) -> tuple[HTTPStatus, JsonObject]:
    try:
        snapshot = load_directory(handler.json_body())
    except ValueError as exc:
        raise invalid_request(str(exc)) from None
    handler.state.replace_directory(snapshot)
    return HTTPStatus.OK, {
        "replaced": True,
        "departments": len(snapshot.departments),
        "employees": len(snapshot.employees),
    }


def health(handler: RequestHandler) -> tuple[HTTPStatus, JsonObject]:
    return HTTPStatus.OK, {"status": "ok"}


RequestHandler.routes = {
    "/auth/login": {"POST": login},
    "/auth/verify": {"POST": verify},
    "/auth/revoke": {"POST": revoke},
    "/hr/employees": {"GET": hr_employees},
    "/hr/departments": {"GET": hr_departments},
    # Test-only control endpoints; the real service does not have them.
    "/_stats": {"GET": stats},
    "/_stats/reset": {"POST": reset_stats},
    "/_directory": {"PUT": replace_directory},
    "/_health": {"GET": health},
}


# --------------------------------------------------------------------------- entry points


def make_server(
    host: str,
    port: int,
    *,
    directory: Mapping[str, Any] | None = None,
    secret: str | None = None,
    token_ttl: int = DEFAULT_TOKEN_TTL,
    api_key: str | None = None,
    issuer: str | None = None,
    audience: str | None = None,
    seed: int = 42,
    employees: int = 60,
    verbose: bool = False,
) -> ExternalApiServer:
    """Bind (port 0 picks a free port) and return the server; call ``serve_forever()``.

    Unset options fall back to ``EXTERNAL_SSO_SECRET``, ``EXTERNAL_API_KEY``,
    ``EXTERNAL_JWT_ISSUER`` and ``EXTERNAL_JWT_AUDIENCE``, then to the reference defaults.
    ``directory`` defaults to ``build_directory(seed, employees)``. A ``token_ttl`` of zero
    or less issues already-expired tokens, which tests can use on purpose.
    """
    config = ServiceConfig(
        secret=secret or os.environ.get("EXTERNAL_SSO_SECRET") or DEFAULT_SECRET,
        api_key=api_key or os.environ.get("EXTERNAL_API_KEY") or DEFAULT_API_KEY,
        issuer=issuer or os.environ.get("EXTERNAL_JWT_ISSUER") or DEFAULT_ISSUER,
        audience=audience or os.environ.get("EXTERNAL_JWT_AUDIENCE") or DEFAULT_AUDIENCE,
        token_ttl=token_ttl,
        verbose=verbose,
    )
    data = directory if directory is not None else build_directory(seed, employees)
    state = ServiceState(snapshot=load_directory(data))
    return ExternalApiServer((host, port), config, state)


def read_directory_file(path: Path) -> Any:
    """The ``--data`` file; errors name the file, since the JSON parser's do not."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Reference SSO + HR service for PTB Overtime.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument("--data", type=Path, help="directory JSON (default: generated)")
    parser.add_argument("--secret", help="HS256 signing secret (env EXTERNAL_SSO_SECRET)")
    parser.add_argument("--token-ttl", type=int, default=DEFAULT_TOKEN_TTL, help="seconds")
    parser.add_argument("--api-key", help="HR API key (env EXTERNAL_API_KEY)")
    parser.add_argument("--issuer", help="JWT iss (env EXTERNAL_JWT_ISSUER)")
    parser.add_argument("--audience", help="JWT aud (env EXTERNAL_JWT_AUDIENCE)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the generated directory")
    parser.add_argument("--employees", type=int, default=60, help="generated head count")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        directory = read_directory_file(args.data) if args.data else None
        server = make_server(
            args.host,
            args.port,
            directory=directory,
            secret=args.secret,
            token_ttl=args.token_ttl,
            api_key=args.api_key,
            issuer=args.issuer,
            audience=args.audience,
            seed=args.seed,
            employees=args.employees,
            verbose=args.verbose,
        )
    except (OSError, ValueError) as exc:
        print(f"external_api_server: {exc}", file=sys.stderr)
        return 2
    if len(server.config.secret.encode()) < 32:
        # RFC 7518 wants >= 32 bytes for HS256; PyJWT would warn on every request, so say
        # it once here. Acceptable for the local reference server, never for production.
        print("external_api_server: signing secret is shorter than 32 bytes", file=sys.stderr)
        warnings.filterwarnings("ignore", category=jwt.InsecureKeyLengthWarning)
    host, port = server.server_address[:2]
    snapshot = server.state.current()
    print(
        f"reference SSO/HR service on http://{host}:{port} "
        f"({len(snapshot.employees)} employees, {len(snapshot.departments)} departments)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The routes of the reference server, one function per endpoint."""

from __future__ import annotations

import hmac
from http import HTTPStatus

from generate_data.directory import DEMO_PASSWORD
from scripts.external_api.directory import (
    ApiError,
    JsonObject,
    invalid_request,
    invalid_token,
    load_directory,
    user_object,
)
from scripts.external_api.handler import RequestHandler
from scripts.external_api.state import decode_token, issue_token

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


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


def hr_employee(handler: RequestHandler) -> tuple[HTTPStatus, JsonObject]:
    """One employee by ``external_id`` (the token's ``sub``): what the backend asks when
    an SSO session is refreshed long after its token, to learn whether the person still
    exists and is active. Inactive people are answered too, with ``is_active: false``."""
    handler.require_api_key()
    snapshot = handler.state.current()
    employee = snapshot.by_external_id.get(handler.path_param or "")
    if employee is None:
        raise ApiError(
            HTTPStatus.NOT_FOUND,
            {"error": "unknown_employee", "message": "no employee with this external_id"},
        )
    return HTTPStatus.OK, user_object(employee, snapshot)


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
    "/hr/employees/{id}": {"GET": hr_employee},
    "/hr/departments": {"GET": hr_departments},
    # Test-only control endpoints; the real service does not have them.
    "/_stats": {"GET": stats},
    "/_stats/reset": {"POST": reset_stats},
    "/_directory": {"PUT": replace_directory},
    "/_health": {"GET": health},
}

"""Who is making the current request, from where: for logs and audit rows.

Set by RequestContextMiddleware (client, path) and by the authentication classes
(user). Context variables follow the request across Daphne's async/sync hops, and
outside a request (Celery, management commands) they are simply empty.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestInfo:
    method: str = ""
    path: str = ""
    ip_address: str | None = None
    user_agent: str = ""


_request_info: ContextVar[RequestInfo | None] = ContextVar("request_info", default=None)
_request_user: ContextVar[str] = ContextVar("request_user", default="-")


def set_request_info(info: RequestInfo | None) -> None:
    _request_info.set(info)


def current_request_info() -> RequestInfo:
    return _request_info.get() or RequestInfo()


def set_log_user(user) -> None:
    """Called once a request is authenticated, so every later log line names the user."""
    if user is None or not getattr(user, "is_authenticated", False):
        _request_user.set("-")
    else:
        _request_user.set(f"{user.pk}:{user.get_username()}")


def current_log_user() -> str:
    return _request_user.get()


def reset() -> None:
    _request_info.set(None)
    _request_user.set("-")

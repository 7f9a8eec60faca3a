"""Daphne's access log without query strings.

Daphne writes one line per HTTP response (to stdout by default, or to `--access-log`)
with the request's full URI, query string included; `manage.py runserver` logs the same
details. A token, ticket or password a client puts in a URL would land in the log, so
every entry Daphne hands to its access logger carries the path only, whoever the logger
is. WebSocket entries already carry the path without the query string. nginx's access
log does the same (nginx/templates/default.conf.template), and the app's own request
log records `request.path` (api/common/middleware.py).
"""

from __future__ import annotations

from daphne.server import Server

_MARK = "_ptb_path_only"


def path_only(path: str) -> str:
    return path.split("?", 1)[0]


def install() -> None:
    """Strip query strings from everything Daphne logs about requests (idempotent)."""
    original = Server.log_action
    if getattr(original, _MARK, False):
        return

    def log_action(self, protocol, action, details):
        path = details.get("path") if isinstance(details, dict) else None
        if isinstance(path, str) and "?" in path:
            details = {**details, "path": path_only(path)}
        return original(self, protocol, action, details)

    setattr(log_action, _MARK, True)
    Server.log_action = log_action

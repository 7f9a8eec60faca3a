"""What Daphne (on Twisted) answers by itself, before the app sees a request.

Two behaviours of the server would contradict "every error on an API path is JSON":

- Twisted parses every multipart/form-data POST body into `request.args` (which
  Daphne never uses) and answers a malformed one with a bare 400 and a closed
  connection. `install()` turns that parsing off: the body goes to Django untouched,
  whose parser answers malformed multipart with the JSON error shape (and uploads are
  no longer read into memory a second time).
- Daphne's own error page (a header value with control characters, a path or query
  string that is not ASCII, an application that raised or timed out) is HTML.
  `install()` makes it the JSON error shape when the request's URL is an API path.
- Twisted drops the connection without a word when the request line or a header line
  is over 16 KiB, and answers a bare 400 when all headers are. `install()` answers
  both in the JSON error shape (the app itself refuses query strings over 4,096
  characters, api/common/limits.py); there is no path to look at when the line was
  never read whole, so this answer is JSON for every path.

Called once from backend/asgi.py, the module Daphne loads.
"""

from __future__ import annotations

import json
import uuid

from daphne.http_protocol import WebRequest
from twisted.web.http import HTTPChannel

from api.common.exceptions import error_body
from api.common.json_errors import status_code_name
from api.common.views import is_api_path


def _api_error_body(status: int, status_text: bytes, detail: str) -> tuple[bytes, str]:
    request_id = uuid.uuid4().hex
    code = status_code_name(status_text.decode("ascii", "replace"))
    body = error_body(status, code, f"{detail}.")
    body["error"]["request_id"] = request_id
    return json.dumps(body).encode(), request_id


_LINE_REFUSALS = {
    # what Twisted could not read: (status, reason phrase, code, message, fields)
    "request_line": (
        414,
        b"URI Too Long",
        "query_too_long",
        "The request line is too long: at most 4096 characters of query string.",
        {"query_string": ["At most 4096 characters."]},
    ),
    "header": (400, b"Bad Request", "headers_too_large", "A request header is too large.", None),
    "request": (
        400,
        b"Bad Request",
        "malformed_request",
        "The request could not be read: a malformed request line, header or chunk, "
        "or headers over 16 KiB in all.",
        None,
    ),
}


def _refuse(channel: HTTPChannel, what: str) -> None:
    status, reason, code, message, fields = _LINE_REFUSALS[what]
    body = error_body(status, code, message, fields=fields)
    body["error"]["request_id"] = request_id = uuid.uuid4().hex
    content = json.dumps(body).encode()
    channel.transport.write(
        b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
        b"X-Request-ID: %s\r\nConnection: close\r\n\r\n%s"
        % (status, reason, len(content), request_id.encode(), content)
    )
    channel.loseConnection()


def _install_line_limits() -> None:
    def lineLengthExceeded(self, line):  # Twisted's name
        # Twisted's own flag (name-mangled): still waiting for the request line.
        _refuse(self, "request_line" if self._HTTPChannel__first_line else "header")

    def _respondToBadRequestAndDisconnect(self):  # Twisted's name
        _refuse(self, "request")

    HTTPChannel.lineLengthExceeded = lineLengthExceeded
    HTTPChannel._respondToBadRequestAndDisconnect = _respondToBadRequestAndDisconnect


def install() -> None:
    if getattr(WebRequest, "_ptb_compat", False):
        return
    WebRequest._ptb_compat = True
    _install_line_limits()
    daphne_init = WebRequest.__init__
    daphne_basic_error = WebRequest.basic_error

    def __init__(self, *args, **kwargs):
        daphne_init(self, *args, **kwargs)
        # Read by twisted.web.http.Request.requestReceived, set by its __init__.
        self._parsePOSTFormSubmission = False

    def basic_error(self, status, status_text, body):
        uri = getattr(self, "uri", None) or b""
        path = uri.split(b"?", 1)[0].decode("latin-1")
        if not is_api_path(path):
            return daphne_basic_error(self, status, status_text, body)
        content, request_id = _api_error_body(status, status_text, str(body))
        self.handle_reply(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"Content-Type", b"application/json"),
                    (b"Content-Length", str(len(content)).encode()),
                    (b"X-Request-ID", request_id.encode()),
                ],
            }
        )
        self.handle_reply({"type": "http.response.body", "body": content})
        return None

    WebRequest.__init__ = __init__
    WebRequest.basic_error = basic_error

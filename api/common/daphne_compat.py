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

Called once from backend/asgi.py, the module Daphne loads.
"""

from __future__ import annotations

import json
import uuid

from daphne.http_protocol import WebRequest

from api.common.exceptions import error_body
from api.common.json_errors import status_code_name
from api.common.views import is_api_path


def _api_error_body(status: int, status_text: bytes, detail: str) -> tuple[bytes, str]:
    request_id = uuid.uuid4().hex
    code = status_code_name(status_text.decode("ascii", "replace"))
    body = error_body(status, code, f"{detail}.")
    body["error"]["request_id"] = request_id
    return json.dumps(body).encode(), request_id


def install() -> None:
    if getattr(WebRequest, "_ptb_compat", False):
        return
    WebRequest._ptb_compat = True
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

"""The last word on API error answers: always the JSON error shape.

DRF views answer errors through api.common.exceptions, and handler404/500 cover the
rest while DEBUG is off. What is left are answers Django builds by itself: with DEBUG
on its technical pages (a traceback for a 500, the URL list for a 404, the
SuspiciousOperation page for a bad Host header or a malformed multipart body), a CSRF
refusal page, the empty body of HttpResponseNotAllowed from a plain view, an error
raised inside another middleware. This middleware is first in MIDDLEWARE, so it sees
every answer; on an API path (see api.common.views.is_api_path), any error answer
(4xx/5xx) that is not JSON is replaced by the JSON error shape with the same status
and headers. Its details stay in the log, where Django already wrote them.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse

from api.common.exceptions import error_body
from api.common.views import is_api_path

logger = logging.getLogger("api.errors")

_KNOWN = {
    400: ("bad_request", "The request is malformed."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "No endpoint at {path}."),
    405: ("method_not_allowed", 'Method "{method}" not allowed.'),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Unsupported media type in the request."),
    500: ("server_error", "An unexpected error occurred. It has been logged."),
}
# Headers of the original answer that describe its (replaced) body.
_BODY_HEADERS = {"content-type", "content-length", "content-disposition", "content-encoding"}


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def status_code_name(phrase: str) -> str:
    """'Request Entity Too Large' -> 'request_entity_too_large'."""
    return re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_") or "error"


def _describe(status: int, request) -> tuple[str, str]:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    code, message = _KNOWN.get(status, (status_code_name(phrase), f"{phrase}."))
    path = request.path if len(request.path) <= 200 else request.path[:200] + "..."
    return code, message.format(path=path, method=request.method[:20])


class JSONErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.id_header = settings.DJANGO_GUID.get("GUID_HEADER_NAME", "X-Request-ID")

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or _is_json(response) or not is_api_path(request.path):
            return response
        return self._as_json(request, response)

    def _as_json(self, request, response):
        status = response.status_code
        code, message = _describe(status, request)
        # django-guid set the header, unless the error happened before it ran (then
        # this request has no id yet, and any id in the context is another's).
        request_id = response.get(self.id_header) or uuid.uuid4().hex
        body = error_body(status, code, message)
        body["error"]["request_id"] = request_id
        logger.debug("non-JSON %s answer on %s replaced", status, request.path)

        content = json.dumps(body).encode()
        if not response.streaming:
            # Rewritten in place: headers, cookies and closing stay the handler's.
            response.content = content
            for header in _BODY_HEADERS:
                if header in response:
                    del response[header]
            response["Content-Type"] = "application/json"
            response["Content-Length"] = str(len(content))
            response[self.id_header] = request_id
            return response
        replacement = HttpResponse(content, status=status, content_type="application/json")
        for header, value in response.items():
            if header.lower() not in _BODY_HEADERS:
                replacement[header] = value
        replacement[self.id_header] = request_id
        replacement.cookies = response.cookies
        response.close()
        return replacement

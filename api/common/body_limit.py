"""One limit on request bodies, REQUEST_BODY_MAX_BYTES, for every view.

Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE only lazily, when a view first reads
`request.body` or `request.POST`, and as a SuspiciousOperation (an HTML 400), and never
for file parts of a multipart body. This middleware answers every body over the limit
with 413 before any view, parser or other middleware reads it:

- with a Content-Length, from that header;
- without one (`Transfer-Encoding: chunked`), from the body itself: under ASGI the
  handler has already received it into a seekable spool file. The measured length is
  then recorded as CONTENT_LENGTH, because Django and DRF read a body only up to its
  declared length and would otherwise see a chunked body as empty.

API paths get the JSON error shape, others a plain-text 413. A malformed
Content-Length is a 400. nginx refuses larger bodies itself with the same limit
(client_max_body_size in nginx/templates/default.conf.template).
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from api.common.exceptions import error_body
from api.common.views import is_api_path

logger = logging.getLogger("api.requests")


class InvalidContentLength(ValueError):
    pass


def body_length(request) -> int | None:
    """The length of the request body, declared or measured; None when unknown."""
    declared = request.META.get("CONTENT_LENGTH")
    if declared not in (None, ""):
        if not declared.isascii() or not declared.strip().isdigit():
            raise InvalidContentLength(declared)
        return int(declared)
    stream = getattr(request, "_stream", None)
    seekable = getattr(stream, "seekable", None)
    if stream is None or seekable is None or not seekable():
        return None
    position = stream.tell()
    end = stream.seek(0, os.SEEK_END)
    stream.seek(position)
    return end - position


def _refusal(request, status: int, code: str, message: str):
    if is_api_path(request.path):
        return JsonResponse(error_body(status, code, message), status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_BODY_MAX_BYTES
        try:
            length = body_length(request)
        except InvalidContentLength:
            return _refusal(request, 400, "bad_request", "The Content-Length header is invalid.")
        if length is not None:
            if length > limit:
                logger.info(
                    "request body of %d bytes refused (limit %d): %s %s",
                    length,
                    limit,
                    request.method,
                    request.path,
                )
                return _refusal(
                    request,
                    413,
                    "payload_too_large",
                    f"The request body is {length} bytes; the limit is {limit}.",
                )
            if length and not request.META.get("CONTENT_LENGTH"):
                request.META["CONTENT_LENGTH"] = str(length)
        return self.get_response(request)

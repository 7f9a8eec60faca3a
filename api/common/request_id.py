"""Request ids from clients are kept only when they are short and plain.

django-guid takes the X-Request-ID header as the request's id (VALIDATE_GUID is off so
that ids from nginx and other services are kept), and that id ends up in log lines,
error bodies, response headers and audit rows (a 64-character column). This
middleware runs just before django-guid and drops a header that does not match
REQUEST_ID_PATTERN, so django-guid generates a fresh id instead; the id in use is
echoed in the response either way (RETURN_HEADER).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings

logger = logging.getLogger("api.requests")

# Letters, digits and . _ : - only, 1 to 64 of them: fits the audit column
# (UserActivityLog.request_id) and cannot split a log line or a header.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.meta_key = _meta_key(settings.DJANGO_GUID.get("GUID_HEADER_NAME", "X-Request-ID"))

    def __call__(self, request):
        given = request.META.get(self.meta_key)
        if given is not None and not REQUEST_ID_PATTERN.fullmatch(given):
            del request.META[self.meta_key]
            request.__dict__.pop("headers", None)  # HttpRequest.headers caches META
            logger.info("unusable request id from the client replaced (%d characters)", len(given))
        return self.get_response(request)

import logging
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError

from api.common import request_context
from api.common.client import ClientInfo
from api.common.exceptions import error_body

logger = logging.getLogger("api.requests")
error_logger = logging.getLogger("api.errors")

# What Django answers for an exception that escapes a view, as the API's JSON errors.
_DJANGO_EXCEPTIONS = (
    (Http404, 404, "not_found", "Not found."),
    (PermissionDenied, 403, "permission_denied", "You do not have permission to do this."),
    (BadRequest, 400, "bad_request", "The request could not be understood."),
    (SuspiciousOperation, 400, "bad_request", "The request could not be understood."),
    (MultiPartParserError, 400, "parse_error", "The multipart body could not be parsed."),
)


class RequestContextMiddleware:
    """Per-request log context, an X-Response-Time header and a slow-request log.

    Works in both sync and async stacks so Daphne never has to hop threads for it.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        self._begin(request)
        started = time.perf_counter()
        response = self.get_response(request)
        return self._finish(request, response, started)

    async def __acall__(self, request):
        self._begin(request)
        started = time.perf_counter()
        response = await self.get_response(request)
        return self._finish(request, response, started)

    def process_exception(self, request, exception):
        """With DEBUG on, Django answers an exception that escapes a view with its HTML
        debug page (and never calls handler500). API clients get the JSON error shape
        in every mode; with DEBUG off Django's own handlers already give it."""
        if not settings.DEBUG or not request.path.startswith("/api/"):
            return None
        for kind, status, code, message in _DJANGO_EXCEPTIONS:
            if isinstance(exception, kind):
                return JsonResponse(error_body(status, code, message), status=status)
        error_logger.error(
            "unhandled exception on %s %s", request.method, request.path, exc_info=exception
        )
        return JsonResponse(
            error_body(500, "server_error", "An unexpected error occurred. It has been logged."),
            status=500,
        )

    @staticmethod
    def _begin(request) -> None:
        request_context.reset()
        client = ClientInfo.from_request(request)
        request_context.set_request_info(
            request_context.RequestInfo(
                method=request.method,
                path=request.path[:512],
                ip_address=client.ip_address,
                user_agent=client.user_agent,
            )
        )

    def _finish(self, request, response, started: float):
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["X-Response-Time"] = f"{elapsed_ms:.1f}ms"
        # The path only: query strings may carry things that do not belong in logs.
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(elapsed_ms, 1),
        }
        if elapsed_ms >= settings.SLOW_REQUEST_MS:
            logger.warning("slow request %s %s", request.method, request.path, extra=fields)
        else:
            logger.info(
                "%s %s %s", request.method, request.path, response.status_code, extra=fields
            )
        return response

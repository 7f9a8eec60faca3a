import logging
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import JsonResponse

from api.common import request_context
from api.common.client import ClientInfo
from api.common.exceptions import error_body
from api.common.limits import QUERY_STRING_MAX_CHARS

logger = logging.getLogger("api.requests")


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
        if (refused := self._refuse_query_string(request)) is not None:
            return refused
        self._begin(request)
        started = time.perf_counter()
        response = self.get_response(request)
        return self._finish(request, response, started)

    async def __acall__(self, request):
        if (refused := self._refuse_query_string(request)) is not None:
            return refused
        self._begin(request)
        started = time.perf_counter()
        response = await self.get_response(request)
        return self._finish(request, response, started)

    @staticmethod
    def _refuse_query_string(request):
        if len(request.META.get("QUERY_STRING", "")) <= QUERY_STRING_MAX_CHARS:
            return None
        message = f"The query string is over {QUERY_STRING_MAX_CHARS} characters."
        body = error_body(400, "query_too_long", message, fields={"query_string": [message]})
        return JsonResponse(body, status=400)

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

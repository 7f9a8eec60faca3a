import logging
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings

from api.common.logging import reset_log_user

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
        reset_log_user()
        started = time.perf_counter()
        response = self.get_response(request)
        return self._finish(request, response, started)

    async def __acall__(self, request):
        reset_log_user()
        started = time.perf_counter()
        response = await self.get_response(request)
        return self._finish(request, response, started)

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

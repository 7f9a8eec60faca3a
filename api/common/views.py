"""JSON answers for errors that happen outside DRF views (404 on an unknown URL, 500)."""

import logging

from django.http import JsonResponse
from django.views.defaults import page_not_found, server_error

from api.common.exceptions import error_body

logger = logging.getLogger("api.errors")


def _is_api(request) -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/swagger")


def not_found(request, exception=None):
    if not _is_api(request):
        return page_not_found(request, exception)
    return JsonResponse(error_body(404, "not_found", f"No endpoint at {request.path}."), status=404)


def internal_error(request):
    if not _is_api(request):
        return server_error(request)
    return JsonResponse(
        error_body(500, "server_error", "An unexpected error occurred. It has been logged."),
        status=500,
    )

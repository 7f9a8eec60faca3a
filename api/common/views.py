"""JSON answers for errors that happen outside DRF views: an unknown URL (404), a
refused request (400, 403) and an unexpected error (500).

Django calls handler400/403/404/500 only while DEBUG is off; with DEBUG on it renders
its technical pages instead. For API paths neither can leak: unknown /api/ URLs
end at `api_not_found` (the last pattern of api/urls.py), and any other non-JSON error
answer on an API path is rewritten by api.common.json_errors.
"""

import logging

from django.conf import settings
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.http import escape_leading_slashes
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request, page_not_found, permission_denied, server_error

from api.common.exceptions import error_body

logger = logging.getLogger("api.errors")

API_NOT_FOUND = "api-not-found"


def is_api_path(path: str) -> bool:
    """Whether errors on `path` are the API's (JSON): /api/... and the schema, /swagger..."""
    return path.startswith(("/api/", "/swagger")) or path == "/api"


def _not_found_body(path: str, hint: str = "") -> dict:
    shown = path if len(path) <= 200 else path[:200] + "..."
    return error_body(404, "not_found", f"No endpoint at {shown}.{hint}")


def not_found(request, exception=None):
    if not is_api_path(request.path):
        return page_not_found(request, exception)
    return JsonResponse(_not_found_body(request.path), status=404)


def bad_request_error(request, exception=None):
    if not is_api_path(request.path):
        return bad_request(request, exception)
    return JsonResponse(error_body(400, "bad_request", "The request is malformed."), status=400)


def permission_denied_error(request, exception=None):
    if not is_api_path(request.path):
        return permission_denied(request, exception)
    return JsonResponse(
        error_body(403, "permission_denied", "You do not have permission to perform this action."),
        status=403,
    )


def internal_error(request):
    if not is_api_path(request.path):
        return server_error(request)
    return JsonResponse(
        error_body(500, "server_error", "An unexpected error occurred. It has been logged."),
        status=500,
    )


def _slash_target(request) -> bool:
    """Whether the path with a trailing slash added is a real endpoint."""
    if not settings.APPEND_SLASH or request.path_info.endswith("/"):
        return False
    try:
        match = resolve(request.path_info + "/", getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.url_name != API_NOT_FOUND


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Every /api/ URL no endpoint matches, whatever the method, and in DEBUG too.

    A missing trailing slash still redirects GET and HEAD (what CommonMiddleware does
    for other URLs); other methods are told the right URL, since a redirect would
    lose their body."""
    hint = ""
    if _slash_target(request):
        if request.method in ("GET", "HEAD"):
            target = request.get_full_path(force_append_slash=True)
            return HttpResponsePermanentRedirect(escape_leading_slashes(target))
        hint = " The URL needs a trailing slash."
    return JsonResponse(_not_found_body(request.path, hint), status=404)

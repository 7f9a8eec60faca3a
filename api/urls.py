"""/api/: auth, health, the v1 resources and the v2 board.

Each domain lists its viewsets in `<domain>/urls.py` as `v1_routes`; they are all
registered on one router here, so adding a resource never touches this file's logic.
The last pattern catches every other /api/ URL: a JSON 404, with DEBUG on as well.
"""

from importlib import import_module

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from api.common.views import API_NOT_FOUND, api_not_found
from api.realtime.views import SocketTicketView
from api.reports.urls import v1_paths as report_paths
from api.system import views as system_views
from api.system.urls import health_urlpatterns

DOMAINS_WITH_ROUTES = (
    "accounts",
    "org",
    "overtime",
    "calendar",
    "kanban",
    "purchasing",
    "notifications",
    "system",
    "reports",
)

v1_router = DefaultRouter(trailing_slash=True)
v1_router.include_root_view = False
for domain in DOMAINS_WITH_ROUTES:
    for prefix, viewset, basename in import_module(f"api.{domain}.urls").v1_routes:
        v1_router.register(prefix, viewset, basename=basename)

v1_urlpatterns = [
    path("system/config/", system_views.SystemConfigView.as_view(), name="system-config"),
    path("realtime/tickets/", SocketTicketView.as_view(), name="realtime-ticket"),
    *report_paths,
    *v1_router.urls,
]

urlpatterns = [
    path("auth/", include("api.accounts.auth.urls")),
    path("health/", include(health_urlpatterns)),
    path("v1/", include(v1_urlpatterns)),
    path("v2/", include(import_module("api.kanban.urls").v2_urlpatterns)),
    # Last: whatever the patterns above do not match.
    re_path(r"", api_not_found, name=API_NOT_FOUND),
]

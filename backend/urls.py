from django.contrib import admin
from django.urls import include, path, re_path
from drf_yasg import openapi
from drf_yasg.views import get_schema_view
from rest_framework.permissions import AllowAny

api_info = openapi.Info(
    title="PTB Overtime API",
    default_version="v1",
    description=(
        "Overtime requests and their two-level approval, organisation, calendar, Kanban, "
        "purchasing, notifications and reports. Authenticate with `Bearer <access token>` "
        "from /api/auth/login/local/ or /api/auth/login/external/."
    ),
)

schema_view = get_schema_view(api_info, public=True, permission_classes=[AllowAny])

admin.site.site_header = "PTB Overtime administration"
admin.site.site_title = "PTB Overtime"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    re_path(
        r"^swagger\.(?P<format>json|yaml)$",
        schema_view.without_ui(cache_timeout=0),
        name="schema-json",
    ),
    path("swagger/", schema_view.with_ui("swagger", cache_timeout=0), name="schema-swagger-ui"),
    path("redoc/", schema_view.with_ui("redoc", cache_timeout=0), name="schema-redoc"),
]

# JSON on API paths, Django's pages elsewhere (api/common/views.py).
handler400 = "api.common.views.bad_request_error"
handler403 = "api.common.views.permission_denied_error"
handler404 = "api.common.views.not_found"
handler500 = "api.common.views.internal_error"

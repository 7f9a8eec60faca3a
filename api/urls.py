"""/api/: auth, health, the v1 resources and the v2 board."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from api.system import views as system_views
from api.system.urls import health_urlpatterns

# Each domain registers its viewsets here as the REST API grows.
v1_router = DefaultRouter(trailing_slash=True)
v1_router.include_root_view = False

v1_urlpatterns = [
    path("system/config/", system_views.SystemConfigView.as_view(), name="system-config"),
    *v1_router.urls,
]

urlpatterns = [
    path("auth/", include("api.accounts.auth.urls")),
    path("health/", include(health_urlpatterns)),
    path("v1/", include(v1_urlpatterns)),
]

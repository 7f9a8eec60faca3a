from django.conf import settings
from django.utils import timezone
from drf_yasg import openapi
from drf_yasg.utils import swagger_auto_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.accounts.permissions import HasResourcePermission, IsGlobalAdmin
from api.accounts.roles import Resource
from api.system import health
from api.system.selectors import system_config_for

_status_schema = openapi.Schema(
    type=openapi.TYPE_OBJECT,
    properties={"status": openapi.Schema(type=openapi.TYPE_STRING)},
    additional_properties=True,
)


def _app_info() -> dict:
    return {"version": settings.APP_VERSION, "commit": settings.GIT_COMMIT}


class HealthView(APIView):
    """Basic health: the process answers HTTP. No dependency is touched."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @swagger_auto_schema(responses={200: _status_schema}, tags=["health"], security=[])
    def get(self, request):
        return Response({"status": "ok", "time": timezone.now(), **_app_info()})


class LiveView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @swagger_auto_schema(responses={200: _status_schema}, tags=["health"], security=[])
    def get(self, request):
        return Response({"status": "alive"})


class ReadyView(APIView):
    """Ready to serve: database and cache reachable and every migration applied. 503
    otherwise (take out of rotation; a deploy waits for 200 before the next step)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @swagger_auto_schema(
        responses={200: _status_schema, 503: _status_schema}, tags=["health"], security=[]
    )
    def get(self, request):
        ok, results = health.run_checks(health.READINESS_CHECKS)
        body = {
            "status": "ready" if ok else "unavailable",
            "checks": {r.name: {"ok": r.ok, "latency_ms": r.latency_ms} for r in results},
        }
        # Failure details stay out of this public endpoint; the detailed one has them.
        # The one exception says only how far the schema is behind, which is what an
        # operator watching a deploy needs to see.
        migrations = next((r for r in results if r.name == "migrations"), None)
        if migrations is not None and not migrations.ok and migrations.info.get("unapplied"):
            body["checks"]["migrations"]["unapplied"] = migrations.info["unapplied"]
            body["detail"] = migrations.detail
        return Response(
            body, status=status.HTTP_200_OK if ok else status.HTTP_503_SERVICE_UNAVAILABLE
        )


class DetailedHealthView(APIView):
    """Every dependency with latency, version and error; superadmins and developers.

    A report, not a probe: it answers 200 with `status: degraded` and the failing
    checks, so dashboards can show what is wrong (readiness is the 503 probe).
    """

    permission_classes = [IsGlobalAdmin]

    @swagger_auto_schema(responses={200: _status_schema}, tags=["health"])
    def get(self, request):
        ok, results = health.run_checks(health.DETAILED_CHECKS)
        body = {
            "status": "ok" if ok else "degraded",
            "time": timezone.now(),
            **_app_info(),
            "checks": {r.name: r.as_dict() for r in results},
        }
        return Response(body)


class SystemConfigView(APIView):
    """Settings the client needs; the typed SystemConfiguration entries it may read."""

    permission_classes = [HasResourcePermission]
    resource = Resource.SYSTEM_CONFIG

    @swagger_auto_schema(responses={200: _status_schema}, tags=["system"])
    def get(self, request):
        return Response(system_config_for(user=request.user))

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.urls import handler404, handler500
from backend.urls import urlpatterns as product_urlpatterns


class FailingView(APIView):
    """Authenticated like every API view, then fails as a bug would."""

    def get(self, request):
        raise RuntimeError("secret-internal-detail: a bug in a view")

    def post(self, request):
        return Response({"never": "reached"})


urlpatterns = [path("api/v1/_fault/", FailingView.as_view()), *product_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]

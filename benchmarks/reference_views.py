"""Reference endpoints for the REST benchmark.

- `plain_json`: the floor cost of Django + Daphne for a JSON answer (no auth, no DB).
- `NaiveOvertimeListView`: what a straightforward DRF implementation of the same list
  looks like: ListAPIView + ModelSerializer(fields="__all__") over the same rows, with
  the same authentication, scope and pagination as the real endpoint.
- `NaiveOvertimeWriteViewSet`: the same for a write, a plain ModelViewSet PATCH.
"""

from django.http import JsonResponse
from rest_framework import generics, serializers, viewsets

from api.overtime.models import OvertimeRequest
from api.overtime.selectors import overtime_requests_visible_to


def plain_json(request):
    return JsonResponse({"status": "ok", "service": "ptb-overtime"})


class NaiveOvertimeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OvertimeRequest
        fields = "__all__"
        ref_name = "BenchNaiveOvertime"


class NaiveOvertimeListView(generics.ListAPIView):
    serializer_class = NaiveOvertimeSerializer

    def get_queryset(self):
        # Naive: the same rows and order, without the joins and prefetches tuned for
        # the real serializer (ModelSerializer shows foreign keys as ids anyway).
        return (
            overtime_requests_visible_to(user=self.request.user)
            .select_related(None)
            .prefetch_related(None)
            .order_by("-start_at", "-id")
        )


class NaiveOvertimeWriteViewSet(viewsets.ModelViewSet):
    """The reference write: a ModelViewSet PATCH of the same rows (no rules, no audit,
    no notification, no event), with the same authentication and scope."""

    serializer_class = NaiveOvertimeSerializer
    http_method_names = ["patch"]

    def get_queryset(self):
        return overtime_requests_visible_to(user=self.request.user).select_related(None)

"""The application's URLs plus the references the REST benchmark compares against,
served by the same Daphne process (never part of the real URLconf)."""

from django.urls import path

from backend.urls import urlpatterns as app_urlpatterns
from benchmarks.reference_views import (
    NaiveOvertimeListView,
    NaiveOvertimeWriteViewSet,
    plain_json,
)

urlpatterns = [
    path("bench/plain/", plain_json),
    path("bench/naive/", NaiveOvertimeListView.as_view()),
    path(
        "bench/naive-write/<int:pk>/",
        NaiveOvertimeWriteViewSet.as_view({"patch": "partial_update"}),
    ),
    *app_urlpatterns,
]

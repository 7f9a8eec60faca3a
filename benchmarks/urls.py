"""The application's URLs plus the references the REST benchmark compares against,
served by the same Daphne process (never part of the real URLconf)."""

from django.urls import path

from backend.urls import urlpatterns as app_urlpatterns
from benchmarks.reference_views import NaiveOvertimeListView, plain_json

urlpatterns = [
    path("bench/plain/", plain_json),
    path("bench/naive/", NaiveOvertimeListView.as_view()),
    *app_urlpatterns,
]

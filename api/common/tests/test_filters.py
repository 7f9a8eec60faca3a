"""The filter backend skips django-filter only when no parameter could be a filter."""

from __future__ import annotations

import django_filters
import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.common.filters import FilterBackend, names_a_filter
from api.overtime.filters import OvertimeRequestFilter
from api.overtime.models import OvertimeRequest


class WithRanges(django_filters.FilterSet):
    created = django_filters.DateFromToRangeFilter()
    hours = django_filters.RangeFilter(field_name="net_hours")
    is_weekend = django_filters.BooleanFilter()

    class Meta:
        model = OvertimeRequest
        fields = ()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, False),
        ({"page": "2", "page_size": "50", "search": "x", "ordering": "-start_at"}, False),
        ({"status": "approved"}, True),
        ({"start_at_from": "2026-01-01T00:00:00Z"}, True),
        ({"requires_second_approval": "true"}, True),
        ({"page_size": "50", "department": "3"}, True),
    ],
)
def test_overtime_filter_parameters(params, expected):
    assert names_a_filter(params, OvertimeRequestFilter) is expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("created_after", True),
        ("created_before", True),
        ("hours_min", True),
        ("hours_max", True),
        ("is_weekend", True),
        ("weekend", False),
        ("is", False),
        ("created", True),
        ("createdx_after", False),
    ],
)
def test_widget_suffixes_count_as_the_filter(key, expected):
    assert names_a_filter({key: "1"}, WithRanges) is expected


class View:
    filterset_class = OvertimeRequestFilter


def _request(query: str) -> Request:
    return Request(APIRequestFactory().get("/x/" + query))


@pytest.mark.django_db
def test_no_filter_parameter_returns_the_queryset_untouched():
    queryset = OvertimeRequest.objects.all()
    assert FilterBackend().filter_queryset(_request("?page_size=50"), queryset, View()) is queryset


@pytest.mark.django_db
def test_a_filter_parameter_still_filters_and_validates():
    queryset = OvertimeRequest.objects.all()
    filtered = FilterBackend().filter_queryset(_request("?status=approved"), queryset, View())
    assert "status" in str(filtered.query)
    with pytest.raises((ValidationError, DjangoValidationError)):
        FilterBackend().filter_queryset(_request("?status=no-such-status"), queryset, View())

import django_filters
from django.db.models import Q

from api.overtime.models import OvertimeRegulation, OvertimeRequest, OvertimeStatus


class OvertimeRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OvertimeStatus.choices)
    employee = django_filters.NumberFilter(field_name="employee_id")
    department = django_filters.NumberFilter(field_name="employee__department_id")
    project = django_filters.NumberFilter(field_name="project_id")
    start_at_from = django_filters.IsoDateTimeFilter(field_name="start_at", lookup_expr="gte")
    start_at_to = django_filters.IsoDateTimeFilter(field_name="start_at", lookup_expr="lt")
    # The start's day in the server's time zone, both ends inclusive.
    start_date_from = django_filters.DateFilter(field_name="start_at", lookup_expr="date__gte")
    start_date_to = django_filters.DateFilter(field_name="start_at", lookup_expr="date__lte")

    renamed = {
        "start_from": "start_at_from",
        "start_to": "start_at_to",
        "date_from": "start_date_from",
        "date_to": "start_date_to",
    }

    class Meta:
        model = OvertimeRequest
        fields = ("requires_second_approval", "is_weekend", "is_holiday")


class OvertimeRegulationFilter(django_filters.FilterSet):
    active_on = django_filters.DateFilter(method="filter_active_on")

    class Meta:
        model = OvertimeRegulation
        fields = ("scope", "department", "is_active")

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(effective_from__lte=value).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=value)
        )

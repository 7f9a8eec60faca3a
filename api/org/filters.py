import django_filters
from django.db.models import Q

from api.org.models import Department, Employee, Project


class DepartmentFilter(django_filters.FilterSet):
    parent = django_filters.NumberFilter(field_name="parent_id")
    root = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", help_text="true: only top-level departments"
    )

    class Meta:
        model = Department
        fields = ("is_active",)


class EmployeeFilter(django_filters.FilterSet):
    department = django_filters.NumberFilter(field_name="department_id")
    department_code = django_filters.CharFilter(field_name="department__code", lookup_expr="iexact")
    position = django_filters.CharFilter(lookup_expr="iexact")
    user = django_filters.NumberFilter(field_name="user_id")

    class Meta:
        model = Employee
        fields = ("is_active",)


class ProjectFilter(django_filters.FilterSet):
    department = django_filters.NumberFilter(field_name="department_id")
    active_on = django_filters.DateFilter(
        method="filter_active_on", help_text="Running on this date (open ends count as running)"
    )

    start_date_from = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_date_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")
    end_date_from = django_filters.DateFilter(field_name="end_date", lookup_expr="gte")
    end_date_to = django_filters.DateFilter(field_name="end_date", lookup_expr="lte")

    renamed = {
        "start_date__gte": "start_date_from",
        "start_date__lte": "start_date_to",
        "end_date__gte": "end_date_from",
        "end_date__lte": "end_date_to",
    }

    class Meta:
        model = Project
        fields = ("is_active",)

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(Q(start_date__isnull=True) | Q(start_date__lte=value)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=value)
        )

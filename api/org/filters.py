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

    class Meta:
        model = Project
        fields = {"is_active": ["exact"], "start_date": ["gte", "lte"], "end_date": ["gte", "lte"]}

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(Q(start_date__isnull=True) | Q(start_date__lte=value)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=value)
        )

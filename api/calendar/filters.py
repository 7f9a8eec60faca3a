import django_filters
from django.db.models import Q

from api.calendar.models import CalendarEvent, EmployeeLeave, Holiday, LeaveStatus


class HolidayFilter(django_filters.FilterSet):
    # Bounded: a year outside date's range would fail in the lookup, not as a 400.
    year = django_filters.NumberFilter(
        field_name="date", lookup_expr="year", min_value=1, max_value=9999, decimal_places=0
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Holiday
        fields = ("is_recurring",)


class CalendarEventFilter(django_filters.FilterSet):
    """`start`/`end`: events overlapping [start, end); an instant event at `start` counts."""

    start = django_filters.IsoDateTimeFilter(method="filter_start")
    end = django_filters.IsoDateTimeFilter(field_name="start_at", lookup_expr="lt")

    class Meta:
        model = CalendarEvent
        fields = ("event_type", "department", "visibility", "all_day")

    def filter_start(self, queryset, name, value):
        return queryset.filter(Q(end_at__gt=value) | Q(start_at__gte=value))


class EmployeeLeaveFilter(django_filters.FilterSet):
    """`date_from`/`date_to`: leave sharing at least one day with that range."""

    status = django_filters.MultipleChoiceFilter(choices=LeaveStatus.choices)
    employee = django_filters.NumberFilter(field_name="employee_id")
    department = django_filters.NumberFilter(field_name="employee__department_id")
    date_from = django_filters.DateFilter(field_name="end_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = EmployeeLeave
        fields = ("leave_type",)

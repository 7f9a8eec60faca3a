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
    """`end_at_from=A&start_at_to=B`: events overlapping [A, B) — ending after A (an
    instant event at A counts) and starting before B."""

    end_at_from = django_filters.IsoDateTimeFilter(method="filter_end_at_from")
    start_at_to = django_filters.IsoDateTimeFilter(field_name="start_at", lookup_expr="lt")

    renamed = {"start": "end_at_from", "end": "start_at_to"}

    class Meta:
        model = CalendarEvent
        fields = ("event_type", "department", "visibility", "all_day")

    def filter_end_at_from(self, queryset, name, value):
        return queryset.filter(Q(end_at__gt=value) | Q(start_at__gte=value))


class EmployeeLeaveFilter(django_filters.FilterSet):
    """`end_date_from=A&start_date_to=B`: leave sharing at least one day with [A, B]."""

    status = django_filters.MultipleChoiceFilter(choices=LeaveStatus.choices)
    employee = django_filters.NumberFilter(field_name="employee_id")
    department = django_filters.NumberFilter(field_name="employee__department_id")
    end_date_from = django_filters.DateFilter(field_name="end_date", lookup_expr="gte")
    start_date_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")

    renamed = {"date_from": "end_date_from", "date_to": "start_date_to"}

    class Meta:
        model = EmployeeLeave
        fields = ("leave_type",)

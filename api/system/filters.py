import django_filters

from api.audit.models import UserActivityLog
from api.system.models import (
    UserReport,
    UserReportCategory,
    UserReportSeverity,
    UserReportStatus,
)


class ActivityLogFilter(django_filters.FilterSet):
    user = django_filters.NumberFilter(field_name="user_id")
    department = django_filters.NumberFilter(field_name="department_id")
    created_at_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_at_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    renamed = {"created_from": "created_at_from", "created_to": "created_at_to"}

    class Meta:
        model = UserActivityLog
        fields = ("action", "resource", "object_id", "method")


class UserReportFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=UserReportStatus.choices)
    category = django_filters.MultipleChoiceFilter(choices=UserReportCategory.choices)
    severity = django_filters.MultipleChoiceFilter(choices=UserReportSeverity.choices)
    reporter = django_filters.NumberFilter(field_name="reporter_id")

    class Meta:
        model = UserReport
        fields = ()

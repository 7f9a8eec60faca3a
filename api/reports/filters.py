import django_filters

from api.reports.models import ReportJob, ReportKind, ReportStatus


class ReportJobFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=ReportStatus.choices)
    period_start_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")
    period_end_from = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_end_to = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")

    renamed = {"period_from": "period_start_from", "period_to": "period_end_to"}

    class Meta:
        model = ReportJob
        fields = ("kind", "status", "requested_by")

import django_filters

from api.notifications.models import Notification, NotificationKind


class NotificationFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=NotificationKind.choices)
    created_at_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_at_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    renamed = {"created_from": "created_at_from", "created_to": "created_at_to"}

    class Meta:
        model = Notification
        fields = ("is_read",)

import django_filters

from api.purchasing.models import Asset, AssetStatus, PurchaseRequest, PurchaseStatus


class PurchaseRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PurchaseStatus.choices)
    department = django_filters.NumberFilter(field_name="department_id")
    requester = django_filters.NumberFilter(field_name="requester_id")
    created_at_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_at_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    needed_by_from = django_filters.DateFilter(field_name="needed_by", lookup_expr="gte")
    needed_by_to = django_filters.DateFilter(field_name="needed_by", lookup_expr="lte")

    renamed = {"created_from": "created_at_from", "created_to": "created_at_to"}

    class Meta:
        model = PurchaseRequest
        fields = ("currency",)


class AssetFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=AssetStatus.choices)
    department = django_filters.NumberFilter(field_name="department_id")
    assigned_to = django_filters.NumberFilter(field_name="assigned_to_id")
    unassigned = django_filters.BooleanFilter(field_name="assigned_to", lookup_expr="isnull")
    category = django_filters.CharFilter(field_name="category", lookup_expr="iexact")
    purchase_request = django_filters.NumberFilter(field_name="purchase_request_id")

    class Meta:
        model = Asset
        fields: tuple = ()
